/**
 * The installed package's root folder (where package.json is), found from this module's URL. Code
 * that locates files of the package (the daemon entry, package.json) goes through here, so it also
 * works from the bundled client (dist/client.cjs), which lives at another depth than the sources.
 * Computed on first use: the hot client path never needs it.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

export function packageRoot(): string {
  if (root !== null) return root;
  const from = dirname(fileURLToPath(import.meta.url));
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bin', 'run.cjs'))) return (root = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`jmake: cannot find the package root above ${from}`);
    dir = parent;
  }
}

export function daemonMainPath(): string {
  return join(packageRoot(), 'dist', 'src', 'daemon', 'main.js');
}
