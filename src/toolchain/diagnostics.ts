/**
 * Compiler and linker messages -> `{file, line, column, severity, message}`. Pure. Understands the
 * gcc/clang format (`file:line:col: error: text`, with or without a column), `fatal error`, and
 * `note`; colour codes are stripped first. Files are made relative to the root when inside it.
 */
import { normalizeDepPath } from './depfile.js';

export type Severity = 'error' | 'warning' | 'note';

export interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly severity: Severity;
  readonly message: string;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const WITH_LOCATION = /^(.+?):(\d+):(?:(\d+):)? (fatal error|error|warning|note): (.*)$/;
const LINKER = /^(?:.*\/)?(?:ld(?:\.\w+)?|collect2|clang(?:\+\+)?(?:-\d+)?|g\+\+|gcc|lld|ar|llvm-\w+): (?:(error|warning): )?(.*)$/;
// What ld prints under `/usr/bin/ld: x.o: in function 'main':`: `main.c:(.text+0x13): undefined
// reference to 'foo'` without debug info, `/root/src/main.c:2: undefined reference to 'foo'` with it.
const LINK_REFERENCE = /^(.+?):(?:\([^)]*\)|(\d+)): ((?:undefined reference to|multiple definition of) .*)$/;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

export function parseDiagnostics(output: string, root: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const raw of stripAnsi(output).split(/\r?\n/)) {
    const m = WITH_LOCATION.exec(raw);
    if (m) {
      const severity = m[4] === 'fatal error' ? 'error' : (m[4] as Severity);
      out.push({ file: normalizeDepPath(m[1]!, root), line: Number(m[2]), column: m[3] ? Number(m[3]) : 0, severity, message: m[5]! });
      continue;
    }
    const l = LINKER.exec(raw);
    if (l && (l[1] || /error|undefined reference|multiple definition|cannot find/.test(l[2]!))) {
      out.push({ file: '', line: 0, column: 0, severity: (l[1] as Severity | undefined) ?? 'error', message: l[2]! });
      continue;
    }
    const ref = LINK_REFERENCE.exec(raw);
    if (ref) out.push({ file: normalizeDepPath(ref[1]!, root), line: ref[2] ? Number(ref[2]) : 0, column: 0, severity: 'error', message: ref[3]! });
  }
  return out;
}

/**
 * A linker names the source of an unresolved reference as the object recorded it, often just the
 * basename (`main.cpp:(.text+0x5): undefined reference to ...`). When that basename is one of the
 * linked sources' and only one, name that source, so an editor opens the right file.
 */
export function resolveLinkerFiles(diagnostics: readonly Diagnostic[], sources: readonly string[]): Diagnostic[] {
  const byBase = new Map<string, string[]>();
  for (const source of sources) {
    const base = source.slice(source.lastIndexOf('/') + 1);
    byBase.set(base, [...(byBase.get(base) ?? []), source]);
  }
  return diagnostics.map((d) => {
    if (d.file === '' || d.file.includes('/')) return d;
    const matches = byBase.get(d.file);
    return matches?.length === 1 ? { ...d, file: matches[0]! } : d;
  });
}
