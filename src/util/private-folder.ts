/**
 * Whether a folder is private to a user: a real folder (not a link to one), theirs, with no group
 * or other permissions. What the daemon requires of its socket folder (daemon/runtime-dir.ts) and
 * what clients require of the folder of a socket they are pointed at (client/trusted-socket.ts).
 * node:fs only: the client's hot path loads it.
 */
import { lstatSync } from 'node:fs';

/** null when private, else why not. */
export function privateFolderProblem(dir: string, uid: number): string | null {
  let st;
  try {
    st = lstatSync(dir);
  } catch (err) {
    return `${dir}: ${(err as Error).message}`;
  }
  if (!st.isDirectory()) return `${dir} is not a directory (or is a symlink)`;
  if (st.uid !== uid) return `${dir} is owned by uid ${st.uid}, not ${uid}`;
  if ((st.mode & 0o077) !== 0) return `${dir} has mode ${(st.mode & 0o777).toString(8)}, expected 700`;
  return null;
}
