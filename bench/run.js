#!/usr/bin/env node
// jmake's benchmark suite (issue #2). `npm run bench` builds, then runs this; `node bench/run.js
// --quick` is the short version (the client and the 1k builds only, under 3 minutes). Options: --quick, --only=client,replay,apply,watcher,build,notify, --build-10k
// (the build scenario also at 10k sources: ~3 minutes per tool and full build). `cache` (bench/cache.js:
// clean builds from the compile cache against ninja's full build) runs only when --only names it. `real` (bench/real/:
// brotli and libsass fetched from the npm registry and built by jmake) runs only when --only names it,
// as does `soak` (bench/soak.js: N minutes of edits with `jmake watch` attached, the daemon's RSS
// every minute; --soak-minutes=N, default 10).
// Results: bench/results/latest.{json,md} (every run) and bench/results/latest-<mode>.{json,md}.
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { benchApply } from './apply.js';
import { benchCache } from './cache.js';
import { benchBuild } from './build.js';
import { benchClient } from './client.js';
import { benchNotify } from './notify.js';
import { REPO_ROOT, log, machineInfo, makeTempDir, cleanUpOnExit } from './lib.js';
import { benchReal } from './real/run.js';
import { benchReplay } from './replay.js';
import { benchScoped } from './scoped.js';
import { benchSoak } from './soak.js';
import { writeResults } from './report.js';
import { benchWatcher } from './watcher.js';

const SCENARIOS = [
  { key: 'client', title: '1. Client round trip', run: benchClient, quick: true },
  { key: 'replay', title: '2. Replay of 1,000,000 events', run: benchReplay },
  { key: 'apply', title: '3. Live event apply at 100k files', run: benchApply },
  { key: 'watcher', title: '4. Watcher ready time and daemon RSS', run: benchWatcher },
  { key: 'scoped', title: '4b. A 100k-file tree holding 10k sources (watch scope)', run: benchScoped, optIn: true }, // opt-in: a full build of 10k sources (1k with --quick)
  { key: 'build', title: '5. Builds: jmake vs ninja vs make', run: benchBuild, quick: true },
  // Opt-in: needs the npm registry (the tarballs are cached in bench/work/) and minutes of compiling.
  { key: 'real', title: '6. Real code: brotli and libsass built by jmake', run: benchReal, optIn: true },
  { key: 'notify', title: '7. Editor save hook: jmake notify', run: benchNotify },
  // Opt-in: runs for --soak-minutes (default 10) and stops by itself.
  { key: 'soak', title: '8. Soak: daemon RSS over minutes of edits with jmake watch', run: benchSoak, optIn: true },
  // Opt-in: three ninja full builds of 1k sources (about a minute each here) against jmake from the cache.
  { key: 'cache', title: '9. Compile cache: clean builds from the cache vs ninja\'s full build', run: benchCache, optIn: true },
];

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const build10k = argv.includes('--build-10k-only') ? 'only' : argv.includes('--build-10k');
const onlyArg = argv.find((a) => a.startsWith('--only='));
const only = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : null;
const soakArg = argv.find((a) => a.startsWith('--soak-minutes='));
const soakMinutes = soakArg ? Number(soakArg.slice('--soak-minutes='.length)) : 10;
const unknown = argv.filter((a) => a !== '--quick' && a !== '--build-10k' && a !== '--build-10k-only' && !a.startsWith('--only=') && !a.startsWith('--soak-minutes='));
if (unknown.length > 0 || (only && [...only].some((k) => !SCENARIOS.some((s) => s.key === k)))
  || !Number.isInteger(soakMinutes) || soakMinutes < 1 || soakMinutes > 1440) {
  process.stderr.write(`usage: node bench/run.js [--quick] [--build-10k | --build-10k-only] [--soak-minutes=N (whole minutes, default 10)] [--only=${SCENARIOS.map((s) => s.key).join(',')}]\n`);
  process.exit(2);
}
for (const built of ['dist/client.cjs', 'dist/src/daemon/history.js', 'dist/events/log.js']) {
  if (!existsSync(join(REPO_ROOT, built))) {
    process.stderr.write(`bench: ${built} is missing; run \`npm run build\` (or \`npm run bench\`)\n`);
    process.exit(2);
  }
}

// Stop every daemon and remove every temp dir, whatever happens.
const cleanup = cleanUpOnExit(log);

async function main() {
  const started = performance.now();
  const mode = quick ? 'quick' : 'full';
  const machine = machineInfo();
  log(`${mode} run on ${machine.cores} cores (${machine.cpuModel}), node ${machine.node}`);
  const results = { mode, build10k, ...(only?.has('soak') ? { soakMinutes } : {}), machine, startedAt: machine.date, durationMs: 0, rows: [], scenarios: {}, failures: [] };
  const base = makeTempDir('run');
  try {
    for (const scenario of SCENARIOS) {
      // --quick alone: the 1k scenarios (the client and the 1k builds), in under 3 minutes.
      if (only ? !only.has(scenario.key) : scenario.optIn || (quick && !scenario.quick)) continue;
      const t0 = performance.now();
      log(`--- ${scenario.title}`);
      try {
        const { rows, details } = await scenario.run({ base: base.dir, quick, build10k, soakMinutes });
        results.rows.push(...rows);
        results.scenarios[scenario.key] = { durationMs: performance.now() - t0, ...details };
      } catch (err) {
        const message = err?.stack ?? String(err);
        log(`${scenario.title} FAILED: ${message}`);
        results.failures.push({ scenario: scenario.key, error: message });
        // A scenario that fails in part (real) hands over its rows so far, the failed parts marked.
        if (err?.partial) results.rows.push(...err.partial.rows);
        else results.rows.push({ scenario: scenario.title, error: String(err?.message ?? err) });
        results.scenarios[scenario.key] = { durationMs: performance.now() - t0, ...(err?.partial?.details ?? {}), error: message };
      }
      log(`${scenario.title}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    cleanup();
  }
  results.durationMs = performance.now() - started;
  results.machine.loadAverageAtEnd = loadavg().map((x) => Math.round(x * 100) / 100);
  // A partial run (--only) keeps its own copy, so it never hides the last results of the whole suite.
  const copy = `${only ? `latest-${mode}-${SCENARIOS.filter((s) => only.has(s.key)).map((s) => s.key).join('-')}` : `latest-${mode}`}${build10k === 'only' ? '-10k' : ''}`;
  const written = writeResults(['latest', copy], results);
  log(`done in ${(results.durationMs / 1000).toFixed(1)} s; wrote ${written.map((p) => p.slice(REPO_ROOT.length + 1)).join(', ')}`);
  if (results.failures.length > 0) process.exitCode = 1;
}

main().catch((err) => {
  process.stderr.write(`bench: ${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
