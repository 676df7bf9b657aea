/**
 * The wire protocol against a real daemon, over raw `node:net` sockets: refused frames, error
 * codes, pipelining and partial frames, version mismatch, and events --follow with cancel.
 */
import { connect, type Socket } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProject, disposeAll, isAlive, REPO_ROOT, type TestProject } from '../helpers/project.js';
import { waitFor } from '../helpers/wait.js';

afterEach(disposeAll);

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const HELLO = { protocol: 1, version: VERSION, client: 'protocol.test' };

interface WireFrame {
  readonly type: string;
  readonly data: {
    readonly rid: number;
    readonly ok?: boolean;
    readonly result?: any;
    readonly error?: { readonly code: string; readonly message: string };
    readonly progress?: any;
  };
}

/** A client that writes exactly the bytes it is given and records every frame it receives. */
class RawClient {
  readonly frames: WireFrame[] = [];
  /** Set once the daemon closed the connection (or it broke). */
  closed = false;
  error: NodeJS.ErrnoException | null = null;
  private buffer = '';

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let at = this.buffer.indexOf('\f');
      while (at >= 0) {
        this.frames.push(JSON.parse(this.buffer.slice(0, at)) as WireFrame);
        this.buffer = this.buffer.slice(at + 1);
        at = this.buffer.indexOf('\f');
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => { this.error = err; });
    socket.on('close', () => { this.closed = true; });
  }

  static open(path: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ path });
      socket.once('connect', () => { socket.removeListener('error', reject); resolve(new RawClient(socket)); });
      socket.once('error', reject);
    });
  }

  write(text: string | Buffer): void {
    this.socket.write(text);
  }

  request(rid: number, method: string, params: unknown = {}): string {
    return `${JSON.stringify({ type: 'request', data: { rid, method, params } })}\f`;
  }

  send(rid: number, method: string, params: unknown = {}): void {
    this.write(this.request(rid, method, params));
  }

  replies(): WireFrame[] {
    return this.frames.filter((f) => f.type === 'reply');
  }

  /** The final reply to `rid`, waiting for it with a deadline. */
  reply(rid: number, timeoutMs = 15_000): Promise<WireFrame['data']> {
    return waitFor(() => this.replies().find((f) => f.data.rid === rid)?.data, { what: `the reply to rid ${rid}`, timeoutMs });
  }

  /** Send one request and wait for its reply. */
  async call(rid: number, method: string, params: unknown = {}): Promise<WireFrame['data']> {
    this.send(rid, method, params);
    return this.reply(rid);
  }

  waitClosed(): Promise<true> {
    return waitFor(() => this.closed, { what: 'the daemon to close the connection' });
  }

  close(): void {
    this.socket.destroy();
  }

  /** Send FIN: nothing more to say, but still listening (`socat`, `shutdown(SHUT_WR)`). */
  halfClose(): void {
    this.socket.end();
  }
}

const clients: RawClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

async function open(socket: string): Promise<RawClient> {
  const c = await RawClient.open(socket);
  clients.push(c);
  return c;
}

async function startDaemon(): Promise<{ p: TestProject; pid: number; socket: string }> {
  const p = await createProject();
  const started = await p.json(['daemon', 'start']);
  expect(started).toMatchObject({ running: true, pid: expect.any(Number), socket: expect.any(String) });
  return { p, pid: started.pid, socket: started.socket };
}

/** Hello + status on a well-behaved connection; asserts both answers. */
async function checkHealthy(c: RawClient, rid: number, pid: number, root: string): Promise<void> {
  const hello = await c.call(rid, 'hello', HELLO);
  expect(hello).toMatchObject({ rid, ok: true, result: { pid, root, compatible: true, protocol: 1, version: VERSION } });
  const status = await c.call(rid + 1, 'status', {});
  expect(status).toMatchObject({ rid: rid + 1, ok: true, result: { root, daemon: { pid } } });
}

describe('refused frames', () => {
  const cases: { name: string; bytes: () => string | Buffer; code: string; rid?: number }[] = [
    { name: 'a frame that is not JSON', bytes: () => 'this is not json\f', code: 'bad-frame' },
    { name: 'a JSON frame that is not an object', bytes: () => '[1,2,3]\f', code: 'bad-frame' },
    { name: 'type "error" (a node-ipc internal event)', bytes: () => `${JSON.stringify({ type: 'error', data: { rid: 7, message: 'boom' } })}\f`, code: 'bad-frame', rid: 7 },
    { name: 'type "close" (a node-ipc internal event)', bytes: () => `${JSON.stringify({ type: 'close', data: {} })}\f`, code: 'bad-frame' },
    { name: 'type "connect" (a node-ipc internal event)', bytes: () => `${JSON.stringify({ type: 'connect', data: {} })}\f`, code: 'bad-frame' },
    { name: 'a request without rid', bytes: () => `${JSON.stringify({ type: 'request', data: { method: 'hello', params: HELLO } })}\f`, code: 'bad-frame' },
    { name: 'a request with rid 0', bytes: () => `${JSON.stringify({ type: 'request', data: { rid: 0, method: 'hello', params: HELLO } })}\f`, code: 'bad-frame' },
    { name: 'a request whose params are an array', bytes: () => `${JSON.stringify({ type: 'request', data: { rid: 3, method: 'hello', params: [] } })}\f`, code: 'bad-frame', rid: 3 },
    { name: 'an oversized frame (over 1 MiB, no delimiter)', bytes: () => Buffer.alloc((1 << 20) + 64 * 1024, 'a'), code: 'frame-too-large' },
  ];

  it('each gets one error reply and its connection closed, while another client is served and the daemon stays up', async () => {
    const { p, pid, socket } = await startDaemon();
    const good = await open(socket);
    await checkHealthy(good, 1, pid, p.root);

    let rid = 10;
    for (const testCase of cases) {
      const bad = await open(socket);
      bad.write(testCase.bytes());
      await bad.waitClosed();
      expect(bad.frames, testCase.name).toHaveLength(1);
      expect(bad.frames[0], testCase.name).toMatchObject({
        type: 'reply',
        data: { rid: testCase.rid ?? 0, ok: false, error: { code: testCase.code, message: expect.any(String) } },
      });
      // The well-behaved client, connected all along, is still answered.
      await checkHealthy(good, rid, pid, p.root);
      rid += 2;
    }
    // All of them at once, while the good client pipelines its requests.
    const burst = await Promise.all(cases.map(() => open(socket)));
    burst.forEach((bad, i) => bad.write(cases[i]!.bytes()));
    await checkHealthy(good, rid, pid, p.root);
    await Promise.all(burst.map((bad) => bad.waitClosed()));
    burst.forEach((bad, i) => {
      expect(bad.frames.map((f) => f.data.error?.code), cases[i]!.name).toEqual([cases[i]!.code]);
    });
    await checkHealthy(good, rid + 2, pid, p.root);

    expect(good.closed).toBe(false);
    expect(isAlive(pid)).toBe(true);
    expect((await p.json(['daemon', 'status'])).pid).toBe(pid);
    expect(p.daemonLog()).toMatch(/refused: frame-too-large/);
  });

  it('a refused frame ends the connection: requests before it are answered, nothing behind it is run', async () => {
    const { p, socket, pid } = await startDaemon();
    const c = await open(socket);
    c.write(c.request(1, 'hello', HELLO) + '{"type":"close","data":{}}\f' + c.request(2, 'status'));
    await c.waitClosed();
    const replies = c.replies();
    expect(replies.map((f) => f.data.rid).sort()).toEqual([0, 1]);
    expect(replies.find((f) => f.data.rid === 0)?.data).toMatchObject({ ok: false, error: { code: 'bad-frame' } });
    expect(replies.find((f) => f.data.rid === 1)?.data).toMatchObject({ ok: true, result: { pid } });
    expect(p.daemonLog()).not.toMatch(/ status rid=2 /);
    expect(isAlive(pid)).toBe(true);
  });
});

describe('an oversized frame behind a valid one', () => {
  it('answers the valid request first in the chunk, then refuses the oversized frame and closes', async () => {
    const { socket, pid } = await startDaemon();
    const c = await open(socket);
    c.write(c.request(1, 'hello', HELLO) + 'x'.repeat((1 << 20) + 16));
    await c.waitClosed();
    const replies = c.replies();
    expect(replies.find((f) => f.data.rid === 1)?.data).toMatchObject({ ok: true, result: { pid } });
    expect(replies.find((f) => f.data.rid === 0)?.data).toMatchObject({ ok: false, error: { code: 'frame-too-large' } });
    expect(isAlive(pid)).toBe(true);
  });
});

describe('request errors that keep the connection', () => {
  it('unknown method, status before hello, bad params', async () => {
    const { p, socket, pid } = await startDaemon();
    const c = await open(socket);

    expect(await c.call(1, 'status', {})).toMatchObject({ rid: 1, ok: false, error: { code: 'hello-required' } });
    expect(await c.call(2, 'events', {})).toMatchObject({ rid: 2, ok: false, error: { code: 'hello-required' } });
    expect(await c.call(3, 'hello', HELLO)).toMatchObject({ rid: 3, ok: true, result: { compatible: true } });
    expect(await c.call(4, 'frobnicate', {})).toMatchObject({ rid: 4, ok: false, error: { code: 'unknown-method' } });
    expect(await c.call(5, 'events', { limit: 'x' })).toMatchObject({ rid: 5, ok: false, error: { code: 'bad-params', message: expect.stringMatching(/limit/) } });
    expect(await c.call(6, 'events', { limit: 0 })).toMatchObject({ rid: 6, ok: false, error: { code: 'bad-params' } });
    expect(await c.call(7, 'status', { sync: 'yes' })).toMatchObject({ rid: 7, ok: false, error: { code: 'bad-params' } });
    expect(await c.call(8, 'cancel', {})).toMatchObject({ rid: 8, ok: false, error: { code: 'bad-params' } });

    // Still usable after all of that.
    const status = await c.call(9, 'status', {});
    expect(status).toMatchObject({ rid: 9, ok: true, result: { root: p.root, daemon: { pid } } });
    const events = await c.call(10, 'events', { limit: 1 });
    expect(events).toMatchObject({ rid: 10, ok: true, result: { events: [expect.objectContaining({ seq: 1 })] } });
    expect(c.closed).toBe(false);
  });
});

describe('framing', () => {
  it('answers hello + status + events written in one write', async () => {
    const { p, socket, pid } = await startDaemon();
    const c = await open(socket);
    c.write(c.request(1, 'hello', HELLO) + c.request(2, 'status', {}) + c.request(3, 'events', { limit: 5 }));
    const [hello, status, events] = await Promise.all([c.reply(1), c.reply(2), c.reply(3)]);
    expect(hello).toMatchObject({ ok: true, result: { pid, compatible: true } });
    // Not hello-required: hello took effect before the frames behind it were looked at.
    expect(status).toMatchObject({ ok: true, result: { root: p.root, daemon: { pid } } });
    expect(events).toMatchObject({ ok: true, result: { events: expect.any(Array), lastSeq: expect.any(Number) } });
    expect(events!.result.events.length).toBeGreaterThan(0);
    // Exactly one reply per request; hello, which the other two depend on, is answered first.
    expect(c.replies().map((f) => f.data.rid).sort()).toEqual([1, 2, 3]);
    expect(c.replies()[0]!.data.rid).toBe(1);
  });

  it('answers a frame split across two writes once it is complete', async () => {
    const { socket, pid } = await startDaemon();
    const c = await open(socket);
    const frame = c.request(1, 'hello', HELLO);
    const cut = Math.floor(frame.length / 2);
    c.write(frame.slice(0, cut));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(c.frames).toHaveLength(0);
    c.write(frame.slice(cut));
    expect(await c.reply(1)).toMatchObject({ ok: true, result: { pid } });
    expect(c.frames).toHaveLength(1);
  });

  it('answers the first frame of a chunk that ends in the middle of the second', async () => {
    const { socket, pid, p } = await startDaemon();
    const c = await open(socket);
    const second = c.request(2, 'status', {});
    c.write(c.request(1, 'hello', HELLO) + second.slice(0, 10));
    expect(await c.reply(1)).toMatchObject({ ok: true, result: { pid } });
    expect(c.replies()).toHaveLength(1);
    c.write(second.slice(10));
    expect(await c.reply(2)).toMatchObject({ ok: true, result: { root: p.root } });
  });

  it('handles a multi-byte UTF-8 character split across writes', async () => {
    const { socket } = await startDaemon();
    const c = await open(socket);
    const frame = Buffer.from(c.request(1, 'hello', { ...HELLO, client: 'naïve-€-client' }), 'utf8');
    const euro = frame.indexOf(Buffer.from('€', 'utf8'));
    c.write(frame.subarray(0, euro + 1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    c.write(frame.subarray(euro + 1));
    expect(await c.reply(1)).toMatchObject({ ok: true, result: { compatible: true } });
  });
});

describe('a client that half-closes', () => {
  it('still gets every reply it is owed, then the daemon closes; a subscription ends with cancelled', async () => {
    const { socket, pid } = await startDaemon();
    const c = await open(socket);
    // status syncs with the watcher first: its reply is sent after the client's FIN has arrived.
    c.write(c.request(1, 'hello', HELLO) + c.request(2, 'status', {}) + c.request(3, 'events', { since: 0, follow: true }));
    c.halfClose();
    await c.waitClosed();
    const byRid = new Map(c.replies().map((f) => [f.data.rid, f.data]));
    expect(byRid.get(1)).toMatchObject({ ok: true });
    expect(byRid.get(2)).toMatchObject({ ok: true, result: { daemon: { pid } } });
    expect(byRid.get(3)).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(isAlive(pid)).toBe(true);
  });
});

describe('version mismatch', () => {
  it('a hello with another version gets compatible:false, then only shutdown is accepted', async () => {
    const { socket, pid } = await startDaemon();
    const c = await open(socket);
    expect(await c.call(1, 'hello', { protocol: 1, version: '0.0.0-other' })).toMatchObject({
      ok: true, result: { compatible: false, version: VERSION, pid },
    });
    expect(await c.call(2, 'status', {})).toMatchObject({ ok: false, error: { code: 'version-mismatch' } });
    expect(await c.call(3, 'events', {})).toMatchObject({ ok: false, error: { code: 'version-mismatch' } });
    expect(isAlive(pid)).toBe(true);
    expect(await c.call(4, 'shutdown', { reason: 'protocol test' })).toMatchObject({ ok: true, result: { pid } });
    await waitFor(() => !isAlive(pid), { what: `daemon ${pid} to exit after shutdown` });
    await c.waitClosed();
  });

  it('another protocol number is incompatible too', async () => {
    const { socket } = await startDaemon();
    const c = await open(socket);
    expect(await c.call(1, 'hello', { protocol: 2, version: VERSION })).toMatchObject({ ok: true, result: { compatible: false } });
    expect(await c.call(2, 'status', {})).toMatchObject({ ok: false, error: { code: 'version-mismatch' } });
  });
});

describe('events follow', () => {
  it('a build sends a started and a finished frame per job, and none with "progress": false', async () => {
    const { socket } = await startDaemon();
    const c = await open(socket);
    expect(await c.call(1, 'hello', HELLO)).toMatchObject({ ok: true });
    const jobFrames = (rid: number) => c.frames.filter((f) => f.type === 'progress' && f.data.rid === rid).map((f) => f.data.progress.type as string);
    const built = await c.call(2, 'build', { force: true, noCache: true });
    expect(built).toMatchObject({ ok: true, result: { ok: true } });
    const jobs = (built.result.jobs as unknown[]).length;
    expect(jobs).toBeGreaterThan(0);
    expect(jobFrames(2).filter((t) => t === 'job-started')).toHaveLength(jobs);
    expect(jobFrames(2).filter((t) => t === 'job-finished')).toHaveLength(jobs);

    const quiet = await c.call(3, 'build', { force: true, noCache: true, progress: false });
    expect(quiet).toMatchObject({ ok: true, result: { ok: true, jobsRun: jobs } });
    expect(jobFrames(3)).toEqual([]);
    expect(await c.call(4, 'build', { progress: 'no' })).toMatchObject({ ok: false, error: { code: 'bad-params', message: 'build: progress must be a boolean' } });
  });

  it('streams a new file as progress and ends with cancelled on cancel', async () => {
    const { p, socket } = await startDaemon();
    // Wait for the initial scan, so the new file is reported by the live watcher.
    await waitFor(async () => (await p.json(['status'])).watcher.ready, { what: 'the initial scan' });
    const c = await open(socket);
    expect(await c.call(1, 'hello', HELLO)).toMatchObject({ ok: true });
    c.send(2, 'events', { follow: true });
    // The subscription is in place once a later request on the same connection is answered.
    expect(await c.call(3, 'status', { sync: false })).toMatchObject({ ok: true });
    expect(c.replies().some((f) => f.data.rid === 2)).toBe(false);

    writeFileSync(p.path('src/followed.cpp'), 'int followed() { return 1; }\n');
    const progress = await waitFor(() => c.frames.find((f) => f.type === 'progress' && f.data.rid === 2
      && f.data.progress?.event?.type === 'file-added' && f.data.progress.event.data.path === 'src/followed.cpp'),
    { what: 'a file-added progress frame for src/followed.cpp' });
    expect(progress.data.progress.event).toMatchObject({ seq: expect.any(Number), data: { hash: expect.stringMatching(/^[0-9a-f]{16}$/) } });
    // The request is still open.
    expect(c.replies().some((f) => f.data.rid === 2)).toBe(false);

    c.send(4, 'cancel', { rid: 2 });
    expect(await c.reply(2)).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(await c.reply(4)).toMatchObject({ ok: true, result: { cancelled: true } });
    // Cancelling again finds nothing; the connection is still usable.
    expect(await c.call(5, 'cancel', { rid: 2 })).toMatchObject({ ok: true, result: { cancelled: false } });
    expect(c.closed).toBe(false);
  });
});
