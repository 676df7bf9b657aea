/**
 * The spawner: a small helper process that starts the build's tools for the daemon when
 * jmake-spawn (native-spawn.ts, which the daemon drives directly) cannot be built or died.
 *
 * Why: on Linux, spawning a child blocks the spawning process's event loop for the fork, and the
 * cost grows with its memory (measured here: 6.7 ms at 45 MB RSS, 15.5 ms at 232 MB, 26.7 ms at
 * 764 MB; nodejs/node#14917). The daemon holds the state of the whole tree, so it delegates each
 * spawn to this process, which holds nothing, over the IPC channel of child_process.fork. It is
 * forked on first use: with jmake-spawn working, it never starts.
 *
 * Messages (JSON): daemon -> spawner `{type: 'run', id, spec}` and `{type: 'cancel', id}`;
 * spawner -> daemon `{type: 'done', id, result}`. The spawner exits when the channel closes, so it
 * never outlives its daemon. Its one argument, when given, is the folder for its tools' output files.
 */
import { ProcessRunner, type RunResult, type RunSpec } from './runner.js';

type Inbound = { type: 'run'; id: number; spec: RunSpec } | { type: 'cancel'; id: number };

// Tools start through jmake-spawn (posix_spawn) when it can be built; the reason when not goes to the
// daemon's log (this process's stderr is the daemon's).
const runner = new ProcessRunner({
  tempDir: process.argv[2],
  native: { env: process.env, log: (message) => process.stderr.write(`${new Date().toISOString()} [job] ${message}\n`) },
});
const running = new Map<number, AbortController>();

process.on('message', (message: Inbound) => {
  if (message.type === 'cancel') {
    running.get(message.id)?.abort();
    return;
  }
  const controller = new AbortController();
  running.set(message.id, controller);
  runner.run(message.spec, controller.signal).then(
    (result) => reply(message.id, result),
    (err: unknown) => reply(message.id, {
      exitCode: null, signal: null, output: `jmake spawner: ${(err as Error)?.message ?? String(err)}\n`, durationMs: 0, spawnError: 'ESPAWNER', cancelled: false,
    }),
  );
});

function reply(id: number, result: RunResult): void {
  running.delete(id);
  process.send?.({ type: 'done', id, result });
}

process.on('disconnect', () => {
  for (const controller of running.values()) controller.abort();
  void runner.close();
  setTimeout(() => process.exit(0), 2500).unref();
});
