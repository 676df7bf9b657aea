/**
 * One crash trial on a real project: edit some sources, start `jmake build`, and at a random moment
 * of that build kill -9 the daemon, a compiler it runs, or the client. Then the next build must
 * succeed, and its outputs must be byte-identical to a clean build's (`jmake clean` + build): no
 * truncated object or archive is ever trusted, and the event log replays.
 */
import { appendFileSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { execa } from 'execa';
import { expect } from 'vitest';
import { BIN, isAlive, type TestProject } from './project.js';
import { build, outputsOf } from './build.js';
import { waitFor } from './wait.js';

export type CrashTarget = 'daemon' | 'compiler' | 'client';

export interface TrialOutcome {
  readonly target: CrashTarget;
  /** Events recorded in this build before the kill. */
  readonly killedAfterEvents: number;
  /** Whether something was actually killed (the build may have finished first). */
  readonly killed: boolean;
  readonly clientExit: number;
  /** Leftover temp outputs in `.jmake-tmp/` folders (never trusted; removed by the next job that writes there). */
  readonly leftoverTemps: number;
}

/** The sources of the fixtures the trials edit. */
export const FIXTURE_SOURCES = {
  hello: ['src/main.cpp', 'src/greet.cpp'],
  multi: ['src/main.cpp', 'src/shapes/circle.cpp', 'src/shapes/square.cpp', 'src/util/math.c', 'src/util/strings.cpp'],
} as const;

export { seeded } from './random.js';

function eventLines(p: TestProject): number {
  try {
    return readFileSync(p.path('.jmake/events.log'), 'utf8').split('\n').length;
  } catch {
    return 0;
  }
}

/** Pids of the compilers running for this project (their command line names its temp outputs). */
function compilerPids(p: TestProject): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // A tool writing one of this project's temp outputs (jobs run in the root, with relative paths).
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('.jmake-tmp') && readlinkSync(`/proc/${entry}/cwd`) === p.root) pids.push(Number(entry));
    } catch { /* gone */ }
  }
  return pids;
}

export async function crashTrial(p: TestProject, sources: readonly string[], random: () => number, trial: number, target: CrashTarget): Promise<TrialOutcome> {
  // A real change to one to three sources: their objects and the program change.
  const edited = sources.filter(() => random() < 0.5).slice(0, 3);
  if (edited.length === 0) edited.push(sources[Math.floor(random() * sources.length)]!);
  for (const source of edited) appendFileSync(p.path(source), `\nint jmake_trial_${trial}_${edited.indexOf(source)} = ${trial};\n`);
  const before = eventLines(p);
  // Kill after k of the events the build records (build-started, jobs-queued, job-started/finished, ...).
  const k = 1 + Math.floor(random() * (edited.length * 2 + 3));
  const client = execa(process.execPath, [BIN, 'build', '--json'], { cwd: p.root, env: p.env, extendEnv: false, reject: false, timeout: 60_000 });
  let killed = false;
  const daemonPid = p.daemonPid();
  const reached = await waitFor(() => eventLines(p) >= before + k || client.exitCode !== null, { what: `event ${k} of the build`, timeoutMs: 30_000 });
  if (reached && client.exitCode === null) {
    if (target === 'daemon') {
      if (daemonPid !== null && isAlive(daemonPid)) { process.kill(daemonPid, 'SIGKILL'); killed = true; }
    } else if (target === 'client') {
      if (client.pid !== undefined) { process.kill(client.pid, 'SIGKILL'); killed = true; }
    } else {
      const compilers = await waitFor(() => { const pids = compilerPids(p); return pids.length > 0 ? pids : client.exitCode !== null ? [] : null; }, { what: 'a compiler to kill', timeoutMs: 30_000 });
      for (const pid of compilers) { try { process.kill(pid, 'SIGKILL'); killed = true; } catch { /* already done */ } }
    }
  }
  const result = await client;
  if (target === 'daemon' && killed) await waitFor(() => !isAlive(daemonPid!), { what: `killed daemon ${daemonPid} to be gone` });

  // The next build (a new daemon after a daemon kill) must succeed and match a clean build.
  const next = await build(p);
  expect(next.ok, `build after killing the ${target}:\n${JSON.stringify(next.jobs.filter((j) => j.status === 'failed'), null, 2)}`).toBe(true);
  const leftoverTemps = [...outputsOf(p).keys()].filter((path) => path.includes('/.jmake-tmp/') && !path.endsWith('.jmake-old')).length;
  const incremental = outputsOf(p, { skipTemp: true });
  expect((await p.run(['clean'])).code).toBe(0);
  const clean = await build(p);
  expect(clean.ok).toBe(true);
  expect(outputsOf(p, { skipTemp: true })).toEqual(incremental);
  // And then nothing is left to do.
  expect((await build(p)).jobsRun).toBe(0);
  return { target, killedAfterEvents: k, killed, clientExit: result.exitCode ?? -1, leftoverTemps };
}

export const TARGETS: readonly CrashTarget[] = ['daemon', 'compiler', 'client'];

/**
 * The trials kill the build the client asked for: with build on change, the edit would start a
 * build of the daemon's own first, and the kill would land in that one instead.
 */
export function noBuildOnChange(p: TestProject): void {
  appendFileSync(p.path('jmake.toml'), '\n[daemon]\nbuild_on_change = false\n');
}

/** The daemon log says whether a torn tail was cut at start-up. */
export function recoveries(p: TestProject): number {
  return (p.daemonLog().match(/torn|recovered|cut /gi) ?? []).length;
}
