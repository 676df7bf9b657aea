/**
 * The installed package's root folder (where package.json is), found from this module's URL. Code
 * that locates files of the package (the daemon entry, package.json) goes through here, so it also
 * works from the bundled client (dist/client.js), which lives at another depth than the sources.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(from: string): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bin', 'run.cjs'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`jmake: cannot find the package root above ${from}`);
    dir = parent;
  }
}

export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
export const DAEMON_MAIN = join(PACKAGE_ROOT, 'dist', 'src', 'daemon', 'main.js');
