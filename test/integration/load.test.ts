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
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createProject, disposeAll, isAlive } from '../helpers/project.js';
import { METHODS, openAll, printReport, runLoad, type LoadClient } from '../helpers/load.js';

const CONNECTIONS = 200;
const REQUESTS_PER_CONNECTION = 10;

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
