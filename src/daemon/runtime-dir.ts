/**
 * Where sockets live. A per-user directory, mode 0700, whose owner is checked:
 * `$XDG_RUNTIME_DIR/jmake/`, else `<tmpdir>/jmake-<uid>/`. Sockets are named by a hash of the
 * project's real path so the path stays under the kernel's 108-byte limit (Node truncates a
 * longer path silently, which would make two projects share a socket).
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JmakeError, isErrno } from '../errors.js';
import { privateFolderProblem } from '../util/private-folder.js';

/** sun_path is 108 bytes including the terminating NUL. */
export const MAX_SOCKET_PATH_BYTES = 107;

export function projectId(realRoot: string): string {
  return createHash('sha256').update(realRoot).digest('hex').slice(0, 20);
}

export function uid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : 0;
}

export function runtimeDirCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const candidates: string[] = [];
  if (env.XDG_RUNTIME_DIR) candidates.push(join(env.XDG_RUNTIME_DIR, 'jmake'));
  candidates.push(join(tmpdir(), `jmake-${uid()}`));
  return candidates;
}

/**
 * The first candidate we can create or that already is a private directory of ours.
 * A directory owned by someone else, a symlink, or one with group/other bits is refused:
 * another user could otherwise plant a socket that our clients would talk to.
 */
export function ensureRuntimeDir(env: NodeJS.ProcessEnv = process.env): string {
  const problems: string[] = [];
  for (const dir of runtimeDirCandidates(env)) {
    const problem = checkPrivateDir(dir);
    if (problem === null) return dir;
    problems.push(problem);
  }
  throw new JmakeError('unsafe-runtime-dir', `no private socket directory: ${problems.join('; ')}`, 1,
    'remove the directory or fix its owner and mode (0700)');
}

export function checkPrivateDir(dir: string): string | null {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    if (!isErrno(err, 'EEXIST')) return `${dir}: ${(err as Error).message}`;
  }
  return privateFolderProblem(dir, uid());
}

export function socketPathFor(runtimeDir: string, id: string): string {
  const path = join(runtimeDir, `${id}.sock`);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new JmakeError('socket-path-too-long',
      `socket path ${path} is ${Buffer.byteLength(path)} bytes; Unix sockets allow ${MAX_SOCKET_PATH_BYTES}`, 1,
      'set XDG_RUNTIME_DIR or TMPDIR to a shorter directory');
  }
  return path;
}

/** Registry entry for `jmake daemon list`, next to the socket. */
export function registryPathFor(runtimeDir: string, id: string): string {
  return join(runtimeDir, `${id}.json`);
}

/**
 * The daemon lock: an abstract-namespace Unix socket (Linux). Binding it is atomic and the
 * kernel releases it when the process dies, however it dies, so there is no stale lock to clean.
 */
export function lockAddress(id: string): string {
  return `\0jmake-lock-${uid()}-${id}`;
}
