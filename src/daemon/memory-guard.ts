/**
 * `[daemon] max_memory_mb`: the daemon restarts itself when its resident memory exceeds the limit,
 * once no build runs; its state comes back from the log and the snapshot, so nothing is lost and
 * watchers reattach by themselves. A limit below what the daemon needs right after it started
 * would restart it forever, so a first reading over the limit turns the guard off (and says so).
 * Before a restart it collects garbage fully and lets the next reading decide: V8 and malloc give
 * pages back within seconds of a full collection, and memory they give back is no reason to
 * replay the log.
 */
export interface MemoryGuardDeps {
  /** The limit now (the config may change), in MiB; 0: off. */
  limitMb(): number;
  /** Resident memory, in MiB. */
  rssMb(): number;
  busy(): boolean;
  restart(reason: string): void;
  log(message: string): void;
  /** A full garbage collection before a restart is judged again (absent: none, restart at once). */
  collect?(): void;
}

export type MemoryVerdict = 'ok' | 'over-at-start' | 'wait-for-idle' | 'restart';

/** Pure: what one check decides. `first`: the first reading of this daemon's life under this limit. */
export function judgeMemory(rssMb: number, limitMb: number, first: boolean, busy: boolean): MemoryVerdict {
  if (limitMb <= 0 || rssMb <= limitMb) return 'ok';
  if (first) return 'over-at-start';
  return busy ? 'wait-for-idle' : 'restart';
}

export class MemoryGuard {
  private timer: NodeJS.Timeout | null = null;
  /** The limit the first reading was taken under (a new limit gets a new first reading). */
  private checkedLimit: number | null = null;
  private disabledFor: number | null = null;
  private done = false;
  /** The last reading was over the limit and a full collection followed: this one decides. */
  private collected = false;

  constructor(private readonly deps: MemoryGuardDeps, private readonly intervalMs: number) {}

  start(): void {
    this.timer = setInterval(() => this.check(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  check(): void {
    const limit = this.deps.limitMb();
    if (this.done || limit <= 0 || limit === this.disabledFor) return;
    const rss = this.deps.rssMb();
    const verdict = judgeMemory(rss, limit, this.checkedLimit !== limit, this.deps.busy());
    this.checkedLimit = limit;
    if (verdict === 'ok') this.collected = false;
    if (verdict === 'over-at-start') {
      this.disabledFor = limit;
      this.deps.log(`max_memory_mb = ${limit} is below what the daemon uses from the start (${Math.round(rss)} MiB): not restarting for it`);
    } else if (verdict === 'restart') {
      if (this.deps.collect && !this.collected) {
        this.collected = true;
        this.deps.collect();
        this.deps.log(`resident memory ${Math.round(rss)} MiB > max_memory_mb ${limit}: collected garbage fully; restarting at the next check if it is still over`);
        return;
      }
      this.done = true;
      this.stop();
      this.deps.restart(`resident memory ${Math.round(rss)} MiB > max_memory_mb ${limit}`);
    }
  }
}
