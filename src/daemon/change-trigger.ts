/**
 * Build on change: once a user has asked for a build, an edit to something a job reads starts the
 * next incremental build at once, with the same parameters, so that by the time the user asks again
 * the compiler has already run (a one-file edit then costs what the client's round trip costs).
 *
 * Only a requested build arms it (a cloned project's jmake.toml runs nothing until its user builds),
 * only in this daemon's life (a restart disarms it), and `[daemon] build_on_change = false` turns it
 * off. Changes to jmake.toml do not trigger it (a config edit is applied by the next requested build),
 * except while a `jmake watch` is attached, which also turns it on whatever the setting says.
 */
import type { JmakeEvent } from '../../events/types.js';
import type { BuildParams } from '../protocol/messages.js';

/** Sources and headers: adding or removing one may change the plan. */
const BUILD_FILE = /\.(c|cc|cpp|cxx|c\+\+|C|m|mm|h|hh|hpp|hxx|h\+\+|inc|inl|ipp|tpp|tcc)$/;

/** The parameters a change build reuses: what to build, not how the last request wanted it shown. */
export function changeBuildParams(request: BuildParams): BuildParams {
  return { targets: request.targets, profile: request.profile, jobs: request.jobs, keepGoing: request.keepGoing, env: request.env, path: request.path };
}

/**
 * The changes in these events that should start a build: an input of some job changed, or a
 * source or header came or went. jmake.toml counts only with `includeConfig` (while a watcher is
 * attached: it asked for every change to be built, the config included).
 */
export function buildChanges(
  events: readonly JmakeEvent[], isInput: (path: string) => boolean, configPath: string, includeConfig = false,
): { seq: number; paths: string[] } {
  let seq = 0;
  const paths: string[] = [];
  for (const event of events) {
    if (event.type !== 'file-changed' && event.type !== 'file-added' && event.type !== 'file-removed') continue;
    const path = event.data.path;
    const counts = path === configPath
      ? includeConfig
      : event.type === 'file-changed' ? isInput(path) : BUILD_FILE.test(path) || isInput(path);
    if (!counts) continue;
    seq = event.seq;
    paths.push(path);
  }
  return { seq, paths };
}

/**
 * Debounces change builds: events within `delayMs` of the first start one build, and a change build
 * already waiting in the queue absorbs any later ones (its survey sees them all). The builder skips
 * a queued change build when the build before it already saw `latest`.
 */
export class ChangeTrigger {
  private timer: { kind: 'timeout'; handle: NodeJS.Timeout } | { kind: 'immediate'; handle: NodeJS.Immediate } | null = null;
  private armedWith: BuildParams | null = null;
  private closed = false;
  /** The seq of the last change that should be built. */
  latest = 0;

  constructor(private readonly options: {
    readonly delayMs: number;
    readonly enabled: () => boolean;
    /** Queue a change build with these parameters (unless one is already waiting). */
    readonly start: (params: BuildParams) => void;
  }) {}

  /** A user asked for this build: later changes rebuild the same targets, profile and environment. */
  arm(request: BuildParams): void {
    if (request.dryRun) return;
    this.armedWith = changeBuildParams(request);
    this.cancelPending();
  }

  /** The parameters of the last requested build (what a change build or a compdb refresh reuses). */
  get lastRequest(): BuildParams | null {
    return this.armedWith;
  }

  get armed(): boolean {
    return this.armedWith !== null && this.options.enabled();
  }

  /** `seq`: from `buildChanges` (0: nothing to build). */
  notice(seq: number): void {
    if (seq === 0) return;
    this.latest = Math.max(this.latest, seq);
    if (this.closed || this.timer || !this.armed) return;
    const fire = () => {
      this.timer = null;
      if (this.armed && !this.closed) this.options.start(this.armedWith!);
    };
    // No debounce: right after the events' own turn of the loop. A 0 ms timeout is 1 ms at least,
    // and waits for the next timers phase on top (~1.4 ms an edit, traced).
    this.timer = this.options.delayMs > 0
      ? { kind: 'timeout', handle: setTimeout(fire, this.options.delayMs) }
      : { kind: 'immediate', handle: setImmediate(fire) };
  }

  /** A requested build is about to run: it covers whatever the pending timer would have built. */
  cancelPending(): void {
    if (this.timer?.kind === 'timeout') clearTimeout(this.timer.handle);
    else if (this.timer?.kind === 'immediate') clearImmediate(this.timer.handle);
    this.timer = null;
  }

  close(): void {
    this.closed = true;
    this.cancelPending();
  }
}
