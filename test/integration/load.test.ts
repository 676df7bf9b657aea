/**
 * Load (quick version; the full 200 × 50 run is test/stress/load.stress.test.ts, `npm run stress`):
 * 200 connections opened from this one process, all open at once (node-ipc's own default would
 * refuse past 100), each saying hello and then sending 10 requests one after another, round-robin
 * over `status`, `events` and `build` on an up-to-date tree. Every request must get exactly one
 * reply, ok, within a per-call deadline; every build must run no job. The daemon must still be
 * the same process afterwards and answer `jmake status`. Latencies (p50/p99 per method) are
 * printed, not asserted.
 *
 * The clients speak the wire format over raw `node:net` (not src/client/connection.ts) so that a
 * duplicate reply, a reply for a rid nobody asked for, or a connection closed by the daemon is
 * seen and counted rather than silently dropped.
 */
import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pickEnv } from '../../src/config/build-env.js';
import { PROTOCOL_VERSION } from '../../src/protocol/messages.js';
import { createProject, disposeAll, isAlive, REPO_ROOT, type TestProject } from '../helpers/project.js';

const CONNECTIONS = 200;
const REQUESTS_PER_CONNECTION = 10;
/** A reply not in by then is counted as lost (builds queue behind each other: be generous). */
const CALL_TIMEOUT_MS = 20_000;
const CONNECT_TIMEOUT_MS = 10_000;

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

type LoadMethod = 'status' | 'events' | 'build';
const METHODS: readonly LoadMethod[] = ['status', 'events', 'build'];

interface ReplyData {
  readonly rid: number;
  readonly ok?: boolean;
  readonly result?: any;
  readonly error?: { readonly code: string; readonly message: string };
}

type Outcome =
  | { readonly kind: 'reply'; readonly data: ReplyData; readonly ms: number }
  | { readonly kind: 'lost'; readonly ms: number }
  | { readonly kind: 'closed'; readonly ms: number; readonly why: string };

/** One client connection: sends frames, pairs replies with rids, counts what should never happen. */
class LoadClient {
  private nextRid = 1;
  private buffer = '';
  private readonly waiting = new Map<number, (outcome: Outcome) => void>();
  private readonly answered = new Set<number>();
  private readonly starts = new Map<number, number>();
  closed = false;
  closeReason = '';
  duplicateReplies = 0;
  unknownReplies = 0;
  badFrames = 0;
  progressFrames = 0;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => { this.closeReason ||= `error ${err.code ?? err.message}`; });
    socket.on('close', () => {
      this.closed = true;
      this.closeReason ||= 'closed by the daemon';
      for (const [rid, settle] of this.waiting) settle({ kind: 'closed', ms: performance.now() - this.starts.get(rid)!, why: this.closeReason });
      this.waiting.clear();
    });
  }

  static open(path: string): Promise<LoadClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ path });
      const timer = setTimeout(() => { socket.destroy(); reject(new Error(`connect timed out after ${CONNECT_TIMEOUT_MS}ms`)); }, CONNECT_TIMEOUT_MS);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new LoadClient(socket));
      });
      socket.once('error', (err: NodeJS.ErrnoException) => { clearTimeout(timer); reject(err); });
    });
  }

  /** Send one request; resolves with its reply, or as lost after `timeoutMs`, or as closed. Never rejects. */
  call(method: string, params: unknown, timeoutMs = CALL_TIMEOUT_MS): Promise<Outcome> {
    const rid = this.nextRid++;
    const start = performance.now();
    this.starts.set(rid, start);
    return new Promise<Outcome>((resolve) => {
      if (this.closed) { resolve({ kind: 'closed', ms: 0, why: this.closeReason }); return; }
      const timer = setTimeout(() => {
        this.waiting.delete(rid);
        resolve({ kind: 'lost', ms: performance.now() - start });
      }, timeoutMs);
      this.waiting.set(rid, (outcome) => { clearTimeout(timer); resolve(outcome); });
      this.socket.write(`${JSON.stringify({ type: 'request', data: { rid, method, params } })}\f`);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let at = this.buffer.indexOf('\f');
    while (at >= 0) {
      const text = this.buffer.slice(0, at);
      this.buffer = this.buffer.slice(at + 1);
      at = this.buffer.indexOf('\f');
      let frame: { type?: string; data?: ReplyData };
      try {
        frame = JSON.parse(text) as { type?: string; data?: ReplyData };
      } catch {
        this.badFrames++;
        continue;
      }
      if (frame.type === 'progress') { this.progressFrames++; continue; }
      if (frame.type !== 'reply' || typeof frame.data?.rid !== 'number') { this.badFrames++; continue; }
      const rid = frame.data.rid;
      if (this.answered.has(rid)) { this.duplicateReplies++; continue; }
      const settle = this.waiting.get(rid);
      if (!settle) { this.unknownReplies++; continue; } // a rid never sent, or one already counted as lost
      this.answered.add(rid);
      this.waiting.delete(rid);
      settle({ kind: 'reply', data: frame.data, ms: performance.now() - this.starts.get(rid)! });
    }
  }
}

/** A page of `events {since: 0, limit: 50}`: 1 to 50 events, seq ascending. */
function eventsPageOk(r: any): boolean {
  const events = r?.events as { seq: number }[] | undefined;
  if (!Array.isArray(events) || events.length === 0 || events.length > 50) return false;
  return events.every((e, i) => typeof e.seq === 'number' && (i === 0 ? e.seq >= 1 : e.seq > events[i - 1]!.seq));
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function latencyLine(label: string, values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (n: number) => `${n.toFixed(1)}ms`;
  return `  ${label.padEnd(7)} n=${String(sorted.length).padEnd(5)} p50=${f(percentile(sorted, 50))}  p99=${f(percentile(sorted, 99))}  max=${f(sorted.at(-1) ?? Number.NaN)}`;
}

interface LoadReport {
  readonly requests: number;
  readonly errors: number;
  readonly lost: number;
  /** Replies that came but said the wrong thing (a build that ran jobs, a status of another daemon…). */
  readonly wrong: number;
  readonly duplicateReplies: number;
  readonly unknownReplies: number;
  readonly badFrames: number;
  readonly closedConnections: number;
  readonly unsyncedStatus: number;
  readonly samples: readonly string[];
  readonly latencies: Readonly<Record<LoadMethod, number[]>>;
  readonly durationMs: number;
}

/** Each client sends `perClient` requests in sequence; all clients at once. */
async function runLoad(clients: readonly LoadClient[], perClient: number, p: TestProject, pid: number): Promise<LoadReport> {
  const buildParams = { targets: [], env: pickEnv(p.env), path: p.env.PATH };
  const params: Record<LoadMethod, unknown> = { status: {}, events: { since: 0, limit: 50 }, build: buildParams };
  const latencies: Record<LoadMethod, number[]> = { status: [], events: [], build: [] };
  let errors = 0;
  let lost = 0;
  let wrong = 0;
  let unsyncedStatus = 0;
  const samples: string[] = [];
  const note = (text: string) => { if (samples.length < 10) samples.push(text); };

  const started = performance.now();
  await Promise.all(clients.map(async (client, i) => {
    for (let k = 0; k < perClient; k++) {
      const method = METHODS[(i + k) % METHODS.length]!;
      const outcome = await client.call(method, params[method]);
      if (outcome.kind === 'lost') { lost++; note(`#${i} ${method}: no reply within ${CALL_TIMEOUT_MS}ms`); continue; }
      if (outcome.kind === 'closed') { errors++; note(`#${i} ${method}: ${outcome.why}`); continue; }
      latencies[method].push(outcome.ms);
      const { data } = outcome;
      if (data.ok !== true) { errors++; note(`#${i} ${method}: ${data.error?.code}: ${data.error?.message}`); continue; }
      const r = data.result;
      let problem: string | null = null;
      if (method === 'status') {
        if (r?.daemon?.pid !== pid || r?.root !== p.root) problem = `status of another daemon: ${JSON.stringify(r?.daemon)}`;
        else if (r.watcher?.synced !== true) unsyncedStatus++;
      } else if (method === 'events') {
        if (!eventsPageOk(r)) problem = `events page: ${JSON.stringify(r).slice(0, 200)}`;
      } else if (r?.ok !== true || r?.jobsRun !== 0) {
        problem = `build not a no-op: ok=${r?.ok} jobsRun=${r?.jobsRun}`;
      }
      if (problem) { wrong++; note(`#${i} ${method}: ${problem}`); }
    }
  }));
  const durationMs = performance.now() - started;

  return {
    requests: clients.length * perClient,
    errors, lost, wrong, unsyncedStatus, samples, latencies, durationMs,
    duplicateReplies: clients.reduce((n, c) => n + c.duplicateReplies, 0),
    unknownReplies: clients.reduce((n, c) => n + c.unknownReplies, 0),
    badFrames: clients.reduce((n, c) => n + c.badFrames, 0),
    closedConnections: clients.filter((c) => c.closed).length,
  };
}

function printReport(title: string, report: LoadReport, helloMs: readonly number[]): void {
  const s = report.durationMs / 1000;
  process.stdout.write([
    `\n${title}: ${report.requests} requests in ${s.toFixed(2)}s (${(report.requests / s).toFixed(0)} req/s)`,
    `  errors=${report.errors} lost=${report.lost} wrong=${report.wrong} duplicate=${report.duplicateReplies} unknown-rid=${report.unknownReplies} bad-frames=${report.badFrames} closed=${report.closedConnections} status-not-synced=${report.unsyncedStatus}`,
    latencyLine('hello', helloMs),
    ...METHODS.map((m) => latencyLine(m, report.latencies[m])),
    ...report.samples.map((x) => `  ! ${x}`),
    '',
  ].join('\n'));
}

/** Open `n` connections at once, then hello on each; every socket is still open when the last hello is answered. */
async function openAll(socket: string, n: number, pid: number, label: string, into: LoadClient[]): Promise<number[]> {
  const opened = await Promise.allSettled(Array.from({ length: n }, () => LoadClient.open(socket)));
  for (const o of opened) if (o.status === 'fulfilled') into.push(o.value);
  const failed = opened.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  expect(failed.map((f) => String(f.reason)), 'connections refused').toEqual([]);
  const hellos = await Promise.all(into.slice(-n).map((c, i) => c.call('hello', { protocol: PROTOCOL_VERSION, version: VERSION, client: `${label} #${i}` })));
  const helloMs: number[] = [];
  const bad: string[] = [];
  for (const [i, h] of hellos.entries()) {
    if (h.kind === 'reply' && h.data.ok === true && h.data.result?.compatible === true && h.data.result?.pid === pid) helloMs.push(h.ms);
    else bad.push(`#${i}: ${JSON.stringify(h)}`);
  }
  expect(bad, 'hellos that failed').toEqual([]);
  // All n hellos answered and not one socket closed: n connections were open at the same time.
  expect(into.slice(-n).filter((c) => c.closed).map((c) => c.closeReason)).toEqual([]);
  return helloMs;
}

const clients: LoadClient[] = [];

afterEach(async (ctx) => {
  for (const c of clients.splice(0)) c.close();
  await disposeAll(ctx);
});

describe('load', () => {
  it(`${CONNECTIONS} concurrent connections × ${REQUESTS_PER_CONNECTION} requests (status, events, build on an up-to-date tree): 0 errors, 0 lost replies`, async () => {
    const t0 = performance.now();
    const p = await createProject('hello');
    const first = await p.run(['build']);
    const setupMs = performance.now() - t0;
    expect(first.code, first.stderr).toBe(0);
    const daemonJson = JSON.parse(readFileSync(p.path('.jmake/daemon.json'), 'utf8')) as { socket: string; pid: number };
    const pid = daemonJson.pid;

    const helloMs = await openAll(daemonJson.socket, CONNECTIONS, pid, 'load.test', clients);
    expect(clients).toHaveLength(CONNECTIONS);

    const report = await runLoad(clients, REQUESTS_PER_CONNECTION, p, pid);
    printReport(`load (quick): ${CONNECTIONS} connections open at once × ${REQUESTS_PER_CONNECTION} requests`, report, helloMs);

    expect(report.samples).toEqual([]);
    expect({
      errors: report.errors, lost: report.lost, wrong: report.wrong, duplicate: report.duplicateReplies,
      unknown: report.unknownReplies, badFrames: report.badFrames, closed: report.closedConnections,
    }).toEqual({ errors: 0, lost: 0, wrong: 0, duplicate: 0, unknown: 0, badFrames: 0, closed: 0 });
    const answered = METHODS.reduce((n, m) => n + report.latencies[m].length, 0);
    expect(answered).toBe(CONNECTIONS * REQUESTS_PER_CONNECTION);
    for (const m of METHODS) expect(report.latencies[m].length).toBeGreaterThan(0);

    for (const c of clients.splice(0)) c.close();
    // The same daemon is alive, kept serving, and answers a fresh client.
    expect(isAlive(pid)).toBe(true);
    const status = await p.json(['status']);
    expect(status).toMatchObject({ daemon: { pid }, root: p.root, watcher: { ready: true } });
    expect(p.daemonPid()).toBe(pid);
    expect(p.daemonLog()).not.toMatch(/ crashed: |socket server error/);
    process.stdout.write(`  (set-up and first build ${(setupMs / 1000).toFixed(1)}s; after the load, \`jmake status\` answered by the same daemon)\n`);
  }, 90_000);
});
