/**
 * File names that are not valid UTF-8. Node gives file names as strings, decoding each invalid byte
 * as U+FFFD, and no file has that decoded name: such a file cannot be opened, hashed or passed to
 * a compiler by jmake, and the watcher never reports it. Rather than leave it out in silence, the
 * build names it (as a warning) in the folders that hold its sources.
 */
import { readdirSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { join } from 'node:path';

/** Names (relative to the root, invalid bytes shown as \xNN) in these folders that are not valid UTF-8. */
export function undecodableNames(root: string, dirs: Iterable<string>): string[] {
  const found: string[] = [];
  for (const dir of dirs) {
    let names: Buffer[];
    try {
      names = readdirSync(join(root, dir), { encoding: 'buffer' });
    } catch {
      continue;
    }
    for (const name of names) if (!isUtf8(name)) found.push(dir === '' ? showBytes(name) : `${dir}/${showBytes(name)}`);
  }
  return found.sort();
}

/** A name as text: valid UTF-8 runs as they are, every other byte as \xNN. */
export function showBytes(name: Buffer): string {
  let out = '';
  let i = 0;
  while (i < name.length) {
    const length = sequenceLength(name, i);
    if (length > 0) {
      out += name.subarray(i, i + length).toString('utf8');
      i += length;
    } else {
      out += `\\x${name[i]!.toString(16).padStart(2, '0')}`;
      i++;
    }
  }
  return out;
}

/** The length of the valid UTF-8 sequence starting at `i`, or 0 when there is none. */
function sequenceLength(bytes: Buffer, i: number): number {
  for (const length of [1, 2, 3, 4]) {
    if (i + length <= bytes.length && isUtf8(bytes.subarray(i, i + length))) return length;
  }
  return 0;
}

/** The folders holding these files (relative paths; '' for the root), each once. */
export function foldersOf(paths: Iterable<string>): Set<string> {
  const dirs = new Set<string>();
  for (const p of paths) dirs.add(p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
  return dirs;
}

/** What the build says about one such name. */
export function undecodableWarning(name: string): string {
  return `${name}: the file name is not valid UTF-8, so jmake cannot open it and leaves it out of the build; rename it`;
}
