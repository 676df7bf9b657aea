/**
 * A minor garbage collection when the daemon goes idle after a build, so that the next edit's work
 * starts with an empty young generation instead of stopping for a scavenge somewhere between the
 * save and the compiler, or between the linker's exit and the reply. Traced at 10k sources with
 * V8's defaults: several scavenges an edit, 1–15 ms each. The daemon also starts with a bigger
 * young generation (DAEMON_NODE_FLAGS), so one edit's garbage fits in it.
 *
 * Needs `gc`, which `node --expose-gc` provides (spawnDaemon starts the daemon so); a daemon started
 * without it schedules nothing.
 */

/** Node flags the daemon is started with (client/spawn.ts). */
export const DAEMON_NODE_FLAGS: readonly string[] = ['--expose-gc', '--min-semi-space-size=16'];

/** Quiet time after a build before collecting: the client's exit (~7 ms) is over by then. */
const IDLE_DELAY_MS = 20;

export type Collect = () => void;

/** A collection of that type through the exposed `gc`, or null when the process was started without it. */
export function collector(type: 'minor' | 'major'): Collect | null {
  const gc = (globalThis as { gc?: (options?: { type?: 'minor' | 'major' }) => void }).gc;
  if (typeof gc !== 'function') return null;
  // A full one is `gc()` without options: with `{ type: 'major' }` Node 20's V8 (11.3) leaves the
  // garbage unswept, and heapUsed still counts it (measured: 29 -> 28 MiB against 29 -> 3 MiB).
  return type === 'minor' ? () => gc({ type: 'minor' }) : () => gc();
}

export const minorCollector = (): Collect | null => collector('minor');

export class IdleCollector {
  private timer: NodeJS.Timeout | null = null;
  /** Collections done (the tests read it; the daemon logs each one instead). */
  collections = 0;

  /** `collected(ms)`: told after each collection how long it took (the daemon logs it). */
  constructor(
    private readonly collect: Collect | null,
    private readonly busy: () => boolean,
    private readonly collected: (ms: number) => void = () => undefined,
    private readonly delayMs = IDLE_DELAY_MS,
  ) {}

  /** The last build ended: collect after a short quiet time, unless another one started meanwhile. */
  idle(): void {
    if (this.collect === null || this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.busy()) return;
      const started = performance.now();
      this.collect!();
      this.collections++;
      this.collected(performance.now() - started);
    }, this.delayMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
