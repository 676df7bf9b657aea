/**
 * A signal that aborts when any of `signals` does, without `AbortSignal.any`: on Node 20 a signal
 * made by `AbortSignal.any` is never collected once a listener was added to it (nodejs/node#54614,
 * #55328), and a build adds listeners to its signal for every job, so each build leaked what those
 * listeners held (the soak benchmark saw the daemon grow ~100 KB a build). `dispose()` unhooks the
 * link from the sources once the work is over.
 */
export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** Abort the linked signal itself (its sources are left alone). */
  abort(reason?: unknown): void;
  dispose(): void;
}

export function linkedSignal(signals: readonly AbortSignal[]): LinkedSignal {
  const controller = new AbortController();
  const already = signals.find((s) => s.aborted);
  if (already) {
    controller.abort(already.reason);
    return { signal: controller.signal, abort: () => undefined, dispose: () => undefined };
  }
  const onAbort = (event: Event) => {
    dispose();
    controller.abort((event.target as AbortSignal).reason);
  };
  const dispose = () => { for (const s of signals) s.removeEventListener('abort', onAbort); };
  for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
  return { signal: controller.signal, abort: (reason) => { dispose(); controller.abort(reason); }, dispose };
}
