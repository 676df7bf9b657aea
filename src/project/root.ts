import { realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { notInProject } from '../errors.js';

export const CONFIG_FILE = 'jmake.toml';

/**
 * The project root is the nearest folder, from `start` upward, that holds jmake.toml.
 * Returned as a real path so that every client names the same project the same way
 * (the socket name is a hash of it).
 */
export function findProjectRoot(start: string): string {
  const origin = resolve(start);
  let dir = origin;
  for (;;) {
    if (isFile(join(dir, CONFIG_FILE))) return realpathSync.native(dir); // one realpath(3), as the native client's
    const parent = dirname(dir);
    if (parent === dir) throw notInProject(origin);
    dir = parent;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false; // no Error built for the usual miss
  } catch {
    return false;
  }
}
