/**
 * A CommandRunner that runs each command through the spawner process (spawner.ts), so the
 * daemon's event loop never blocks on a fork. The spawner is started on first use and again if it
 * dies; the jobs it was running then fail with a message saying so.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import type { CommandRunner, RunResult, RunSpec } from './runner.js';

interface Pending {
  resolve(result: RunResult): void;
}

export class SpawnerRunner implements CommandRunner {
  private child: ChildProcess | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  /** `tempDir`: where the spawner makes the folder for its tools' output files (ProcessRunnerOptions). */
  constructor(private readonly log: (message: string) => void, private readonly tempDir?: string) {}

  /** (`exited` is not told apart from the end here: the caller frees the slot when the result comes.) */
  run(spec: RunSpec, signal: AbortSignal): Promise<RunResult> {
    const child = this.spawner();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve });
      const onAbort = () => child.connected && child.send({ type: 'cancel', id });
      signal.addEventListener('abort', onAbort, { once: true });
      const settle = this.pending.get(id)!;
      settle.resolve = (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      };
      child.send({ type: 'run', id, spec: { ...spec, env: { ...spec.env } } });
      if (signal.aborted) onAbort();
    });
  }

  close(): void {
    this.child?.disconnect();
    this.child = null;
  }

  private spawner(): ChildProcess {
    if (this.child && this.child.connected) return this.child;
    const child = fork(join(packageRoot(), 'dist', 'src', 'scheduler', 'spawner.js'), this.tempDir === undefined ? [] : [this.tempDir], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'json',
    });
    child.on('message', (message: { type: 'done'; id: number; result: RunResult }) => {
      const entry = this.pending.get(message.id);
      this.pending.delete(message.id);
      entry?.resolve(message.result);
    });
    child.on('exit', (code, sig) => {
      if (this.child === child) this.child = null;
      if (this.pending.size > 0) this.log(`spawner exited (${sig ?? code}) with ${this.pending.size} jobs running`);
      for (const [id, entry] of this.pending) {
        this.pending.delete(id);
        entry.resolve({ exitCode: null, signal: null, output: 'jmake: the spawner process died while this job ran\n', durationMs: 0, spawnError: 'ESPAWNER', cancelled: false });
      }
    });
    this.child = child;
    return child;
  }
}
