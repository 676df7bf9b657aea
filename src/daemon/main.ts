/**
 * The daemon process entry: `node dist/src/daemon/main.js --root <project root>`.
 * Normally spawned by a client (src/client/spawn.ts), detached, with stdout/stderr appended to
 * `.jmake/daemon.log` and fd 3 a pipe on which it reports one JSON line: `{"ready":true,...}`,
 * `{"lockHeld":true}` or `{"error":{...}}`.
 */
import { closeSync, writeSync } from 'node:fs';
import { Daemon } from './daemon.js';

function report(message: object): void {
  try {
    writeSync(3, `${JSON.stringify(message)}\n`);
    closeSync(3);
  } catch {
    // Started by hand: nobody is listening on fd 3.
  }
}

function parseRoot(argv: readonly string[]): string {
  const i = argv.indexOf('--root');
  const root = i >= 0 ? argv[i + 1] : undefined;
  if (!root) {
    process.stderr.write('usage: main.js --root <project root>\n');
    process.exit(2);
  }
  return root;
}

async function main(): Promise<void> {
  const root = parseRoot(process.argv.slice(2));
  process.chdir(root);
  process.title = 'jmake-daemon';
  let outcome;
  try {
    outcome = await Daemon.start({ root, env: process.env, versionOverride: process.env.JMAKE_TEST_DAEMON_VERSION });
  } catch (err) {
    const e = err as { code?: string; message?: string };
    report({ error: { code: e.code ?? 'daemon-start-failed', message: e.message ?? String(err) } });
    process.stderr.write(`jmake daemon failed to start: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  }
  if (outcome.kind === 'lock-held') {
    report({ lockHeld: true });
    process.exit(0);
  }
  const { daemon } = outcome;
  const stopAndExit = (reason: string, code: number) => {
    void daemon.stop(reason).finally(() => process.exit(code));
  };
  process.on('SIGTERM', () => stopAndExit('SIGTERM', 0));
  process.on('SIGINT', () => stopAndExit('SIGINT', 0));
  process.on('SIGHUP', () => { /* detached: a closing terminal is no reason to stop */ });
  // A diagnostic: collect garbage fully and log the memory before and after (docs/reliability.md).
  process.on('SIGUSR2', () => daemon.collectGarbage('SIGUSR2'));
  process.on('uncaughtException', (err) => {
    process.stderr.write(`uncaught exception: ${err.stack ?? String(err)}\n`);
    stopAndExit(`uncaught exception: ${err.message}`, 1);
  });
  process.on('unhandledRejection', (err) => {
    process.stderr.write(`unhandled rejection: ${(err as Error)?.stack ?? String(err)}\n`);
  });
  report({ ready: true, pid: process.pid, socket: daemon.identity.socket, instance: daemon.identity.instance });
  // Idle timeout, shutdown request and a removed jmake.toml end here; a restart first starts the
  // successor (the lock is released by now), which replays the log this daemon just closed.
  daemon.onStopped(() => {
    if (!daemon.restartRequested) process.exit(0);
    void startSuccessor(root).finally(() => process.exit(0));
  });
}

async function startSuccessor(root: string): Promise<void> {
  try {
    const { spawnDaemon } = await import('../client/spawn.js');
    const outcome = await spawnDaemon(root, process.env, 60_000);
    process.stderr.write(`restarted: ${outcome.kind === 'ready' ? `new daemon pid ${outcome.pid}` : 'another daemon took the project meanwhile'}\n`);
  } catch (err) {
    process.stderr.write(`restart failed: ${(err as Error).message}; the next jmake command starts a daemon\n`);
  }
}

void main();
