/**
 * Load, the full run (`npm run stress`; the quick version is test/integration/load.test.ts):
 * 200 connections opened from this one process, all open at once (node-ipc's own default would
 * refuse past 100), each saying hello and then sending 50 requests one after another, round-robin
 * over `status`, `events` and `build` on an up-to-date tree. Every request must get exactly one
 * reply, ok, within a per-call deadline; every build must run no job. Then all 200 close and a
 * second round opens 200 fresh connections and does it again (the first 200 were let go). The
 * daemon must still be the same process afterwards and answer `jmake status`. Latencies (p50/p99
 * per method), the total time and the daemon's RSS are printed, not asserted.
 *
 * Bounded: 2 rounds × 10 000 requests, every call has a deadline, the test has a timeout.
 *
 * The clients are test/helpers/load.ts's, shared with the quick test.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createProject, disposeAll, isAlive } from '../helpers/project.js';
import { METHODS, openAll, printReport, runLoad, type LoadClient } from '../helpers/load.js';

const CONNECTIONS = 200;
const REQUESTS_PER_CONNECTION = 50;
const ROUNDS = 2;
/** A reply not in by then is counted as lost (builds queue behind each other: be generous). */
const CALL_TIMEOUT_MS = 60_000;

const clients: LoadClient[] = [];

afterEach(async (ctx) => {
  for (const c of clients.splice(0)) c.close();
  await disposeAll(ctx);
});

function rssMb(pid: number): string {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? `${(Number(kb) / 1024).toFixed(0)} MB` : '?';
  } catch {
    return '?';
  }
}

describe('load (stress)', () => {
  it(`${ROUNDS} rounds of ${CONNECTIONS} concurrent connections × ${REQUESTS_PER_CONNECTION} requests (status, events, build on an up-to-date tree): 0 errors, 0 lost replies`, async () => {
    const t0 = performance.now();
    const p = await createProject('hello');
    const first = await p.run(['build']);
    expect(first.code, first.stderr).toBe(0);
    const daemonJson = JSON.parse(readFileSync(p.path('.jmake/daemon.json'), 'utf8')) as { socket: string; pid: number };
    const pid = daemonJson.pid;
    process.stdout.write(`\nload (stress): set-up and first build ${((performance.now() - t0) / 1000).toFixed(1)}s; daemon RSS ${rssMb(pid)}\n`);

    const started = performance.now();
    let total = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const helloMs = await openAll(daemonJson.socket, CONNECTIONS, pid, `load.stress round ${round}`, clients);
      expect(clients).toHaveLength(CONNECTIONS);

      const report = await runLoad(clients, REQUESTS_PER_CONNECTION, p, pid, CALL_TIMEOUT_MS);
      printReport(`load (stress) round ${round}/${ROUNDS}: ${CONNECTIONS} connections open at once × ${REQUESTS_PER_CONNECTION} requests`, report, helloMs);
      process.stdout.write(`  daemon RSS after round ${round}: ${rssMb(pid)}\n`);

      expect(report.samples).toEqual([]);
      expect({
        errors: report.errors, lost: report.lost, wrong: report.wrong, duplicate: report.duplicateReplies,
        unknown: report.unknownReplies, badFrames: report.badFrames, closed: report.closedConnections,
      }).toEqual({ errors: 0, lost: 0, wrong: 0, duplicate: 0, unknown: 0, badFrames: 0, closed: 0 });
      const answered = METHODS.reduce((n, m) => n + report.latencies[m].length, 0);
      expect(answered).toBe(CONNECTIONS * REQUESTS_PER_CONNECTION);
      for (const m of METHODS) expect(report.latencies[m].length).toBeGreaterThan(0);
      total += answered;

      for (const c of clients.splice(0)) c.close();
      expect(isAlive(pid)).toBe(true);
    }
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`load (stress): ${total} requests over ${ROUNDS} × ${CONNECTIONS} connections in ${seconds.toFixed(1)}s, 0 errors, 0 lost\n`);

    // The same daemon is alive, kept serving, and answers a fresh client.
    const status = await p.json(['status']);
    expect(status).toMatchObject({ daemon: { pid }, root: p.root, watcher: { ready: true } });
    expect(p.daemonPid()).toBe(pid);
    expect(p.daemonLog()).not.toMatch(/ crashed: |socket server error/);
  }, 10 * 60_000);
});
