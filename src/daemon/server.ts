/**
 * Request dispatch: one handler per method (handlers/), looked up in a table. Per connection it
 * enforces hello-first and version compatibility; per request it checks params, runs the handler,
 * and sends exactly one final reply. A handler that throws produces an error reply; it never takes
 * the daemon down.
 */
import { JmakeError } from '../errors.js';
import type { Peer, TransportEvents } from '../ipc/transport.js';
import { GUARDS } from '../protocol/guards.js';
import { isMethod, type Method, type Params, type Progress, type RequestFrame, type Result, type WireError } from '../protocol/messages.js';
import type { DaemonContext } from './context.js';
import { HANDLERS } from './handlers/index.js';
import { linkedSignal, type LinkedSignal } from '../util/linked-signal.js';

export interface RequestContext<M extends Method> {
  readonly daemon: DaemonContext;
  readonly peer: PeerSession;
  readonly rid: number;
  /** Aborted when the client goes away or the daemon stops; made when first read. */
  readonly signal: AbortSignal;
  /** The same cancellation, for asking `aborted` without making the signal (a no-op build needs none). */
  readonly cancel: LinkedSignal;
  progress(progress: Progress<M>): void;
}

export type Handler<M extends Method> = (params: Params<M>, request: RequestContext<M>) => Promise<Result<M>> | Result<M>;

export interface PeerSession {
  readonly id: number;
  hello: { readonly compatible: boolean; readonly client: string } | null;
  readonly inflight: Map<number, { method: Method; cancel: LinkedSignal; long: boolean }>;
  /** The peer sent a frame we refused: close once the replies it is still owed are out. */
  endWhenIdle: boolean;
}

/** Requests whose work a client's FIN cancels (the rest are answered before the connection ends). */
const CANCEL_ON_END: ReadonlySet<Method> = new Set(['build', 'complete', 'cli']);

export class RequestServer implements TransportEvents {
  private readonly sessions = new Map<number, PeerSession>();
  private stopping = false;

  constructor(private readonly daemon: DaemonContext, private readonly onActivity: (connections: number) => void) {}

  get connections(): number { return this.sessions.size; }

  /** Requests in progress on other connections, ignoring long-lived subscriptions. */
  busy(exceptPeer?: number): boolean {
    for (const session of this.sessions.values()) {
      if (session.id === exceptPeer) continue;
      for (const entry of session.inflight.values()) if (!entry.long) return true;
    }
    return false;
  }

  /** Fail every open request with daemon-stopping (subscriptions end this way). */
  stopAll(): void {
    this.stopping = true;
    for (const session of this.sessions.values()) {
      for (const entry of session.inflight.values()) entry.cancel.abort(new JmakeError('daemon-stopping', 'the daemon is stopping'));
    }
  }

  onRequest(peer: Peer, request: RequestFrame): void {
    const session = this.session(peer);
    const started = process.hrtime.bigint();
    const label = requestLabel(request);
    const fail = (error: WireError) => {
      this.daemon.logger.flush?.(); // what led to the answer is in the log before it goes out
      peer.reply({ rid: request.rid, ok: false, error });
      this.daemon.logger.log('request', `#${peer.id} ${label} rid=${request.rid} -> ${error.code}: ${error.message}`);
    };
    if (!isMethod(request.method)) return fail({ code: 'unknown-method', message: `unknown method ${JSON.stringify(request.method)}` });
    const method = request.method;
    if (method !== 'hello' && session.hello === null) return fail({ code: 'hello-required', message: 'send hello first' });
    if (session.hello && !session.hello.compatible && method !== 'hello' && method !== 'shutdown') {
      return fail({ code: 'version-mismatch', message: `this daemon is jmake ${this.daemon.identity.version}; only shutdown is accepted` });
    }
    if (this.stopping && method !== 'hello') return fail({ code: 'daemon-stopping', message: 'the daemon is stopping' });
    if (session.inflight.has(request.rid)) return fail({ code: 'bad-params', message: `rid ${request.rid} is already in use` });
    const guard = GUARDS[method] as (raw: Record<string, unknown>) => { ok: true; params: unknown } | { ok: false; message: string };
    const checked = guard(request.params as Record<string, unknown>);
    if (!checked.ok) return fail({ code: 'bad-params', message: `${method}: ${checked.message}` });
    // An AbortController only for a request that reads its signal (~30 us cold on Node 20).
    const cancel = linkedSignal([]);
    const long = method === 'watch' || (method === 'events' && (checked.params as Params<'events'>).follow === true);
    session.inflight.set(request.rid, { method, cancel, long });
    this.onActivity(this.sessions.size);
    const context: RequestContext<Method> = {
      daemon: this.daemon,
      peer: session,
      rid: request.rid,
      get signal() { return cancel.signal; },
      cancel,
      progress: (progress) => peer.progress({ rid: request.rid, progress }),
    };
    const handler = HANDLERS[method] as Handler<Method>;
    const onError = (err: unknown) => {
      if (!(err instanceof JmakeError)) this.daemon.logger.log('request', `#${peer.id} ${method} crashed: ${(err as Error)?.stack ?? String(err)}`);
      fail(toWireError(err));
    };
    const done = () => {
      session.inflight.delete(request.rid);
      if (session.endWhenIdle && session.inflight.size === 0) peer.end();
      this.onActivity(this.sessions.size);
    };
    // Called synchronously, so a handler's effect on the session (hello) is in place before the
    // next pipelined frame of the same chunk is looked at.
    let outcome: ReturnType<Handler<Method>>;
    try {
      outcome = handler(checked.params as Params<Method>, context);
    } catch (err) {
      onError(err);
      done();
      return;
    }
    const succeeded = (result: Result<Method>) => {
      this.daemon.logger.flush?.();
      peer.reply({ rid: request.rid, ok: true, result });
      this.daemon.logger.log('request', `#${peer.id} ${label} rid=${request.rid} ok ${elapsedMs(started)}`);
    };
    // An answer at hand (hello) goes out now: through a promise it would wait behind the next
    // pipelined request's handler, and then behind its first steps.
    if (!(outcome instanceof Promise)) {
      try {
        succeeded(outcome);
      } finally {
        done();
      }
      return;
    }
    outcome.then(succeeded, onError).finally(done);
  }

  onPeerClosed(peer: Peer): void {
    const session = this.sessions.get(peer.id);
    if (!session) return;
    for (const entry of session.inflight.values()) entry.cancel.abort(new JmakeError('cancelled', 'the client went away'));
    this.sessions.delete(peer.id);
    this.onActivity(this.sessions.size);
  }

  onPeerEnded(peer: Peer): void {
    const session = this.sessions.get(peer.id);
    if (!session || session.inflight.size === 0) {
      peer.end();
      return;
    }
    // Quick answers it is owed still go out. A FIN cannot be told from a client that died, so work
    // that runs on until cancelled (a build, a completion, a subscription) is cancelled, as when
    // the client goes away.
    session.endWhenIdle = true;
    for (const entry of session.inflight.values()) {
      if (entry.long || CANCEL_ON_END.has(entry.method)) entry.cancel.abort(new JmakeError('cancelled', 'the client closed its side of the connection'));
    }
  }

  onRefused(peer: Peer, error: WireError): void {
    this.daemon.logger.log('request', `#${peer.id} refused: ${error.code}: ${error.message}; closing the connection`);
    const session = this.sessions.get(peer.id);
    if (!session || session.inflight.size === 0) {
      peer.end();
      return;
    }
    // Earlier requests of this connection still get their replies; subscriptions end now.
    session.endWhenIdle = true;
    for (const entry of session.inflight.values()) {
      if (entry.long) entry.cancel.abort(new JmakeError('cancelled', 'the connection sent a bad frame'));
    }
  }

  onServerError(error: Error): void {
    this.daemon.logger.log('daemon', `socket server error: ${error.message}`);
  }

  private session(peer: Peer): PeerSession {
    let session = this.sessions.get(peer.id);
    if (!session) {
      session = { id: peer.id, hello: null, inflight: new Map(), endWhenIdle: false };
      this.sessions.set(peer.id, session);
    }
    return session;
  }
}

/** The method, and for the native client's `cli` the command it runs (`cli build`). */
function requestLabel(request: RequestFrame): string {
  const command = request.method === 'cli' ? (request.params as { command?: unknown } | undefined)?.command : undefined;
  return typeof command === 'string' && /^[a-z]{1,16}$/.test(command) ? `cli ${command}` : String(request.method);
}

function toWireError(err: unknown): WireError {
  if (err instanceof JmakeError) return err.hint ? { code: err.code, message: err.message, hint: err.hint } : { code: err.code, message: err.message };
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

function elapsedMs(start: bigint): string {
  return `${(Number(process.hrtime.bigint() - start) / 1e6).toFixed(2)}ms`;
}
