/**
 * Noticing an inotify queue overflow that nobody reports.
 *
 * When more events pile up than the kernel queue holds (`fs.inotify.max_queued_events`, 16384 by
 * default), inotify drops the rest and queues one IN_Q_OVERFLOW event. libuv discards that event
 * (its watch descriptor is -1, which matches no handle), so neither Node nor chokidar ever says an
 * overflow happened, and the dropped changes, new directories included, are never seen.
 *
 * But an overflow can only happen after the queue filled, and everything in a full queue is then
 * delivered: a burst of at least `max_queued_events` raw events in a short time. So counting raw
 * events catches every overflow; what it also catches (a burst that fit) costs only a rescan.
 * Counted in two fixed buckets of `windowMs`, with half the queue as the bar, so a burst that
 * straddles a bucket edge or is delivered slowly still counts.
 */
import { readFileSync } from 'node:fs';

export const DEFAULT_QUEUE_LIMIT = 16_384;

export class BurstDetector {
  private bucketStart = 0;
  private current = 0;
  private previous = 0;

  constructor(private readonly threshold: number, private readonly windowMs = 1000) {}

  /** Count one raw event at `now`; true (once) when the burst may have overflowed the queue. */
  note(now: number): boolean {
    if (now - this.bucketStart >= this.windowMs) {
      // The bucket before this one counts only if it was the one just before.
      this.previous = now - this.bucketStart < 2 * this.windowMs ? this.current : 0;
      this.current = 0;
      this.bucketStart = now;
    }
    this.current++;
    if (this.current + this.previous < this.threshold) return false;
    this.current = 0;
    this.previous = 0;
    return true;
  }
}

/**
 * The events a burst must reach to count: half the kernel's queue. `JMAKE_TEST_INOTIFY_QUEUE`
 * stands in for the kernel's value in tests (lowering the real one is machine-wide).
 */
export function burstThreshold(env: NodeJS.ProcessEnv = process.env): { threshold: number; queueLimit: number } {
  const override = Number(env.JMAKE_TEST_INOTIFY_QUEUE);
  let queueLimit = Number.isInteger(override) && override > 0 ? override : DEFAULT_QUEUE_LIMIT;
  if (!(override > 0)) {
    try {
      const read = Number(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8').trim());
      if (Number.isInteger(read) && read > 0) queueLimit = read;
    } catch { /* not Linux, or no /proc: the default */ }
  }
  return { threshold: Math.max(1, Math.floor(queueLimit / 2)), queueLimit };
}
