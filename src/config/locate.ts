/**
 * Where a key sits in jmake.toml. smol-toml reports positions only for syntax errors, so to name
 * the line of a wrong value we scan the text: table headers (`[a.b]`, `[[targets]]`), then
 * `key =` lines (bare, quoted or dotted keys) under them. Keys inside inline tables or multi-line
 * values are not found; the caller then falls back to the enclosing table's line.
 */
export interface KeyLocation {
  readonly line: number;
  readonly column: number;
}

/** Path segments: strings for keys, numbers for the index of an array of tables (`targets`, 0). */
export type KeyPath = readonly (string | number)[];

export function locateKey(text: string, path: KeyPath): KeyLocation | null {
  const want = path.map(String).join('\u0000');
  let table: string[] = [];
  const arrayCounts = new Map<string, number>();
  const lines = text.split('\n');
  let best: KeyLocation | null = null;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const column = raw.length - raw.trimStart().length + 1;
    const arrayHeader = /^\[\[\s*([^\]]+?)\s*\]\]/.exec(trimmed);
    const header = arrayHeader ? null : /^\[\s*([^\]]+?)\s*\]/.exec(trimmed);
    if (arrayHeader) {
      const name = splitKey(arrayHeader[1]!);
      const joined = name.join('.');
      const index = arrayCounts.get(joined) ?? 0;
      arrayCounts.set(joined, index + 1);
      table = [...name, String(index)];
    } else if (header) {
      table = splitKey(header[1]!);
      // A sub-table of the latest array-of-tables element, e.g. [targets.defines] after [[targets]].
      for (const [joined, count] of arrayCounts) {
        const prefix = joined.split('.');
        if (prefix.every((p, k) => table[k] === p) && table.length > prefix.length) {
          table = [...prefix, String(count - 1), ...table.slice(prefix.length)];
        }
      }
    } else {
      const m = /^((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=/.exec(trimmed);
      if (!m) continue;
      const full = [...table, ...splitKey(m[1]!)];
      if (full.join('\u0000') === want) return { line: i + 1, column };
      continue;
    }
    if (table.join('\u0000') === want) best = { line: i + 1, column };
  }
  return best;
}

/** The location of the key, or of its nearest enclosing table that is written out, or line 1. */
export function locateNearest(text: string, path: KeyPath): KeyLocation {
  for (let n = path.length; n > 0; n--) {
    const found = locateKey(text, path.slice(0, n));
    if (found) return found;
  }
  return { line: 1, column: 1 };
}

function splitKey(key: string): string[] {
  const parts: string[] = [];
  const re = /\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(?:\.|$)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(key)) !== null) {
    parts.push(m[1] ?? m[2] ?? m[3]!);
    if (re.lastIndex >= key.length) break;
  }
  return parts;
}
