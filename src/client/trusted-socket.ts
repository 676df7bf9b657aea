/**
 * Whether the socket a `.jmake/daemon.json` names may be talked to: a socket of this user, in a
 * folder of this user that nobody else may write to (the daemon's runtime folder is 0700,
 * src/daemon/runtime-dir.ts; both check with util/private-folder.ts). Clients send their
 * environment; a daemon.json planted in a shared project must not point them at someone else's
 * socket. The native client checks the same
 * (src/client/native/jmake-client.c). Kept apart from runtime-dir.ts, which loads node:crypto, a
 * cost the hot client path does not pay.
 */
import { lstatSync } from 'node:fs';
import { dirname } from 'node:path';
import { privateFolderProblem } from '../util/private-folder.js';

/** null when safe, else why not. */
export function untrustedSocket(path: string, uid: number = process.getuid?.() ?? 0): string | null {
  try {
    const socket = lstatSync(path);
    if (!socket.isSocket() || socket.uid !== uid) return `${path} is not a socket of uid ${uid}`;
    return privateFolderProblem(dirname(path), uid);
  } catch (err) {
    return (err as Error).message;
  }
}
