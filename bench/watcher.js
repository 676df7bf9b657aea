// Scenario 4: watcher ready time, daemon RSS and inotify watches at 10k and 100k files, against
// chokidar alone on the same tree. For each tree, rounds of: chokidar alone; the daemon's first
// start (no .jmake: every file is hashed and recorded); its restart (snapshot + tail, files only
// stat-compared). The order alternates round by round (chokidar first, then last).
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  fmtBytes, fmtCount, inotifyWatches, log, makeProject, parseDaemonStart, procMemory, runNode, summarize, BENCH_DIR,
} from './lib.js';
import { generateTree } from './tree.js';

const POLL_INTERVAL_MS = 200;

export async function benchWatcher({ base, quick }) {
  const sizes = quick ? [10_000] : [10_000, 100_000];
  const rows = [];
  const details = {};
  for (const files of sizes) {
    const label = `${files / 1000}k`;
    const rounds = files >= 100_000 ? 2 : 3;
    const project = makeProject(base, `tree-${label}`);
    try {
      const tree = generateTree(project.root, files);
      log(`watcher ${label}: tree of ${fmtCount(files)} files in ${fmtCount(tree.leafDirs)} leaf dirs written in ${(tree.ms / 1000).toFixed(1)} s; ${rounds} rounds`);
      const chokidar = [];
      const cold = [];
      const warm = [];
      const deadlineMs = files >= 100_000 ? 240_000 : 60_000;
      for (let round = 0; round < rounds; round++) {
        const steps = round % 2 === 0 ? ['chokidar', 'cold', 'warm'] : ['cold', 'warm', 'chokidar'];
        for (const step of steps) {
          if (step === 'chokidar') {
            const r = await chokidarAlone(project.root, deadlineMs);
            chokidar.push(r);
            log(`watcher ${label}: chokidar alone ready ${r.readyMs.toFixed(0)} ms (launch→ready ${r.launchToReadyMs.toFixed(0)} ms), RSS ${fmtBytes(r.rssBytes)}, ${fmtCount(r.watches)} watches`);
          } else {
            if (step === 'cold') rmSync(join(project.root, '.jmake'), { recursive: true, force: true });
            const r = await daemonRun(project, files, deadlineMs);
            (step === 'cold' ? cold : warm).push(r);
            log(`watcher ${label}: daemon ${step === 'cold' ? 'first start' : 'restart'} launch→ready ${r.launchToReadyMs} ms (chokidar phase ${r.chokidarMs} ms, watcher ${r.watcherMs} ms, ${r.hashed} hashed), RSS ${fmtBytes(r.rssBytes)}, ${fmtCount(r.watches)} watches`);
          }
        }
      }
      const med = (list, key) => summarize(list.map((r) => r[key])).median;
      const stat = (list, key) => {
        const s = summarize(list.map((r) => r[key]));
        return { median: s.median, min: s.min, max: s.max };
      };
      const chokLaunch = med(chokidar, 'launchToReadyMs');
      const chokRss = med(chokidar, 'rssBytes');
      const chokWatches = med(chokidar, 'watches');
      const tracked = [...cold, ...warm].map((r) => r.tracked);
      const trackedNote = tracked.every((t) => t === files + 1) ? `${fmtCount(files + 1)} files tracked (tree + jmake.toml)` : `files tracked: ${tracked.join(', ')} (expected ${files + 1})`;
      rows.push(
        {
          scenario: `4. Watcher ready, ${label} files: daemon first start (launch → ready)`, runs: cold.length, unit: 'ms',
          ...stat(cold, 'launchToReadyMs'), target: null, ratio: med(cold, 'launchToReadyMs') / chokLaunch, met: null,
          notes: `ratio vs chokidar alone (launch → ready); inside the daemon: chokidar phase ${fmt(med(cold, 'chokidarMs'))}, watch start → ready ${fmt(med(cold, 'watcherMs'))} (hashes all ${fmtCount(files + 1)}); seen by polling after ${fmt(med(cold, 'detectedMs'))}; ${pollNote(cold)}; ${trackedNote}`,
        },
        {
          scenario: `4. Watcher ready, ${label} files: daemon restart with snapshot (launch → ready)`, runs: warm.length, unit: 'ms',
          ...stat(warm, 'launchToReadyMs'), target: null, ratio: med(warm, 'launchToReadyMs') / chokLaunch, met: null,
          notes: `ratio vs chokidar alone; chokidar phase ${fmt(med(warm, 'chokidarMs'))}, watch start → ready ${fmt(med(warm, 'watcherMs'))}, ${fmtCount(med(warm, 'hashed'))} hashed; history replay ${fmt(med(warm, 'replayMs'))}; ${pollNote(warm)}`,
        },
        {
          scenario: `4. Watcher ready, ${label} files: chokidar alone (launch → ready)`, runs: chokidar.length, unit: 'ms',
          ...stat(chokidar, 'launchToReadyMs'), target: null, ratio: 1, met: null,
          notes: `watch() → ready in-process ${fmt(med(chokidar, 'readyMs'))}; ${fmtCount(med(chokidar, 'files'))} files, ${fmtCount(med(chokidar, 'dirs'))} dirs`,
        },
        {
          scenario: `4. Daemon RSS after ready, ${label} files (first start)`, runs: cold.length, unit: 'bytes',
          ...stat(cold, 'rssBytes'), target: null, ratio: med(cold, 'rssBytes') / chokRss, met: null,
          notes: `ratio vs chokidar alone; peak (VmHWM) ${fmtBytes(med(cold, 'hwmBytes'))}; after a restart ${fmtBytes(med(warm, 'rssBytes'))} (peak ${fmtBytes(med(warm, 'hwmBytes'))})`,
        },
        {
          scenario: `4. chokidar alone RSS at ready, ${label} files`, runs: chokidar.length, unit: 'bytes',
          ...stat(chokidar, 'rssBytes'), target: null, ratio: 1, met: null,
          notes: `peak (VmHWM) ${fmtBytes(med(chokidar, 'hwmBytes'))}`,
        },
        {
          scenario: `4. inotify watches held, ${label} files: daemon`, runs: cold.length + warm.length, unit: 'count',
          ...stat([...cold, ...warm], 'watches'), target: null, ratio: med([...cold, ...warm], 'watches') / chokWatches, met: null,
          notes: `chokidar alone holds ${fmtCount(chokWatches)} (ratio vs that); ${fmtCount(tree.leafDirs)} leaf dirs; fs.inotify.max_user_watches ${fmtCount(readLimit())}`,
        },
      );
      details[label] = { tree, chokidar, cold, warm };
    } finally {
      project.dispose();
    }
  }
  return { rows, details };
}

/** chokidar alone on `root` in its own process (bench/chokidar-alone.js); also used by scenario 4b. */
export async function chokidarAlone(root, deadlineMs) {
  let launchToReadyMs = NaN;
  const result = await runNode([join(BENCH_DIR, 'chokidar-alone.js'), root], {
    timeoutMs: deadlineMs,
    onLine: (line, ms) => { if (line.startsWith('{')) launchToReadyMs = ms; },
  });
  if (result.code !== 0) throw new Error(`chokidar-alone failed (exit ${result.code}):\n${result.stderr}`);
  const lines = result.stdout.trim().split('\n');
  return { ...JSON.parse(lines[lines.length - 1]), launchToReadyMs, exitMs: result.ms };
}

/** One daemon start until its watcher is ready: times, RSS and watches; the daemon is stopped after. Also used by scenario 4b. */
export async function daemonRun(project, files, deadlineMs) {
  const launchedAt = Date.now();
  const { pid } = await project.start();
  let ready;
  try {
    ready = await project.waitReady({ deadlineMs, intervalMs: POLL_INTERVAL_MS });
    const detectedMs = Date.now() - launchedAt;
    const memory = procMemory(pid);
    const watches = inotifyWatches(pid);
    const parsed = parseDaemonStart(project.daemonLog());
    if (!parsed.ready || !parsed.chokidar) throw new Error(`no watcher ready lines in the daemon log of ${project.root}`);
    return {
      pid,
      launchToReadyMs: parsed.ready.time - launchedAt,
      detectedMs,
      polls: ready.polls.total,
      unansweredPolls: ready.polls.unresponsive,
      slowestPollMs: ready.polls.slowestMs,
      pollLatenciesMs: ready.polls.latenciesMs,
      chokidarMs: parsed.chokidar.ms,
      watcherMs: parsed.ready.ms,
      hashed: parsed.ready.hashed,
      replayMs: parsed.replay?.ms ?? NaN,
      replayed: parsed.replay?.records ?? NaN,
      tracked: ready.status.files.tracked,
      watchedPaths: ready.status.watcher.watchedPaths,
      scope: ready.status.watcher.scope ?? null,
      watcherErrors: ready.status.watcher.errors.length,
      rssBytes: memory.rss,
      hwmBytes: memory.hwm,
      watches: watches?.watches ?? NaN,
      inotifyInstances: watches?.instances ?? NaN,
    };
  } finally {
    project.stopSync();
  }
}

/** How the daemon answered `status` while its watcher was starting (over all runs). */
export function pollNote(runs) {
  const total = runs.reduce((a, r) => a + r.polls, 0);
  const unanswered = runs.reduce((a, r) => a + r.unansweredPolls, 0);
  const slowest = Math.max(...runs.map((r) => r.slowestPollMs));
  return `status polls during start-up: ${unanswered} of ${total} unanswered (hello > 5 s), slowest ${fmt(slowest)}`;
}

function fmt(ms) {
  if (!Number.isFinite(ms)) return '—';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

function readLimit() {
  try {
    return Number(readFileSync('/proc/sys/fs/inotify/max_user_watches', 'utf8').trim());
  } catch {
    return NaN;
  }
}
