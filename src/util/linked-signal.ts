/**
 * A signal that aborts when any of `signals` does, without `AbortSignal.any`: on Node 20 a signal
 * made by `AbortSignal.any` is never collected once a listener was added to it (nodejs/node#54614,
 * #55328), and a build adds listeners to its signal for every job, so each build leaked what those
 * listeners held (the soak benchmark saw the daemon grow ~100 KB a build). `dispose()` unhooks the
 * link from the sources once the work is over.
 */
export interface LinkedSignal {
  /** Made on first read (an AbortController costs ~30 us cold here, and a no-op build only asks `aborted`). */
  readonly signal: AbortSignal;
  /** Whether it is aborted, without making the signal. */
  readonly aborted: boolean;
  /** Abort the linked signal itself (its sources are left alone). */
  abort(reason?: unknown): void;
  dispose(): void;
}

/** What a linked signal follows: a signal, or another linked signal (whose signal it makes only when it makes its own). */
export type Abortable = AbortSignal | LinkedSignal;

export function linkedSignal(signals: readonly Abortable[]): LinkedSignal {
  return new LazyLinkedSignal(signals);
}

/** The signal of `source`, made if it is a linked signal that has none yet. */
export function signalOf(source: Abortable): AbortSignal {
  return source instanceof AbortSignal ? source : source.signal;
}

class LazyLinkedSignal implements LinkedSignal {
  private controller: AbortController | null = null;
  /** Aborted by `abort()` before the signal was made: the reason it is made with. */
  private own: { readonly reason: unknown } | null = null;
  private listening = false;
  /** After `dispose`, the sources no longer count. */
  private disposed = false;
  private readonly onAbort = (event: Event) => {
    this.dispose();
    this.controller!.abort((event.target as AbortSignal).reason);
  };

  constructor(private readonly sources: readonly Abortable[]) {}

  get aborted(): boolean {
    if (this.controller) return this.controller.signal.aborted;
    return this.own !== null || (!this.disposed && this.sources.some((s) => s.aborted));
  }

  get signal(): AbortSignal {
    if (this.controller) return this.controller.signal;
    const controller = (this.controller = new AbortController());
    const source = (this.own || this.disposed) ? undefined : this.sources.find((s) => s.aborted);
    if (this.own) {
      controller.abort(this.own.reason);
    } else if (source) {
      controller.abort(signalOf(source).reason);
    } else if (!this.disposed) {
      for (const s of this.sources) signalOf(s).addEventListener('abort', this.onAbort, { once: true });
      this.listening = true;
    }
    return controller.signal;
  }

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.dispose();
    if (this.controller) this.controller.abort(reason);
    else this.own = { reason };
  }

  dispose(): void {
    this.disposed = true;
    if (!this.listening) return;
    this.listening = false;
    for (const s of this.sources) signalOf(s).removeEventListener('abort', this.onAbort);
  }
}
