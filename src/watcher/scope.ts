/**
 * What the source watcher has to see: the folders that can hold a build input, read from
 * jmake.toml. A 100k-file checkout whose sources are 10k of them then costs 10k watches, not 100k.
 *
 * From an explicit `[discovery]` (`files` or `include`) on: the folder prefix of every source
 * pattern (discovery, `[[targets]]` `sources`/`each`), every include dir (`include_dirs` of
 * [compile], targets and profiles, and `-I`/`-iquote`/`-isystem`/`-idirafter`/`-include` in their
 * flags) and the `inputs`/`outputs` of `[[jobs]]`. jmake.toml itself is always seen.
 *
 * null means the whole tree: no explicit discovery (`jmake complete` looks for sources anywhere),
 * or a pattern with no folder before its first wildcard (`**\/*.c`), or a template in a job path.
 * Paths outside the root are not the watcher's: inputs there are checked by stat at each build, as
 * is any input the scope leaves out (a header reached by `#include "../x.h"`), so nothing goes
 * stale; only build on change does not see those.
 */
const GLOB_CHARS = /[*?[\]{}]/;
const INCLUDE_FLAGS = ['-I', '-iquote', '-isystem', '-idirafter'];

export function watchScope(values: Readonly<Record<string, unknown>> | null): string[] | null {
  const config = table(values);
  const discovery = table(config.discovery);
  const files = strings(discovery.files);
  const include = strings(discovery.include);
  if (files.length === 0 && include.length === 0) return null;

  const prefixes: (string | null)[] = [];
  const sourcePatterns = [...files, ...include];
  const dirs: string[] = [];
  const flagLists: unknown[] = [];
  const flagSets = [table(config.compile), ...Object.values(table(config.profile)).map(table)];
  const targets = Array.isArray(config.targets) ? config.targets.map(table) : [];
  for (const target of targets) {
    append(sourcePatterns, strings(target.sources));
    if (typeof target.each === 'string') sourcePatterns.push(target.each);
    flagSets.push(target);
  }
  for (const set of flagSets) {
    append(dirs, strings(set.include_dirs));
    flagLists.push(set.flags, set.c_flags, set.cxx_flags);
  }
  for (const list of flagLists) {
    const { includeDirs, includedFiles } = flagPaths(strings(list));
    append(dirs, includeDirs);
    append(sourcePatterns, includedFiles);
  }
  const jobs = Array.isArray(config.jobs) ? config.jobs.map(table) : [];
  for (const job of jobs) append(sourcePatterns, [...strings(job.inputs), ...strings(job.outputs)]);

  for (const pattern of sourcePatterns) prefixes.push(folderOf(pattern, 'file'));
  for (const dir of dirs) prefixes.push(folderOf(dir, 'dir'));
  if (prefixes.some((p) => p === '')) return null;
  const inside = prefixes.filter((p): p is string => p !== null).sort();
  // Keep only the outermost folders.
  const roots: string[] = [];
  for (const p of inside) if (!roots.some((r) => p === r || p.startsWith(`${r}/`))) roots.push(p);
  return roots;
}

/**
 * The folder a pattern can match in ('' for the whole root), or null when it is outside the root.
 * A literal names a file (its folder) or, for include dirs, the folder itself.
 */
export function folderOf(pattern: string, kind: 'file' | 'dir'): string | null {
  if (pattern.includes('{{')) return ''; // a template: could be anywhere
  if (pattern.startsWith('/')) return null;
  const segments: string[] = [];
  const parts = pattern.split('/').filter((s) => s !== '' && s !== '.');
  for (const [i, part] of parts.entries()) {
    if (GLOB_CHARS.test(part)) break;
    if (part === '..') {
      if (segments.length === 0) return null;
      segments.pop();
      continue;
    }
    if (i === parts.length - 1 && kind === 'file') break; // the file itself
    segments.push(part);
  }
  return segments.join('/');
}

/** -Idir, -I dir, -iquote dir, ... and -include file, as written in a flags list. */
function flagPaths(flags: readonly string[]): { includeDirs: string[]; includedFiles: string[] } {
  const includeDirs: string[] = [];
  const includedFiles: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i]!;
    if (flag === '-include' && flags[i + 1] !== undefined) { includedFiles.push(flags[++i]!); continue; }
    for (const prefix of INCLUDE_FLAGS) {
      if (flag === prefix && flags[i + 1] !== undefined) { includeDirs.push(flags[++i]!); break; }
      if (flag.startsWith(prefix) && flag.length > prefix.length && (prefix === '-I' || flag[prefix.length] !== '-')) { includeDirs.push(flag.slice(prefix.length)); break; }
    }
  }
  return { includeDirs, includedFiles };
}

function table(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** `to.push(...items)` without spreading: a list of a million items would overflow the call stack. */
function append<T>(to: T[], items: readonly T[]): void {
  for (const item of items) to.push(item);
}
