/**
 * The load clients shared by test/integration/load.test.ts (200 × 10) and
 * test/stress/load.stress.test.ts (200 × 50, twice): raw `node:net` wire-format clients (not
 * src/client/connection.ts) so that a duplicate reply, a reply for a rid nobody asked for, or a
 * connection closed by the daemon is seen and counted rather than silently dropped.
 */
import { connect, type Socket } from 'node:net';
import { expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pickEnv } from '../../src/config/build-env.js';
import { PROTOCOL_VERSION } from '../../src/protocol/messages.js';
import { REPO_ROOT, type TestProject } from './project.js';

/** Per-call deadline by default: a reply not back by then counts as lost. */
const CALL_TIMEOUT_MS = 20_000;
const CONNECT_TIMEOUT_MS = 10_000;

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

export type LoadMethod = 'status' | 'events' | 'build';
export const METHODS: readonly LoadMethod[] = ['status', 'events', 'build'];

export interface ReplyData {
  readonly rid: number;
  readonly ok?: boolean;
  readonly result?: any;
  readonly error?: { readonly code: string; readonly message: string };
}

export type Outcome =
  | { readonly kind: 'reply'; readonly data: ReplyData; readonly ms: number }
  | { readonly kind: 'lost'; readonly ms: number }
  | { readonly kind: 'closed'; readonly ms: number; readonly why: string };

/** One client connection: sends frames, pairs replies with rids, counts what should never happen. */
export class LoadClient {
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
export function eventsPageOk(r: any): boolean {
  const events = r?.events as { seq: number }[] | undefined;
  if (!Array.isArray(events) || events.length === 0 || events.length > 50) return false;
  return events.every((e, i) => typeof e.seq === 'number' && (i === 0 ? e.seq >= 1 : e.seq > events[i - 1]!.seq));
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function latencyLine(label: string, values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (n: number) => `${n.toFixed(1)}ms`;
  return `  ${label.padEnd(7)} n=${String(sorted.length).padEnd(5)} p50=${f(percentile(sorted, 50))}  p99=${f(percentile(sorted, 99))}  max=${f(sorted.at(-1) ?? Number.NaN)}`;
}

export interface LoadReport {
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
export async function runLoad(clients: readonly LoadClient[], perClient: number, p: TestProject, pid: number, callTimeoutMs = CALL_TIMEOUT_MS): Promise<LoadReport> {
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
      const outcome = await client.call(method, params[method], callTimeoutMs);
      if (outcome.kind === 'lost') { lost++; note(`#${i} ${method}: no reply within ${callTimeoutMs}ms`); continue; }
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

export function printReport(title: string, report: LoadReport, helloMs: readonly number[]): void {
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
export async function openAll(socket: string, n: number, pid: number, label: string, into: LoadClient[]): Promise<number[]> {
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

