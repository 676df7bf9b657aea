/**
 * Exactly one daemon per project. The lock is an abstract-namespace Unix socket named by the
 * project id (daemon/runtime-dir.ts): bind(2) on it is atomic, so of ten daemons started at once
 * exactly one gets it, and the kernel drops it when the holder dies, even by kill -9, so a stale
 * lock cannot exist. Only the holder may (re)create the project's socket file.
 */
import { createServer, type Server } from 'node:net';
import { isErrno } from '../errors.js';

export interface DaemonLock {
  release(): Promise<void>;
}

/** Resolves to the lock, or null when another live process holds it. */
export function acquireLock(address: string): Promise<DaemonLock | null> {
  if (process.platform !== 'linux') {
    return Promise.reject(new Error('jmake daemons need Linux (the project lock is an abstract Unix socket)'));
  }
  return new Promise((resolve, reject) => {
    const server: Server = createServer((socket) => socket.destroy());
    server.once('error', (err) => {
      if (isErrno(err, 'EADDRINUSE')) resolve(null); else reject(err);
    });
    server.listen({ path: address, exclusive: true }, () => {
      server.unref();
      resolve({ release: () => new Promise((done) => server.close(() => done())) });
    });
  });
}
