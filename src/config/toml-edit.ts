/**
 * Adding keys to a user's jmake.toml without touching anything else: comments, key order, blank
 * lines, quoting and inline tables stay byte for byte. smol-toml's `stringify` would drop every
 * comment, so it is never written over a file; it only formats the inserted values.
 *
 * A new key goes right after the last value line of its table (after a multi-line array too), with
 * the indentation of the key before it; a key whose value is empty (`name = ""`, `files = []`) has
 * that value replaced in place, keeping a trailing comment; a table that does not exist is appended
 * at the end. The result is parsed again and must equal the original document plus the additions,
 * or nothing is returned but the reason.
 */
import { isDeepStrictEqual } from 'node:util';
import { parse, stringify } from 'smol-toml';

export type TomlValue = string | number | boolean | readonly string[] | Readonly<Record<string, string>>;

export interface TomlAddition {
  /** The table, e.g. `['compile']`; keys of the root table are not supported. */
  readonly table: readonly string[];
  readonly key: string;
  readonly value: TomlValue;
}

export type EditResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

interface LineInfo {
  /** The table this line belongs to (`[a.b]` -> a.b); `null` inside an array of tables. */
  readonly table: string | null;
  readonly kind: 'header' | 'key' | 'continuation' | 'other';
  /** For keys: the dotted key as written, normalised (`a.b`). */
  readonly key?: string;
  readonly indent: string;
}

export function addKeys(text: string, additions: readonly TomlAddition[]): EditResult {
  let before: Record<string, unknown>;
  try {
    before = parse(text) as Record<string, unknown>;
  } catch (err) {
    return { ok: false, reason: `jmake.toml does not parse: ${(err as Error).message.split('\n')[0]}` };
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  const expected = canonical(before) as Record<string, unknown>;
  const appended = new Map<string, string[]>();
  for (const addition of additions) {
    if (addition.table.length === 0) return { ok: false, reason: `cannot add the root key ${addition.key}` };
    const tableName = addition.table.map(keyText).join('.');
    const existing = lookup(before, addition.table);
    if (existing !== undefined && (typeof existing !== 'object' || Array.isArray(existing))) {
      return { ok: false, reason: `${tableName} is not a table in jmake.toml` };
    }
    setIn(expected, [...addition.table, addition.key], addition.value);
    const current = existing === undefined ? undefined : (existing as Record<string, unknown>)[addition.key];
    const formatted = `${keyText(addition.key)} = ${formatValue(addition.value)}`;
    if (current !== undefined) {
      if (!isEmpty(current)) return { ok: false, reason: `${tableName}.${addition.key} already has a value` };
      const replaced = replaceEmptyValue(lines, scan(lines), tableName, addition.key, formatValue(addition.value));
      if (!replaced) return { ok: false, reason: `cannot find the line of ${tableName}.${addition.key} to fill it in` };
      continue;
    }
    const info = scan(lines);
    const at = insertionPoint(info, tableName);
    if (at === null) {
      if (existing !== undefined && !appended.has(tableName)) {
        // Defined without a header of its own (dotted keys, or an inline table): do not guess.
        return { ok: false, reason: `${tableName} has no [${tableName}] header to add ${addition.key} under` };
      }
      appended.set(tableName, [...(appended.get(tableName) ?? []), formatted]);
      continue;
    }
    lines.splice(at.line + 1, 0, `${at.indent}${formatted}`);
  }
  // New tables go at the end, each after one blank line.
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (const [table, keys] of appended) {
    if (lines.length > 0) lines.push('');
    lines.push(`[${table}]`, ...keys);
  }
  lines.push('');
  const result = lines.join(eol);
  let after: unknown;
  try {
    after = parse(result);
  } catch (err) {
    return { ok: false, reason: `the edited file would not parse (${(err as Error).message.split('\n')[0]}); nothing was written` };
  }
  if (!isDeepStrictEqual(canonical(after), canonical(expected))) return { ok: false, reason: 'the edited file would not hold exactly the added keys; nothing was written' };
  return { ok: true, text: result };
}

/** `""`, `[]` and `{}` count as missing. */
export function isEmpty(value: unknown): boolean {
  if (value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return value !== null && typeof value === 'object' && !(value instanceof Date) && Object.keys(value).length === 0;
}

export function formatValue(value: TomlValue): string {
  if (typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, string>).map(([k, v]) => `${keyText(k)} = ${formatValue(v)}`);
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  // stringify formats one value as `v = <value>`: take the value part.
  return stringify({ v: value }).trim().replace(/^v = /, '');
}

function keyText(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

/** Where to insert a key into `table`: after its last value line (or its header). */
function insertionPoint(info: readonly LineInfo[], table: string): { line: number; indent: string } | null {
  let header = -1;
  let last = -1;
  let indent = '';
  for (let i = 0; i < info.length; i++) {
    const line = info[i]!;
    if (line.table !== table) continue;
    if (line.kind === 'header') { header = i; last = i; }
    if (line.kind === 'key') { last = i; indent = line.indent; }
    if (line.kind === 'continuation') last = i;
  }
  return header < 0 ? null : { line: last, indent };
}

function replaceEmptyValue(lines: string[], info: readonly LineInfo[], table: string, key: string, value: string): boolean {
  for (let i = 0; i < info.length; i++) {
    const line = info[i]!;
    if (line.table !== table || line.kind !== 'key' || line.key !== key) continue;
    if (info[i + 1]?.kind === 'continuation') return false; // a multi-line empty value: leave it to the user
    const m = /^(\s*[^=]+?\s*=\s*)(""|''|\[\s*\]|\{\s*\})(\s*(?:#.*)?)$/.exec(lines[i]!);
    if (!m) return false;
    lines[i] = `${m[1]}${value}${m[3]}`;
    return true;
  }
  return false;
}

/** Which table each line belongs to, and which lines continue a multi-line value. */
function scan(lines: readonly string[]): LineInfo[] {
  const out: LineInfo[] = [];
  let table: string | null = '';
  let depth = 0; // open [ of a multi-line array
  let inString: '"""' | "'''" | null = null;
  for (const raw of lines) {
    const indent = /^\s*/.exec(raw)![0];
    if (inString || depth > 0) {
      const state = track(raw, inString, depth);
      inString = state.inString;
      depth = state.depth;
      out.push({ table, kind: 'continuation', indent });
      continue;
    }
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) { out.push({ table, kind: 'other', indent }); continue; }
    const arrayHeader = /^\[\[\s*(.+?)\s*\]\]/.exec(trimmed);
    if (arrayHeader) { table = null; out.push({ table, kind: 'other', indent }); continue; }
    const header = /^\[\s*(.+?)\s*\]/.exec(trimmed);
    if (header) {
      table = splitKey(header[1]!).join('.');
      out.push({ table, kind: 'header', indent });
      continue;
    }
    const key = /^((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=/.exec(trimmed);
    out.push({ table, kind: key ? 'key' : 'other', key: key ? splitKey(key[1]!).join('.') : undefined, indent });
    if (key) {
      const state = track(trimmed.slice(key[0].length), null, 0);
      inString = state.inString;
      depth = state.depth;
    }
  }
  return out;
}

/** Follows strings, comments and brackets through one line of a value. */
function track(text: string, inString: '"""' | "'''" | null, depth: number): { inString: '"""' | "'''" | null; depth: number } {
  for (let i = 0; i < text.length; i++) {
    if (inString) {
      if (inString === '"""' && text[i] === '\\') { i++; continue; }
      if (text.startsWith(inString, i)) { inString = null; i += 2; }
      continue;
    }
    const c = text[i]!;
    if (c === '#') break;
    if (text.startsWith('"""', i) || text.startsWith("'''", i)) { inString = text.slice(i, i + 3) as '"""' | "'''"; i += 2; continue; }
    if (c === '"' || c === "'") {
      const end = c === '"' ? findClosingQuote(text, i) : text.indexOf("'", i + 1);
      i = end < 0 ? text.length : end;
      continue;
    }
    if (c === '[' || c === '{') depth++;
    if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
  }
  return { inString, depth };
}

function findClosingQuote(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') { i++; continue; }
    if (text[i] === '"') return i;
  }
  return -1;
}

function splitKey(key: string): string[] {
  const parts: string[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(?:\.|$)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(key)) !== null && m[0] !== '') parts.push(m[1] ?? m[2] ?? m[3]!);
  return parts;
}

function lookup(doc: Record<string, unknown>, path: readonly string[]): unknown {
  let node: unknown = doc;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function setIn(doc: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = doc;
  for (const key of path.slice(0, -1)) {
    if (node[key] === undefined) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/** Plain objects with sorted keys (smol-toml's tables have no prototype; key order is the text's). */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = canonical((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}
