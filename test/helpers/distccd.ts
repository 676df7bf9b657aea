/**
 * A real distccd for a test: on 127.0.0.1 (or inside a network namespace), its own port, its log
 * captured from stderr (as root distccd drops to its own user, which could not write a log file in
 * the test's folders), stopped at the end.
 */
import { createServer, connect } from 'node:net';
import { execa, type ResultPromise } from 'execa';
import { waitFor } from './wait.js';

export interface Distccd {
  readonly port: number;
  /** Everything distccd printed so far. */
  log(): string;
  /** Compiles it finished (COMPILE_OK lines of its log). */
  compilesOk(): number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startDistccd(options: { listen?: string; allow?: string; netns?: string; port?: number } = {}): Promise<Distccd> {
  const listen = options.listen ?? '127.0.0.1';
  const port = options.port ?? await freePort();
  const args = ['--daemon', '--no-detach', '--port', String(port), '--listen', listen, '--allow', options.allow ?? listen,
    '--log-stderr', '--log-level', 'info', '--jobs', '4'];
  const command = options.netns ? ['ip', 'netns', 'exec', options.netns, 'distccd', ...args] : ['distccd', ...args];
  let text = '';
  const child: ResultPromise = execa(command[0]!, command.slice(1), { reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'pipe' });
  child.stderr!.on('data', (chunk: Buffer) => { text += chunk.toString(); });
  await waitFor(() => reachable(listen, port), { what: `distccd on ${listen}:${port}${options.netns ? ` in ${options.netns}` : ''}`, timeoutMs: 10_000 });
  return {
    port,
    log: () => text,
    compilesOk: () => (text.match(/COMPILE_OK/g) ?? []).length,
    async stop() {
      child.kill('SIGTERM');
      await child;
    },
  };
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port }, () => { socket.end(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}
