/**
 * Make-style depfiles as gcc and clang write them with -MD -MF:
 *
 *   build/obj/app/src/main.cpp.o: src/main.cpp src/greet.h \
 *     /usr/include/stdio.h
 *
 * Pure. Handles line continuations, escaped spaces (`\ `), `$$` and several targets. The
 * prerequisites are returned normalised (`a/../b.h` is `b.h`), relative to the root when inside it.
 */
import { isAbsolute, normalize, relative, resolve, sep } from 'node:path';

export interface Depfile {
  readonly targets: readonly string[];
  readonly inputs: readonly string[];
}

export function parseDepfile(text: string): Depfile {
  const joined = text.replace(/\\\r?\n/g, ' ');
  const targets: string[] = [];
  const inputs: string[] = [];
  for (const line of joined.split(/\r?\n/)) {
    const words = splitWords(line);
    const colon = words.findIndex((w) => w.endsWith(':'));
    if (colon < 0) continue;
    for (const t of words.slice(0, colon + 1)) {
      const name = t.endsWith(':') ? t.slice(0, -1) : t;
      if (name) targets.push(name);
    }
    for (const w of words.slice(colon + 1)) if (w) inputs.push(w);
  }
  return { targets, inputs: [...new Set(inputs)] };
}

function splitWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && (line[i + 1] === ' ' || line[i + 1] === '#' || line[i + 1] === '\\')) { word += line[++i]; continue; }
    if (c === '$' && line[i + 1] === '$') { word += '$'; i++; continue; }
    if (c === ' ' || c === '\t') { if (word) words.push(word); word = ''; continue; }
    word += c;
  }
  if (word) words.push(word);
  return words;
}

/** Inside the root: a relative path with `/`; outside: absolute. `..` segments are resolved. */
export function normalizeDepPath(path: string, root: string): string {
  const abs = isAbsolute(path) ? normalize(path) : resolve(root, path);
  const rel = relative(root, abs);
  // `..gen/x.h` is a folder named `..gen` inside the root; only a `..` segment leaves it.
  const outside = rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
  return outside ? abs : rel.split('\\').join('/');
}
