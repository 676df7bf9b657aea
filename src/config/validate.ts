/**
 * `jmake validate`: the whole of jmake.toml checked against the schema (schema.ts), as findings with
 * a line and column. Pure apart from `exists` (input paths), which tests replace.
 *
 * smol-toml gives positions only for syntax errors (and stops at the first), so a syntax error is
 * the only finding of a file that does not parse; every other finding is located in the text by
 * its key path (locate.ts).
 */
import { configLookup, expandArgs } from '../jobs/templates.js';
import { existsSync } from 'node:fs';
import { isAbsolute, posix, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { closest } from './build-config.js';
import { parseDuration, parseSize } from './daemon-settings.js';

export { parseSize };
import { locateKey, locateNearest, type KeyLocation, type KeyPath } from './locate.js';
import { ROOT_KEYS, TABLES, keySpec, rootNames, tableHeader, tableSpec, type TableSpec, type ValueType } from './schema.js';

export interface Finding {
  readonly severity: 'error' | 'warning';
  readonly line: number;
  readonly column: number;
  readonly message: string;
  /** What to do about it (printed on the next line, as compilers print notes). */
  readonly hint?: string;
}

/** Whether an absolute path exists (existsSync in the CLI; a fake in unit tests). */
export type Exists = (absolutePath: string) => boolean;

/**
 * Every problem in jmake.toml, sorted by line. `file` is the path of jmake.toml (callers print it;
 * the checks need only the text and the root); relative input paths are looked up under `root`.
 */
export function validateConfig(text: string, file: string, root: string, exists: Exists = existsSync): Finding[] {
  const undecodable = notUtf8Finding(text);
  if (undecodable) return [undecodable];
  let values: Record<string, unknown>;
  try {
    values = parse(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) return [syntaxFinding(err, text)];
    return [{ severity: 'error', line: 1, column: 1, message: `cannot parse: ${(err as Error).message}` }];
  }
  const checker = new Checker(text, values, root, exists);
  checker.document();
  // Array.prototype.sort is stable: findings on one line keep the order they were found in.
  return checker.findings.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** `jmake.toml: 2 errors, 1 warning` / `jmake.toml: ok`. */
export function summarize(findings: readonly Finding[]): string {
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  const parts = [...(errors > 0 ? [count(errors, 'error')] : []), ...(warnings > 0 ? [count(warnings, 'warning')] : [])];
  return parts.length > 0 ? parts.join(', ') : 'ok';
}

/** One finding as compilers print them: `file:line:column: severity: message`, the hint below. */
export function formatFinding(file: string, finding: Finding): string {
  const first = `${file}:${finding.line}:${finding.column}: ${finding.severity}: ${finding.message}`;
  return finding.hint ? `${first}\n  hint: ${finding.hint}` : first;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------------------------------------
// Syntax errors.

const SYNTAX_HINTS: readonly (readonly [RegExp, string])[] = [
  [/^invalid value/, 'a value is a "quoted string", a number, true or false, an [array] or an { inline = "table" }'],
  [/^expected comma or end of structure|^unfinished array/, 'separate the items of an array or inline table with commas, and close it with ] or }'],
  [/not allowed in strings|^unfinished string/, 'a string is not closed on its line: add the closing quote'],
  [/must be followed by an end-of-line/, 'write one key = value per line, and quote strings that hold spaces'],
  [/^unfinished table|^expected end of table array|illegal character in key/, 'a table header is [name] or [[name]], alone on its line; quote keys that hold characters other than letters, digits, _ and -'],
  [/incomplete key-value|unexpected end of key|illegal empty bare key/, 'write key = value; quote keys that hold characters other than letters, digits, _ and -'],
];

export function syntaxFinding(err: TomlError, text: string): Finding {
  const reason = (err.message.split('\n')[0] ?? err.message).replace(/^Invalid TOML document: /, '');
  const lines = text.split('\n');
  const source = (lines[err.line - 1] ?? '').trim();
  if (/redefine/.test(reason)) return duplicateFinding(err, lines, source);
  const atEnd = source === '' && lines.slice(err.line - 1).every((l) => l.trim() === '');
  const where = source !== '' ? ` in \`${printable(source)}\`` : atEnd ? ' at the end of the file' : '';
  const hint = SYNTAX_HINTS.find(([re]) => re.test(reason))?.[1];
  return { severity: 'error', line: err.line, column: err.column, message: `syntax error: ${reason}${where}`, ...(hint ? { hint } : {}) };
}

const HEADER = /^\[\[?\s*([^\]]+?)\s*\]\]?/;
const KEY_BEFORE_EQUALS = /^((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=/;

/** smol-toml says "trying to redefine an already defined table or value"; say which, and where the first is. */
function duplicateFinding(err: TomlError, lines: readonly string[], source: string): Finding {
  const at = { severity: 'error' as const, line: err.line, column: err.column };
  const before = lines.slice(0, err.line - 1).map((l) => l.trim());
  const header = HEADER.exec(source);
  if (header) {
    const name = normalizeKey(header[1]!);
    const first = before.findIndex((l) => { const h = HEADER.exec(l); return h !== null && normalizeKey(h[1]!) === name && l.startsWith('[[') === source.startsWith('[['); });
    if (first >= 0) return { ...at, message: `table [${name}] is defined twice`, hint: `the first [${name}] is at line ${first + 1}; merge the two into one` };
    return { ...at, message: `table [${name}] is already defined above`, hint: `a dotted key (${name}.x = ...), an inline table or [[${name}]] earlier in the file defines it; keep one form` };
  }
  const key = KEY_BEFORE_EQUALS.exec(source);
  if (key) {
    const name = normalizeKey(key[1]!);
    // The duplicate sits in the same table: search back to the header above it.
    let start = before.length - 1;
    while (start >= 0 && !HEADER.test(before[start]!)) start--;
    const table = start >= 0 ? ` in [${normalizeKey(HEADER.exec(before[start]!)![1]!)}]` : '';
    const first = before.findIndex((l, i) => i > start && KEY_BEFORE_EQUALS.exec(l) !== null && normalizeKey(KEY_BEFORE_EQUALS.exec(l)![1]!) === name);
    const hint = first >= 0 ? `the first is at line ${first + 1}; keep one of them` : 'a table or dotted key above already defines it; keep one of them';
    return { ...at, message: `key ${name} is defined twice${table}`, hint };
  }
  return { ...at, message: `syntax error: a table or value is defined twice, in \`${printable(source)}\`` };
}

function normalizeKey(key: string): string {
  return key.split('.').map((part) => part.trim()).join('.');
}

/** Quoted source text is shown on a terminal: control characters escaped, at most 80 characters. */
const SHOWN_SOURCE = 80;

export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return escaped.length > SHOWN_SOURCE ? `${escaped.slice(0, SHOWN_SOURCE)}...` : escaped;
}

/**
 * A TOML file is UTF-8. Bytes that are not decode to U+FFFD (the replacement character), so the
 * first one marks where the file stops being text; the daemon, which reads bytes, refuses the same
 * file at the same place (load.ts). A U+FFFD that is really meant is written "\uFFFD".
 */
export function notUtf8Finding(text: string): Finding | null {
  const at = text.indexOf('\uFFFD');
  if (at < 0) return null;
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const column = at - (before.lastIndexOf('\n') + 1) + 1;
  return {
    severity: 'error', line, column,
    message: 'not valid UTF-8: the bytes here are not a character (is this a text file?)',
    hint: 'save jmake.toml as UTF-8, as TOML requires; to mean the character U+FFFD itself, write "\\uFFFD" in a string',
  };
}

// ---------------------------------------------------------------------------------------------
// The document against the schema.

class Checker {
  readonly findings: Finding[] = [];

  constructor(
    private readonly text: string,
    private readonly values: Record<string, unknown>,
    private readonly root: string,
    private readonly exists: Exists,
  ) {}

  document(): void {
    const values = this.values;
    for (const [name, value] of Object.entries(values)) {
      const rootKey = ROOT_KEYS.find((k) => k.name === name);
      const table = tableSpec(name);
      if (rootKey) this.value(rootKey.type, value, [name]);
      else if (table) this.table(table, value);
      else this.unknown([], name, rootNames(), isTable(value));
    }
    this.targetsAgainstBinary(values);
    this.projectNameAsFileName(values);
    this.uniqueNames(values, 'targets', 'name', 'two targets are named', 'target names must be unique');
    this.uniqueNames(values, 'jobs', 'id', 'two jobs have the id', 'job ids must be unique');
    this.jobDependencies(values);
  }

  private table(spec: TableSpec, value: unknown): void {
    const header = tableHeader(spec);
    if (spec.form === 'table') {
      if (!isTable(value)) { this.error([spec.name], `${spec.name} must be a table (${header}), not ${describe(value)}`); return; }
      this.keys(spec, value, [spec.name]);
    } else if (spec.form === 'array') {
      if (!Array.isArray(value) || !value.every(isTable)) {
        this.error([spec.name], `${spec.name} must be an array of tables (${header}), not ${describe(value)}`, `write each entry as ${header}, with two brackets`);
        return;
      }
      value.forEach((entry, i) => {
        this.keys(spec, entry, [spec.name, i]);
        for (const k of spec.keys) {
          const given = entry[k.name];
          if (!k.required || (given !== undefined && !(Array.isArray(given) && given.length === 0))) continue;
          const where: KeyPath = given === undefined ? [spec.name, i] : [spec.name, i, k.name];
          this.error(where, `${header} #${i + 1} ${given === undefined ? 'has no' : 'has an empty'} ${k.name}`, `add ${k.name} = ${k.type.kind === 'list' ? '[...]' : '"..."'}: ${lowerFirst(k.meaning)}`);
        }
      });
    } else {
      if (!isTable(value)) { this.error([spec.name], `${spec.name} must be a table of ${header} tables, not ${describe(value)}`); return; }
      for (const [name, entry] of Object.entries(value)) {
        const at = [spec.name, name];
        if (!isTable(entry)) {
          this.error(at, `${spec.name}.${name} must be a table (${tableHeader(spec, name)}), not ${describe(entry)}`, `${spec.name} entries are tables you name: ${header}, e.g. ${tableHeader(spec, 'fast')} with flags = ["-O3"]`);
          continue;
        }
        if (spec.names && !spec.names.re.test(name)) this.error(at, `${spec.name} name "${name}" ${spec.names.rule}`, `the name is a folder name: its outputs go to <output_dir>/${name}`);
        this.keys(spec, entry, at);
      }
    }
  }

  private keys(spec: TableSpec, table: Record<string, unknown>, at: KeyPath): void {
    for (const [name, value] of Object.entries(table)) {
      const key = keySpec(spec, name);
      if (key) this.value(key.type, value, [...at, name]);
      else this.unknown(at, name, spec.keys.map((k) => k.name), false, spec);
    }
  }

  private unknown(at: KeyPath, name: string, valid: readonly string[], isTableValue: boolean, spec?: TableSpec): void {
    const suggestion = closest(name, valid);
    if (at.length === 0 && isTableValue) {
      this.warn([name], `unknown table [${name}]${suggestion ? `; did you mean [${suggestion}]?` : ''}`, suggestion ? undefined : `known tables: ${TABLES.map((t) => t.name).join(', ')}`);
      return;
    }
    const message = `unknown key ${dotted([...at, name])}${suggestion ? `; did you mean "${suggestion}"?` : ''}`;
    if (suggestion) { this.warn([...at, name], message); return; }
    const elsewhere = TABLES.filter((t) => t !== spec && t.keys.some((k) => k.name === name)).map((t) => tableHeader(t));
    const place = spec ? tableHeader(spec) : 'the top level';
    this.warn([...at, name], message, elsewhere.length > 0 ? `${name} is a key of ${elsewhere.join(', ')}` : `${place} takes: ${valid.join(', ')}`);
  }

  // -------------------------------------------------------------------------------------------
  // Values.

  private value(type: ValueType, v: unknown, at: KeyPath): void {
    switch (type.kind) {
      case 'string': case 'flag': case 'glob': this.string(type, v, at); return;
      case 'boolean':
        if (typeof v !== 'boolean') this.error(at, `${dotted(at)} must be true or false, not ${describe(v)}`);
        return;
      case 'integer': this.integer(type, v, at); return;
      case 'enum': this.enumValue(type, v, at); return;
      case 'duration': this.duration(type, v, at); return;
      case 'size':
        if (typeof v !== 'string' || parseSize(v) === null) this.error(at, `${dotted(at)} = ${show(v)} is not a size`, 'write a number and a unit, e.g. "500 MiB" or "5 GiB" (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)');
        return;
      case 'opt-level':
        if (this.string(type, v, at) && !/^-?O?[0-3sz]$/.test(v as string)) this.error(at, `${dotted(at)} = "${v as string}" is not an optimisation level`, 'use O0, O1, O2, O3, Os or Oz');
        return;
      case 'path': this.path(type, v, at); return;
      case 'list': this.list(type, v, at); return;
      case 'string-map': this.stringMap(v, at); return;
      case 'defines': this.defines(v, at); return;
    }
  }

  /** A non-empty string (following the type's pattern); false after reporting why not. */
  private string(type: ValueType, v: unknown, at: KeyPath): v is string {
    if (typeof v !== 'string') { this.error(at, `${dotted(at)} must be a string, not ${describe(v)}`); return false; }
    if (v.trim() === '') {
      if (typeof at.at(-1) !== 'number') this.error(at, `${dotted(at)} must not be empty`, 'give it a value, or delete the line to use the default');
      else this.error(at, `${dotted(at)} is an empty string`, type.kind === 'flag' ? 'remove it: the tool would get an empty argument' : 'remove it');
      return false;
    }
    if (type.kind === 'string' && type.pattern && !type.pattern.re.test(v)) { this.error(at, `${dotted(at)} = "${v}" ${type.pattern.rule}`); return false; }
    return true;
  }

  private integer(type: Extract<ValueType, { kind: 'integer' }>, v: unknown, at: KeyPath): void {
    if (!Number.isSafeInteger(v)) { this.error(at, `${dotted(at)} must be a whole number, not ${describe(v)}`); return; }
    const n = v as number;
    if ((type.min !== undefined && n < type.min) || (type.max !== undefined && n > type.max)) {
      const range = type.min === type.max ? `${type.min}` : type.max === undefined ? `${type.min} or more` : `${type.min ?? 'at most'} to ${type.max}`;
      this.error(at, `${dotted(at)} = ${n} is out of range`, `use ${range}`);
    }
  }

  private enumValue(type: Extract<ValueType, { kind: 'enum' }>, v: unknown, at: KeyPath): void {
    if (!this.string(type, v, at) || type.values.includes(v)) return;
    const suggestion = closest(v, type.values);
    const valid = type.values.map((s) => `"${s}"`).join(', ');
    this.error(at, `unknown ${type.noun} "${v}" in ${dotted(at)}`, `${suggestion ? `did you mean "${suggestion}"? ` : ''}use one of ${valid}`);
  }

  private duration(type: Extract<ValueType, { kind: 'duration' }>, v: unknown, at: KeyPath): void {
    const ms = parseDuration(v);
    if (ms === null) { this.error(at, `${dotted(at)} = ${show(v)} is not a duration`, 'write a number of seconds, or a string with a unit: "500ms", "30s", "10m", "3h"'); return; }
    if (type.minMs !== undefined && ms < type.minMs) this.error(at, `${dotted(at)} = ${show(v)} is too short`, `use at least ${type.minMs}ms`);
    if (type.maxMs !== undefined && ms > type.maxMs) this.error(at, `${dotted(at)} = ${show(v)} is too long`, `use at most ${Math.floor(type.maxMs / 3_600_000)}h (a timer holds no more)`);
  }

  private path(type: Extract<ValueType, { kind: 'path' }>, v: unknown, at: KeyPath): void {
    if (!this.string(type, v, at)) return;
    if (type.role === 'output') this.outputPath(v, at);
    else if (type.role === 'input') this.inputPath(v, at);
  }

  /** jmake writes and deletes under output paths: relative, plain, and inside the root. */
  private outputPath(v: string, at: KeyPath): void {
    const example = at.at(-1) === 'output_dir' ? 'build' : 'build/gen/version.h';
    const insideHint = `outputs stay inside the project (jmake writes and deletes files there): use a path relative to the root, such as "${example}"`;
    if (isAbsolute(v)) { this.error(at, `${dotted(at)} = "${v}" is an absolute path`, insideHint); return; }
    const normal = posix.normalize(v).replace(/\/+$/, '');
    if (normal === '..' || normal.startsWith('../')) { this.error(at, `${dotted(at)} = "${v}" leaves the project root`, insideHint); return; }
    if (normal === '.' || normal === '') { this.error(at, `${dotted(at)} = "${v}" is the project root itself`, insideHint); return; }
    // The build refuses any `..`: an unnormalised path would not match the tracked (normalised) paths.
    if (v.split('/').includes('..')) { this.error(at, `${dotted(at)} = "${v}" must not contain ".."`, `write "${normal}" instead`); return; }
    // jmake's own files: the config itself, and the state dir with the event log.
    if (normal === 'jmake.toml' || normal === '.jmake' || normal.startsWith('.jmake/')) {
      this.error(at, `${dotted(at)} = "${v}" is jmake's own ${normal === 'jmake.toml' ? 'config file' : 'state folder'}`, `jmake would overwrite or delete it; choose another path, such as "${example}"`);
    }
  }

  /** Inputs may live anywhere; one that is missing is worth a warning, not a failed build. */
  private inputPath(v: string, at: KeyPath): void {
    if (/[*?[{]/.test(v)) return; // a glob: nothing single to look for
    if (this.exists(resolve(this.root, v))) return;
    this.warn(at, `${dotted(at)} = "${v}" does not exist`, isAbsolute(v) ? 'check the path, or install what should be there' : 'relative paths start at the project root (the folder holding jmake.toml)');
  }

  private list(type: Extract<ValueType, { kind: 'list' }>, v: unknown, at: KeyPath): void {
    if (!Array.isArray(v)) { this.error(at, `${dotted(at)} must be an array of ${type.item.kind === 'integer' ? 'whole numbers' : 'strings'}, not ${describe(v)}`); return; }
    v.forEach((item, i) => this.value(type.item, item, [...at, i]));
  }

  private stringMap(v: unknown, at: KeyPath): void {
    if (!isTable(v)) { this.error(at, `${dotted(at)} must be a table of strings, not ${describe(v)}`); return; }
    for (const [k, s] of Object.entries(v)) {
      if (typeof s !== 'string') this.error([...at, k], `${dotted([...at, k])} must be a string, not ${describe(s)}`);
      else if (s.trim() === '') this.error([...at, k], `${dotted([...at, k])} must not be empty`);
    }
  }

  private defines(v: unknown, at: KeyPath): void {
    if (!isTable(v)) { this.error(at, `${dotted(at)} must be a table, not ${describe(v)}`, 'e.g. defines = { NDEBUG = true, VERSION = "\\"1.0\\"", LEVEL = 3 }'); return; }
    for (const [name, value] of Object.entries(v)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) this.error([...at, name], `"${name}" in ${dotted(at)} is not a valid macro name`, 'a macro name is letters, digits and _, not starting with a digit');
      else if (!['string', 'number', 'boolean'].includes(typeof value)) this.error([...at, name], `${dotted([...at, name])} must be a string, a number or true, not ${describe(value)}`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Checks across keys.

  private targetsAgainstBinary(values: Record<string, unknown>): void {
    if (isTable(values.binary) && Array.isArray(values.targets) && values.targets.length > 0) {
      this.warn(['binary'], '[binary] is ignored when [[targets]] are given', 'move its settings into a [[targets]] entry, or delete [binary]');
    }
  }

  /** With no [binary] name and no [[targets]], the project name names the artifact file (bin/NAME). */
  private projectNameAsFileName(values: Record<string, unknown>): void {
    const name = isTable(values.project) ? values.project.name : undefined;
    if (typeof name !== 'string' || name.trim() === '') return;
    if (Array.isArray(values.targets) && values.targets.length > 0) return;
    if (isTable(values.binary) && values.binary.name !== undefined) return;
    // eslint-disable-next-line no-control-regex
    if (name !== '.' && name !== '..' && !/[/\u0000-\u001f\u007f]/.test(name)) return;
    this.error(['project', 'name'], `project.name = "${printable(name)}" names the binary (bin/NAME), and a file name may not hold "/" or control characters, or be "." or ".."`,
      'set [binary] name = "..." to a plain name (letters, digits and _ . + -), or give the project one');
  }

  private uniqueNames(values: Record<string, unknown>, table: string, key: string, message: string, rule: string): void {
    const entries = values[table];
    if (!Array.isArray(entries)) return;
    const first = new Map<string, number>();
    entries.forEach((entry, i) => {
      const name = isTable(entry) ? entry[key] : undefined;
      if (typeof name !== 'string' || name === '') return;
      const earlier = first.get(name);
      if (earlier === undefined) { first.set(name, i); return; }
      const line = this.locate([table, earlier, key]).line;
      this.error([table, i, key], `${message} "${name}"`, `the other is at line ${line}; ${rule}`);
    });
  }

  private jobDependencies(values: Record<string, unknown>): void {
    const jobs = Array.isArray(values.jobs) ? values.jobs.filter(isTable) : [];
    const ids = [...new Set(jobs.map((j) => j.id).filter((id): id is string => typeof id === 'string'))];
    // A job may also wait for the whole build, a target, or one output path (they contain a slash).
    const targets = Array.isArray(values.targets) ? values.targets.filter(isTable).map((t) => t.name).filter((n): n is string => typeof n === 'string') : [];
    const binary = isTable(values.binary) && typeof values.binary.name === 'string' ? [values.binary.name] : [];
    const names = [...ids, 'build', ...targets, ...binary];
    jobs.forEach((job, i) => {
      if (Array.isArray(job.depends_on)) {
        job.depends_on.forEach((dep, d) => {
          if (typeof dep !== 'string' || dep === '' || names.includes(dep) || dep.includes('/')) return;
          const suggestion = closest(dep, names);
          this.error(['jobs', i, 'depends_on', d], `${dotted(['jobs', i, 'depends_on', d])} = "${dep}" names no job, target or output`, suggestion ? `did you mean "${suggestion}"?` : `jobs: ${ids.join(', ') || 'none'}; "build" waits for every target; an output path (with a /) for one output`);
        });
      }
      if (Array.isArray(job.run)) {
        const lookup = configLookup(values, { 'project.root': '', config_path: '', 'compile.output_dir': '', 'discovery.files': [] });
        job.run.forEach((arg, a) => {
          if (typeof arg !== 'string') return;
          const expanded = expandArgs(typeof job.id === 'string' ? job.id : `#${i + 1}`, [arg], lookup);
          if (!expanded.ok) this.error(['jobs', i, 'run', a], expanded.message, 'templates: {{project.root}}, {{config_path}}, {{compile.output_dir}}, {{discovery.files}}, or any key of jmake.toml by its dotted path');
        });
      }
    });
  }

  // -------------------------------------------------------------------------------------------

  private error(at: KeyPath, message: string, hint?: string): void {
    this.add('error', at, message, hint);
  }

  private warn(at: KeyPath, message: string, hint?: string): void {
    this.add('warning', at, message, hint);
  }

  /**
   * The key's line, or else the line of the first key written under it: a table made by dotted keys
   * (`link.opt_level = ...` under [compile]) has no line of its own, but its keys do.
   */
  private locate(at: KeyPath): KeyLocation {
    const exact = locateKey(this.text, at);
    if (exact) return exact;
    const index = at.at(-1);
    const list = typeof index === 'number' ? locateKey(this.text, at.slice(0, -1)) : null;
    const item = list && arrayItemLocation(this.text, list, index as number);
    if (item) return item;
    let path = [...at];
    let value = valueAt(this.values, at);
    while (isTable(value) && Object.keys(value).length > 0) {
      const first = Object.keys(value)[0]!;
      path = [...path, first];
      value = value[first];
      const found = locateKey(this.text, path);
      if (found) return found;
    }
    return locateNearest(this.text, at);
  }

  private add(severity: Finding['severity'], at: KeyPath, message: string, hint: string | undefined): void {
    const { line, column } = this.locate(at);
    this.findings.push({ severity, line, column, message, ...(hint ? { hint } : {}) });
  }
}

/**
 * Where item `index` of the array written after the key at `key` starts, across lines if the array
 * spans them; null when the value there is not an array or has fewer items. A small scanner: it
 * skips strings (all four kinds) and comments, and counts items only at the array's own depth.
 */
export function arrayItemLocation(text: string, key: KeyLocation, index: number): KeyLocation | null {
  const lineStart = text.split('\n').slice(0, key.line - 1).reduce((n, l) => n + l.length + 1, 0);
  let p = text.indexOf('=', lineStart + key.column - 1);
  if (p < 0) return null;
  p++;
  while (text[p] === ' ' || text[p] === '\t') p++;
  if (text[p] !== '[') return null;
  let depth = 0;
  let item = -1;
  let expecting = false; // the next value starts an item
  for (; p < text.length; p++) {
    const c = text[p]!;
    if (c === '#') { while (p < text.length && text[p] !== '\n') p++; continue; }
    if (/\s/.test(c)) continue;
    if (c === ',' && depth === 1) { expecting = true; continue; }
    if (c === ']' || c === '}') { if (--depth === 0) return null; continue; }
    if (depth === 1 && expecting) {
      expecting = false;
      if (++item === index) return offsetToLocation(text, p);
    }
    if (c === '[' || c === '{') { if (++depth === 1) expecting = true; continue; }
    if (c === '"' || c === "'") p = endOfString(text, p) - 1;
  }
  return null;
}

/** The offset just past the string starting at `start` ("...", '...', """...""", '''...'''). */
function endOfString(text: string, start: number): number {
  const quote = text[start]!;
  const multi = text.startsWith(quote.repeat(3), start);
  const close = multi ? quote.repeat(3) : quote;
  for (let p = start + close.length; p < text.length; p++) {
    if (quote === '"' && text[p] === '\\') { p++; continue; }
    if (text.startsWith(close, p)) return p + close.length;
    if (!multi && text[p] === '\n') return p;
  }
  return text.length;
}

function offsetToLocation(text: string, offset: number): KeyLocation {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

function valueAt(document: Record<string, unknown>, path: KeyPath): unknown {
  let value: unknown = document;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function dotted(path: KeyPath): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${p}` : p), '');
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Date) return 'a date';
  if (typeof v === 'object' && v !== null) return 'a table';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** A value as the user wrote it, near enough: strings quoted, numbers bare. */
function show(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? JSON.stringify(v) : describe(v);
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
