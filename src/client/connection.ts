/**
 * A client connection to the daemon, speaking the wire protocol of docs/protocol.md over
 * `node:net` directly. Deliberately not node-ipc's client: it retries forever by default, calls its
 * connect callback before connecting, has no replies (pub/sub only) and costs ~15 ms to load, while
 * every jmake command must fail fast, auto-start the daemon and answer in a few tens of ms. The
 * frames are exactly node-ipc's (`JSON + "\f"`), so the daemon cannot tell the difference; the
 * Python test client in test/ speaks the same protocol.
 */
import { connect, type Socket } from 'node:net';
import { JmakeError } from '../errors.js';
import { FrameSplitter, encodeFrame } from '../protocol/frames.js';
import { USAGE_ERROR_CODES, type Method, type Params, type Progress, type ReplyFrame, type Result } from '../protocol/messages.js';

/** Replies are paged by the daemon; this only guards against a runaway peer. */
const MAX_REPLY_BYTES = 16 * 1024 * 1024;

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
  onProgress?: ((progress: unknown) => void) | undefined;
}

export class DaemonConnection {
  private nextRid = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly splitter = new FrameSplitter(MAX_REPLY_BYTES);
  private closedError: JmakeError | null = null;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', () => { /* 'close' follows and fails what is pending */ });
    socket.on('close', () => this.failAll(new JmakeError('daemon-disconnected', 'the daemon closed the connection')));
  }

  /** Connect or fail fast (no retries: the caller decides whether to start a daemon). */
  static open(socketPath: string, timeoutMs = 2000): Promise<DaemonConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ path: socketPath });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new JmakeError('daemon-unreachable', `timed out connecting to ${socketPath}`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new DaemonConnection(socket));
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new JmakeError('daemon-unreachable', `cannot connect to ${socketPath}: ${err.code ?? err.message}`));
      });
    });
  }

  call<M extends Method>(method: M, params: Params<M>, onProgress?: (progress: Progress<M>) => void): Promise<Result<M>> {
    return this.start(method, params, onProgress).done;
  }

  /** Send a request; `rid` lets the caller cancel it later. */
  start<M extends Method>(method: M, params: Params<M>, onProgress?: (progress: Progress<M>) => void): { rid: number; done: Promise<Result<M>> } {
    const rid = this.nextRid++;
    const done = new Promise<Result<M>>((resolve, reject) => {
      if (this.closedError) { reject(this.closedError); return; }
      this.pending.set(rid, { resolve: resolve as (r: unknown) => void, reject, onProgress: onProgress as ((p: unknown) => void) | undefined });
      this.socket.write(encodeFrame('request', { rid, method, params }));
    });
    return { rid, done };
  }

  /** Hold writes until uncork(), so several requests leave in one write. */
  cork(): void {
    this.socket.cork();
  }

  uncork(): void {
    this.socket.uncork();
  }

  /**
   * Close from this side. What is still pending fails as `client-closed`, not as the daemon going
   * away (`daemon-disconnected`), which the caller would answer by waiting for the daemon to exit
   * and asking the next one (connect.ts): Ctrl-C on `jmake watch` then took 30 s.
   */
  close(): void {
    this.failAll(new JmakeError('client-closed', 'the connection was closed by this client'));
    this.socket.end();
    this.socket.destroy();
  }

  /** Resolves when the daemon closes its side (e.g. it is shutting down). */
  closed(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) resolve(); else this.socket.once('close', () => resolve());
    });
  }

  private onData(chunk: string): void {
    let frames: string[];
    try {
      frames = this.splitter.push(chunk);
    } catch (err) {
      this.failAll(new JmakeError('protocol', `bad reply from the daemon: ${(err as Error).message}`));
      this.socket.destroy();
      return;
    }
    for (const text of frames) {
      let frame: { type?: unknown; data?: unknown };
      try {
        frame = JSON.parse(text) as { type?: unknown; data?: unknown };
      } catch {
        continue;
      }
      const data = frame.data as { rid?: number } | undefined;
      if (frame.type === 'reply' && data?.rid === 0) {
        // The daemon refused a frame it could not attribute to a request; it closes the connection.
        const error = (data as { error?: { code: string; message: string } }).error;
        this.failAll(new JmakeError(error?.code ?? 'protocol', error?.message ?? 'refused by the daemon'));
        continue;
      }
      const entry = data?.rid !== undefined ? this.pending.get(data.rid) : undefined;
      if (!entry || !data) continue;
      if (frame.type === 'progress') {
        entry.onProgress?.((data as { progress: unknown }).progress);
      } else if (frame.type === 'reply') {
        this.pending.delete(data.rid!);
        const reply = data as ReplyFrame;
        if (reply.ok) entry.resolve(reply.result);
        else entry.reject(new JmakeError(reply.error.code, reply.error.message, USAGE_ERROR_CODES.has(reply.error.code) ? 2 : 1, reply.error.hint));
      }
    }
  }

  private failAll(error: JmakeError): void {
    this.closedError ??= error;
    for (const entry of this.pending.values()) entry.reject(error);
    this.pending.clear();
  }
}
