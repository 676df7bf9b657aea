/**
 * The daemon's socket server, on node-ipc 9.2.1. This is the only module that imports node-ipc.
 *
 * node-ipc owns the listening server, the per-connection sockets and the outbound framing
 * (`JSON.stringify({type, data}) + "\f"`). Its traps, and what closes each one here:
 * - It logs every message unless `silent`: silent is set.
 * - It unlinks the socket path before listening, which would let a second daemon hijack a live
 *   one's path: `unlink` is off, and the daemon removes a stale socket itself only while holding
 *   the project lock (daemon/lock.ts).
 * - It publishes every inbound message's `type` on its own event bus, where `error`, `close` and
 *   `connect` are internal events; it parses only when a chunk happens to end on the delimiter
 *   (pipelined requests can stall); its buffer is unbounded; a frame with `data.id` overwrites
 *   `socket.id`, whose `toString()` it calls when the socket closes (an id like `{"toString": 1}`
 *   threw there and took the daemon down). So each connection's inbound bytes go through our own
 *   splitter first: frames are capped at MAX_FRAME_BYTES and must be `{"type":"request",...}`
 *   envelopes; for each one node-ipc is handed an empty request envelope (IPC_REQUEST), never the
 *   client's data. node-ipc then only ever publishes `request`, with nothing of the client's in it.
 *   Request ids travel as `data.rid`, never `data.id`.
 * - `null` and `''` payloads arrive as `{}`: every payload is wrapped in an object envelope.
 * - `maxConnections` defaults to 100: set from options.
 * - Reassembly of multi-MB messages is slow: replies are kept small (paged) by the handlers.
 * Anything malformed gets an error reply, then that connection is closed; others are unaffected.
 */
import type { Socket } from 'node:net';
import { chmodSync } from 'node:fs';
import nodeIpc from 'node-ipc';
import { FrameSplitter, FrameTooLarge } from '../protocol/frames.js';
import { MAX_FRAME_BYTES, parseRequestEnvelope, type ProgressFrame, type ReplyFrame, type RequestFrame, type WireError } from '../protocol/messages.js';

export interface Peer {
  readonly id: number;
  reply(frame: ReplyFrame): void;
  progress(frame: ProgressFrame): void;
  /**
   * Reply with an error and stop reading from this connection (its input cannot be trusted).
   * `onRefused` then decides when to `end()` it: after the replies still owed for earlier requests.
   */
  reject(rid: number, error: WireError): void;
  /** Close our side; the socket is destroyed if the peer does not close its side soon. */
  end(): void;
  readonly closed: boolean;
}

export interface TransportEvents {
  onRequest(peer: Peer, request: RequestFrame): void;
  onPeerClosed(peer: Peer): void;
  /** The peer half-closed its side (it will send nothing more): answer what it asked, then call `peer.end()`. */
  onPeerEnded(peer: Peer): void;
  /** A frame was refused; the peer got its error reply and is no longer read. Call `peer.end()`. */
  onRefused(peer: Peer, error: WireError): void;
  onServerError(error: Error): void;
}

export interface TransportOptions {
  readonly maxConnections?: number;
  readonly maxFrameBytes?: number;
}

export interface Transport {
  readonly connections: number;
  close(): Promise<void>;
}

interface IpcServerInternals {
  on(event: string, handler: (...args: never[]) => void): void;
  emit(socket: Socket, type: string, data: unknown): void;
  start(): void;
  server?: import('node:net').Server;
}

/** What node-ipc is given for each checked frame: it only has to publish `request` (see `pending`). */
const IPC_REQUEST = `${JSON.stringify({ type: 'request', data: {} })}\f`;

export function listen(socketPath: string, events: TransportEvents, options: TransportOptions = {}): Promise<Transport> {
  const maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
  const ipc = new nodeIpc.IPC();
  ipc.config.silent = true;
  ipc.config.unlink = false;
  ipc.config.maxConnections = options.maxConnections ?? 512;
  ipc.config.id = 'jmake';
  const peers = new Map<Socket, PeerImpl>();
  let nextPeerId = 1;

  return new Promise((resolve, reject) => {
    let started = false;
    // The socket file is born 0600 (umask 077 while it is created), so it is never open to others,
    // not even for the moment before the chmod below.
    const previousUmask = process.umask(0o077);
    ipc.serve(socketPath, () => {
      started = true;
      process.umask(previousUmask);
      // A client may half-close after its requests (`socat`, `shutdown(SHUT_WR)`): keep our side
      // open for the replies still owed; the server ends it once they are out (onPeerEnded).
      const netServer = (ipc.server as unknown as IpcServerInternals).server;
      if (netServer) (netServer as unknown as { allowHalfOpen: boolean }).allowHalfOpen = true;
      chmodSync(socketPath, 0o600);
      resolve({
        get connections() { return peers.size; },
        close: () => new Promise<void>((done) => {
          for (const peer of peers.values()) peer.destroy();
          if (!server.server) { done(); return; }
          server.server.close(() => done());
        }),
      });
    });
    const server = ipc.server as unknown as IpcServerInternals;
    server.on('error', (err: Error) => {
      if (started) { events.onServerError(err); return; }
      process.umask(previousUmask);
      reject(err);
    });
    server.on('connect', (socket: Socket) => {
      // node-ipc has attached its own 'data' parser; take it off and feed it whole, checked frames.
      const ipcParsers = socket.listeners('data') as ((chunk: string) => void)[];
      socket.removeAllListeners('data');
      const peer = new PeerImpl(nextPeerId++, socket, server, events);
      peers.set(socket, peer);
      const splitter = new FrameSplitter(maxFrameBytes);
      socket.on('data', (chunk: string | Buffer) => {
        if (peer.closed || peer.refusing) return;
        let frames: readonly string[];
        let tooLarge: FrameTooLarge | null = null;
        try {
          frames = splitter.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
        } catch (err) {
          if (!(err instanceof FrameTooLarge)) throw err;
          tooLarge = err;
          frames = err.complete; // what came before the oversized frame is still served
        }
        for (const frame of frames) {
          if (peer.closed || peer.refusing) return;
          let decoded: unknown;
          try {
            decoded = JSON.parse(frame);
          } catch {
            peer.reject(0, { code: 'bad-frame', message: 'frame is not valid JSON' });
            return;
          }
          const envelope = parseRequestEnvelope(decoded);
          if (!envelope.ok) {
            peer.reject(envelope.rid, { code: 'bad-frame', message: envelope.message });
            return;
          }
          peer.pending.push(envelope.request);
          for (const parse of ipcParsers) parse(IPC_REQUEST);
        }
        if (tooLarge) peer.reject(0, { code: 'frame-too-large', message: `${tooLarge.message}; page large requests` });
      });
      socket.on('end', () => {
        if (!peer.closed) events.onPeerEnded(peer);
      });
      socket.on('close', () => {
        peers.delete(socket);
        peer.markClosed();
        events.onPeerClosed(peer);
      });
    });
    // node-ipc publishes one (empty) `request` per checked frame here; `pending` pairs it with the
    // envelope we validated.
    server.on('request', (_data: unknown, socket: Socket) => {
      const peer = peers.get(socket);
      const request = peer?.pending.shift();
      if (peer && request) events.onRequest(peer, request);
    });
    server.start();
  });
}

/** How long progress frames wait for company before they are written (see `PeerImpl.progress`). */
const PROGRESS_FLUSH_MS = 10;

class PeerImpl implements Peer {
  readonly pending: RequestFrame[] = [];
  /** A frame was refused: nothing more is read from this peer. */
  refusing = false;
  private ended = false;
  private corked = false;

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly server: IpcServerInternals,
    private readonly events: TransportEvents,
  ) {}

  get closed(): boolean {
    return this.ended || this.socket.destroyed;
  }

  reply(frame: ReplyFrame): void {
    if (this.closed) return;
    this.server.emit(this.socket, 'reply', frame);
    this.flush(); // with the progress held back, in one write
  }

  /**
   * Progress frames of the next PROGRESS_FLUSH_MS leave in one write (a reply takes them along at
   * once). Each write wakes the client and, on 2 cores, may give its core away to it: flushed
   * every turn of the event loop, the writes of a 1k build had ~14 % of a daemon profile's samples. A status
   * line needs no more than a screen's refresh rate.
   */
  progress(frame: ProgressFrame): void {
    if (this.closed) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setTimeout(() => this.flush(), PROGRESS_FLUSH_MS);
    }
    this.server.emit(this.socket, 'progress', frame);
  }

  private flush(): void {
    if (!this.corked) return;
    this.corked = false;
    if (!this.socket.destroyed) this.socket.uncork();
  }

  reject(rid: number, error: WireError): void {
    if (this.refusing || this.closed) return;
    this.refusing = true;
    this.server.emit(this.socket, 'reply', { rid, ok: false, error });
    this.flush();
    this.events.onRefused(this, error);
  }

  end(): void {
    if (this.closed) return;
    this.ended = true;
    this.flush();
    this.socket.end();
    // A peer that never closes its side must not keep the socket open.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  markClosed(): void {
    this.ended = true;
  }

  destroy(): void {
    this.ended = true;
    this.socket.destroy();
  }
}
