/**
 * A minor garbage collection when the daemon goes idle after a build, so that the next edit's work
 * starts with an empty young generation instead of stopping for a scavenge somewhere between the
 * save and the compiler, or between the linker's exit and the reply. Traced at 10k sources with
 * V8's defaults: several scavenges an edit, 1–15 ms each. The daemon also starts with a bigger
 * young generation (node-flags.ts), so one edit's garbage fits in it.
 *
 * Needs `gc`, which `node --expose-gc` provides (spawnDaemon starts the daemon so); a daemon started
 * without it schedules nothing. Nor does a build that left the young generation nearly empty (a
 * no-op): collecting that still costs milliseconds.
 */
import { getHeapSpaceStatistics } from 'node:v8';

/** Quiet time after a build before collecting: the client's exit (~7 ms) is over by then. */
const IDLE_DELAY_MS = 20;

export type Collect = () => void;

/** A collection of that type through the exposed `gc`, or null when the process was started without it. */
export function collector(type: 'minor' | 'major'): Collect | null {
  const gc = (globalThis as { gc?: (options?: { type?: 'minor' | 'major' }) => void }).gc;
  if (typeof gc !== 'function') return null;
  // A full one is `gc()` without options: after `gc({ type: 'major' })` (any options object, in
  // fact) Node 20's V8 (11.3) still counts the garbage in heapUsed (measured: 29 -> 28 MiB against
  // 29 -> 3 MiB); lazy sweeping would explain it, not checked.
  return type === 'minor' ? () => gc({ type: 'minor' }) : () => gc();
}

export const minorCollector = (): Collect | null => collector('minor');

/**
 * Below this much in the young generation a collection is skipped: a build that ran nothing leaves
 * ~0.1 MiB there, and scavenging it still cost 0.9-9.9 ms of the daemon's time here (median 1.3
 * over 300 no-ops; an edit leaves 1.8-10 MiB). What is there then waits for the next real
 * collection, in a 16 MiB young generation.
 */
const WORTH_COLLECTING_BYTES = 1 << 20;

/** Bytes in use in V8's young generation (null when V8 does not say). */
export function youngGenerationUsed(): number | null {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_used_size ?? null;
}

export interface IdleCollectorOptions {
  /** null: the process was started without `gc`; nothing is scheduled. */
  readonly collect: Collect | null;
  /** A build runs: leave it alone. */
  readonly busy: () => boolean;
  /** Told after each collection how long it took, and what the young generation held (the daemon logs it). */
  readonly collected?: (ms: number, youngBytes: number | null) => void;
  readonly youngUsed?: () => number | null;
  readonly delayMs?: number;
}

export class IdleCollector {
  private timer: NodeJS.Timeout | null = null;
  /** Collections done (the tests read it; the daemon logs each one instead). */
  collections = 0;

  constructor(private readonly options: IdleCollectorOptions) {}

  /** The last build ended: collect after a short quiet time, unless another one started meanwhile. */
  idle(): void {
    const { collect, busy, collected, youngUsed = youngGenerationUsed, delayMs = IDLE_DELAY_MS } = this.options;
    if (collect === null || this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (busy()) return;
      const young = youngUsed();
      if (young !== null && young < WORTH_COLLECTING_BYTES) return;
      const started = performance.now();
      collect();
      this.collections++;
      collected?.(performance.now() - started, young);
    }, delayMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
