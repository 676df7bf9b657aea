// Scenario 4b: a big checkout whose sources are a small part of it. jmake.toml names its sources
// with an explicit `[discovery] include`, so the daemon watches only the folders jmake.toml names
// (src/watcher/scope.ts: the source globs' folders, the include dirs, jmake.toml), while chokidar
// alone, as a reference, watches the whole tree.
//
// The project: the synthetic C project of bench/build.js (10k sources in src/, their headers in
// include/; --quick: 1k) inside a tree of 100k files (--quick: 10k): the rest (~90 %) are files no
// build reads, in third_party/ (a vendored C tree, bench/tree.js), docs/ and data/.
// Measured:
//   - rounds, in alternating order, of chokidar alone on the whole tree, the daemon's first start
//     (no .jmake) and its restart: launch -> ready, RSS after ready, inotify watches (bench/watcher.js);
//   - one full build (-j 2, gcc: see COMPILER_FAMILY), then the no-op `jmake build -j 2` end to end with `node -e 0` in the same
//     loop, and its daemon-side time from the daemon log (the build request's `[request]` line and
//     the `[job] build N: ok, 0 jobs run ... (sync, toolchain, plan, survey, run, record)` line);
//   - the same no-op after a daemon restart with the extra files moved out of the tree (the same
//     sources alone), and with them back.
import { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Model, checkBinary, jmakeTimeline, jmakeToml, runSyncTimed, runTimed, writeSources } from './build.js';
import { JMAKE, NODE, fmtBytes, fmtCount, inotifyWatches, log, makeProject, procMemory, sleep, summarize } from './lib.js';
import { generateTree } from './tree.js';
import { chokidarAlone, daemonRun, pollNote } from './watcher.js';

const JOBS = 2;
const POLL_INTERVAL_MS = 200;
/** Folders of files no build reads, and their shares of the extra files. */
const EXTRAS = [
  { dir: 'third_party', share: 0.5 }, // a vendored C tree (bench/tree.js): .c and .h files outside the discovery globs
  { dir: 'docs', share: 0.2 },
  { dir: 'data', share: 0.3 },
];
/** The explicit discovery added to bench/build.js's jmake.toml (its headers stay in include/, its include_dirs). */
const DISCOVERY_INCLUDE = 'src/**/*.c';
/**
 * gcc rather than clang (jmake's default family): the full build is only there to have something to
 * no-op on, and clang 14 costs ~2x gcc per start on this machine (libLLVM). Even so, 10k compiles at
 * -j 2 took ~14 minutes on the shared 2 cores (1k: ~2 minutes), so the build runs once.
 */
const COMPILER_FAMILY = 'gcc';

export function scopedToml() {
  const base = jmakeToml();
  if (!base.includes('[compile]') || !base.includes('include_dirs = ["include"]')) throw new Error(`bench/build.js's jmakeToml() changed:\n${base}`);
  return `${base.replace('[compile]', `[discovery]\ninclude = ["${DISCOVERY_INCLUDE}"]\n\n[compile]`)}\n[llvm]\nprefer = "${COMPILER_FAMILY}"\n`;
}

/** `count` files under `root/top`, 20 a leaf dir, 100 leaf dirs a group (like bench/tree.js). */
function writeLeafFiles(root, top, count, ext, text) {
  const pad = (n, w) => String(n).padStart(w, '0');
  let dirs = 0;
  for (let k = 0; k < count; k++) {
    const leaf = Math.floor(k / 20);
    const dir = join(root, top, `part${pad(Math.floor(leaf / 100), 2)}`, `sec${pad(leaf % 100, 3)}`);
    if (k % 20 === 0) { mkdirSync(dir, { recursive: true }); dirs++; }
    writeFileSync(join(dir, `item${pad(k % 20, 2)}.${ext}`), text(k));
  }
  return dirs;
}

function writeExtras(root, count) {
  const started = performance.now();
  const counts = EXTRAS.map((e) => Math.floor(count * e.share));
  counts[0] += count - counts.reduce((a, b) => a + b, 0);
  const leafDirs = {};
  leafDirs.third_party = generateTree(join(root, 'third_party'), counts[0], { toml: false }).leafDirs;
  leafDirs.docs = writeLeafFiles(root, 'docs', counts[1], 'md', (k) => `# Page ${k}\n\nSome documentation nobody builds (${'lorem ipsum '.repeat(k % 17)}).\n`);
  leafDirs.data = writeLeafFiles(root, 'data', counts[2], 'json', (k) => `${JSON.stringify({ id: k, values: Array.from({ length: k % 23 }, (_, i) => i * k) })}\n`);
  return { files: Object.fromEntries(EXTRAS.map((e, i) => [e.dir, counts[i]])), leafDirs, ms: performance.now() - started };
}


function buildJson(project, stdoutFile, timeoutMs, what) {
  return runTimed(JMAKE, ['build', '-j', String(JOBS), '--json'], { cwd: project.root, env: project.env, timeoutMs, stdoutFile }).then((r) => {
    let json;
    try { json = JSON.parse(r.stdout); } catch { throw new Error(`jmake build --json (${what}) printed no JSON (exit ${r.code}):\n${r.stdout.slice(0, 2000)}\n${r.stderr}`); }
    if (r.code !== 0 || !json.ok) throw new Error(`jmake build (${what}) failed (exit ${r.code}):\n${JSON.stringify(json, null, 1).slice(0, 4000)}\n${r.stderr}`);
    return { ...r, json };
  });
}

function logTail(project, bytes = 64 * 1024) {
  const path = join(project.root, '.jmake', 'daemon.log');
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  try {
    const len = Math.min(size, bytes);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    return buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The daemon's `[job] build N: ...` line of the last build (a no-op: 0 jobs run), with its phases. */
function lastBuildLine(project, notBefore) {
  const lines = logTail(project).split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^(\S+) \[job\] build (\d+)(?: \(on change\))?: (\w+), (\d+) jobs run.*?, in (\d+)ms \((.*)\)$/.exec(lines[i]);
    if (!m) continue;
    if (Date.parse(m[1]) < notBefore - 5) return null;
    const phases = {};
    for (const part of m[6].split(', ')) {
      const p = /^(\w+) ([\d.]+)ms$/.exec(part);
      if (p) phases[p[1]] = Number(p[2]);
    }
    return { build: Number(m[2]), status: m[3], jobsRun: Number(m[4]), durationMs: Number(m[5]), phases };
  }
  return null;
}

/** Start the daemon and wait for its watcher (it keeps running). */
async function startReady(project, deadlineMs) {
  const launchedAt = Date.now();
  const { pid } = await project.start();
  const ready = await project.waitReady({ deadlineMs, intervalMs: POLL_INTERVAL_MS });
  return { pid, status: ready.status, detectedMs: Date.now() - launchedAt };
}

function daemonFootprint(pid) {
  const m = procMemory(pid);
  const w = inotifyWatches(pid);
  return { rssBytes: m.rss, hwmBytes: m.hwm, watches: w?.watches ?? NaN };
}

/** `rounds` no-op rounds (after `warmup`), `node -e 0` and `jmake build -j 2` alternating in order. */
function noopLoop(project, rounds, warmup) {
  const out = { node: [], jmake: [], request: [], buildLine: [], timeline: [] };
  for (let round = -warmup; round < rounds; round++) {
    const order = round % 2 === 0 ? ['node', 'jmake'] : ['jmake', 'node'];
    for (const t of order) {
      const r = t === 'node'
        ? runSyncTimed(NODE, ['-e', '0'], { cwd: project.root, env: project.env })
        : runSyncTimed(JMAKE, ['build', '-j', String(JOBS)], { cwd: project.root, env: project.env });
      if (r.code !== 0) throw new Error(`no-op ${t} failed (exit ${r.code}${r.error ? `, ${r.error.message}` : ''}):\n${r.stdout}\n${r.stderr}`);
      if (t === 'jmake' && !/no work to do/.test(r.stdout)) throw new Error(`jmake no-op did work:\n${r.stdout}\n${r.stderr}`);
      if (round < 0) continue;
      out[t].push(r.ms);
      if (t !== 'jmake') continue;
      const timeline = jmakeTimeline(project, r);
      const line = lastBuildLine(project, r.startedAtMs);
      if (line && line.jobsRun !== 0) throw new Error(`the no-op's build ran ${line.jobsRun} jobs`);
      out.timeline.push(timeline);
      out.request.push(timeline?.requestMs ?? NaN);
      out.buildLine.push(line);
      if (round === rounds - 1) out.lastLogLines = requestLogLines(project);
    }
  }
  return out;
}

/** The daemon-log lines of the last `jmake build` (from its hello to its request line), for the details. */
function requestLogLines(project) {
  const lines = logTail(project).split('\n');
  let start = -1;
  for (let i = lines.length - 1; i >= 0; i--) if (/\[request\] #\d+ hello from jmake build /.test(lines[i])) { start = i; break; }
  return start < 0 ? [] : lines.slice(start).filter((l) => l !== '');
}

const med = (values) => summarize(values.filter(Number.isFinite)).median;
const stat = (values) => {
  const s = summarize(values.filter(Number.isFinite));
  return { median: s.median, min: s.min, max: s.max };
};
/** A count for the notes: a median of an even number of runs may be x.5. */
const cnt = (v) => fmtCount(Math.round(v));
const ms = (v, digits = 0) => (Number.isFinite(v) ? (Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(digits)} ms`) : '—');

function phaseNote(loop) {
  const lines = loop.buildLine.filter(Boolean);
  if (lines.length === 0) return 'no `[job] build` line found';
  const names = Object.keys(lines[0].phases);
  // Not `request − durationMs`: the line gives durationMs in whole ms (a no-op's is 0 or 1).
  const phaseSum = (l) => Object.values(l.phases).reduce((a, b) => a + b, 0);
  const outside = loop.buildLine.map((l, i) => (l ? loop.request[i] - phaseSum(l) : NaN));
  return `\`[job] build\` line: in ${ms(med(lines.map((l) => l.durationMs)))} (integer ms), phases (medians) ${names.map((n) => `${n} ${med(lines.map((l) => l.phases[n])).toFixed(1)} ms`).join(', ')}; request − the phases' sum (the request's steps before and after the build: queueing, the reply, log lines) ${med(outside).toFixed(1)} ms`;
}

function timelineNote(loop) {
  const ok = loop.timeline.filter((x) => x && Number.isFinite(x.requestMs));
  if (ok.length === 0) return 'no daemon-log timeline';
  const m = (k) => Math.round(med(ok.map((x) => x[k])));
  return `from the daemon log: spawn → hello ${m('toHelloMs')} ms, build request in the daemon ${med(ok.map((x) => x.requestMs)).toFixed(2)} ms, request end → exit ${m('afterRequestMs')} ms`;
}

function noopSummary(loop) {
  const node = med(loop.node);
  const jmake = med(loop.jmake);
  return { node, jmake, ratio: jmake / node, perRound: med(loop.jmake.map((v, i) => v / loop.node[i])), request: med(loop.request) };
}

// ---------------------------------------------------------------------------------------------

export async function benchScoped({ base, quick }) {
  const n = quick ? 1000 : 10_000;
  const totalFiles = quick ? 10_000 : 100_000;
  const label = `${totalFiles / 1000}k files, ${n / 1000}k sources`;
  const rounds = totalFiles >= 100_000 ? 2 : 3; // chokidar alone takes ~15-30 s at 100k
  const noopRounds = 10;
  const noopWarmup = 2;
  const deadlineMs = totalFiles >= 100_000 ? 240_000 : 60_000;
  const project = makeProject(base, `scoped-${totalFiles / 1000}k`);
  const aside = join(project.dir, 'aside'); // the extra folders, moved out of the tree for the "sources alone" no-op (removed with the project)
  const stdoutFile = join(project.dir, 'jmake-build-stdout.json');
  const t0 = performance.now();
  try {
    // ---- The tree
    const model = new Model(n);
    const written = writeSources(project.root, model);
    writeFileSync(join(project.root, 'jmake.toml'), scopedToml());
    const sourceFiles = n + 1 /* main.c */ + written.dirs /* local.h */ + 41 /* include/ */ + 1 /* jmake.toml */;
    const extras = writeExtras(project.root, totalFiles - sourceFiles);
    log(`scoped ${label}: ${fmtCount(sourceFiles)} files of the C project (${fmtCount(n)} sources + main.c, ${fmtCount(written.dirs)} dirs, include/, jmake.toml) + ${Object.entries(extras.files).map(([d, c]) => `${fmtCount(c)} in ${d}/`).join(', ')}, written in ${((written.ms + extras.ms) / 1000).toFixed(1)} s; ${rounds} rounds`);

    // ---- Rounds: chokidar alone (whole tree), the daemon's first start, its restart
    const chokidar = [];
    const cold = [];
    const warm = [];
    for (let round = 0; round < rounds; round++) {
      const steps = round % 2 === 0 ? ['chokidar', 'cold', 'warm'] : ['cold', 'warm', 'chokidar'];
      for (const step of steps) {
        if (step === 'chokidar') {
          const r = await chokidarAlone(project.root, deadlineMs);
          chokidar.push(r);
          log(`scoped ${label}: chokidar alone launch→ready ${r.launchToReadyMs.toFixed(0)} ms, ${fmtCount(r.files)} files, RSS ${fmtBytes(r.rssBytes)}, ${fmtCount(r.watches)} watches`);
        } else {
          if (step === 'cold') rmSync(join(project.root, '.jmake'), { recursive: true, force: true });
          const r = await daemonRun(project, totalFiles, deadlineMs);
          (step === 'cold' ? cold : warm).push(r);
          log(`scoped ${label}: daemon ${step === 'cold' ? 'first start' : 'restart'} launch→ready ${r.launchToReadyMs} ms (chokidar phase ${r.chokidarMs} ms, ${r.hashed} hashed), ${fmtCount(r.tracked)} tracked, scope ${JSON.stringify(r.scope)}, RSS ${fmtBytes(r.rssBytes)}, ${fmtCount(r.watches)} watches`);
        }
      }
    }
    const tracked = [...new Set([...cold, ...warm].map((r) => r.tracked))];
    const scopes = [...new Set([...cold, ...warm].map((r) => JSON.stringify(r.scope)))];
    if (scopes.length !== 1 || scopes[0] === 'null') throw new Error(`the daemon's watcher.scope is ${scopes.join(' / ')}: expected the folders of jmake.toml`);
    const chokidarFiles = med(chokidar.map((r) => r.files));
    if (chokidarFiles !== totalFiles) log(`scoped ${label}: note: chokidar alone saw ${fmtCount(chokidarFiles)} files, expected ${fmtCount(totalFiles)}`);

    // ---- One full build, then the no-op
    const daemon = await startReady(project, deadlineMs);
    const atReady = daemonFootprint(daemon.pid);
    const tools = project.cliSync(['tools', '--json']);
    const cc = tools.status === 0 ? JSON.parse(tools.stdout).chosen?.cc : null;
    log(`scoped ${label}: daemon ${daemon.pid} ready; full build of ${fmtCount(n)} sources + main.c with ${cc?.path ?? '?'} (${cc?.version ?? '?'}), -j ${JOBS}`);
    const full = await buildJson(project, stdoutFile, 3_600_000, 'full build');
    if (full.json.jobsRun !== n + 2) throw new Error(`the full build ran ${full.json.jobsRun} jobs, expected ${n + 2} (${n + 1} compiles + the link)`);
    checkBinary(project.root, model.checksum(), 'jmake full build');
    const afterBuild = daemonFootprint(daemon.pid);
    log(`scoped ${label}: full build ${(full.ms / 1000).toFixed(1)} s (${full.json.jobsRun} jobs; daemon RSS ${fmtBytes(afterBuild.rssBytes)}, ${fmtCount(afterBuild.watches)} watches)`);
    full.stdout = undefined;
    await sleep(1500); // the output watcher and the group commit settle

    const noop = noopLoop(project, noopRounds, noopWarmup);
    const check = await buildJson(project, stdoutFile, 60_000, 'no-op check');
    if (check.json.jobsRun !== 0) throw new Error(`jmake no-op ran ${check.json.jobsRun} jobs`);
    const afterNoop = daemonFootprint(daemon.pid);
    const noopS = noopSummary(noop);
    log(`scoped ${label}: no-op (the daemon that built): node ${noopS.node.toFixed(1)} ms, jmake ${noopS.jmake.toFixed(1)} ms (×${noopS.ratio.toFixed(3)}), request in the daemon ${noopS.request.toFixed(2)} ms; ${phaseNote(noop)}`);

    // ---- The same no-op after a restart: the sources alone (extras moved out), then the whole tree again
    project.stopSync();
    mkdirSync(aside, { recursive: true });
    for (const e of EXTRAS) renameSync(join(project.root, e.dir), join(aside, e.dir));
    const alone = await startReady(project, deadlineMs);
    const aloneTracked = alone.status.files.tracked;
    const noopAlone = noopLoop(project, noopRounds, noopWarmup);
    const aloneFootprint = daemonFootprint(alone.pid);
    project.stopSync();
    for (const e of EXTRAS) renameSync(join(aside, e.dir), join(project.root, e.dir));
    const again = await startReady(project, deadlineMs);
    const noopAgain = noopLoop(project, noopRounds, noopWarmup);
    const againFootprint = daemonFootprint(again.pid);
    project.stopSync();
    const aloneS = noopSummary(noopAlone);
    const againS = noopSummary(noopAgain);
    log(`scoped ${label}: no-op after a restart, sources alone: ×${aloneS.ratio.toFixed(3)} (request ${aloneS.request.toFixed(2)} ms); whole tree again: ×${againS.ratio.toFixed(3)} (request ${againS.request.toFixed(2)} ms)`);

    // ---- Rows
    const rows = [];
    const chokLaunch = med(chokidar.map((r) => r.launchToReadyMs));
    const chokRss = med(chokidar.map((r) => r.rssBytes));
    const chokWatches = med(chokidar.map((r) => r.watches));
    const scopeText = JSON.parse(scopes[0]).join(', ');
    const trackedText = tracked.length === 1 ? `${fmtCount(tracked[0])} files tracked` : `files tracked ${tracked.join(' / ')}`;
    const where = `${label} (${fmtCount(totalFiles - sourceFiles)} of ${fmtCount(totalFiles)} files outside the sources)`;
    const pick = (list, key) => stat(list.map((r) => r[key]));
    const coldReady = med(cold.map((r) => r.launchToReadyMs));
    const warmReady = med(warm.map((r) => r.launchToReadyMs));
    rows.push(
      {
        scenario: `4b. No-op, ${label}: \`node -e 0\` (floor)`, runs: noop.node.length, unit: 'ms', ...stat(noop.node), target: null, ratio: 1, met: null,
        notes: 'same loop and environment as the jmake row below (alternating order)',
      },
      {
        scenario: `4b. No-op, ${label}: \`jmake build -j 2\` (whole command)`, runs: noop.jmake.length, unit: 'ms', ...stat(noop.jmake),
        target: '≤ 1.25 × node -e 0', ratio: noopS.ratio, met: noopS.ratio <= 1.25,
        notes: `ratio vs node -e 0; median of per-round ratios ${noopS.perRound.toFixed(3)}; jmake − node = ${ms(noopS.jmake - noopS.node, 1)}; the daemon that ran the full build; ${timelineNote(noop)}; ${noopWarmup} warm-up rounds`,
      },
      {
        scenario: `4b. No-op daemon side, ${label}: the build request in the daemon`, runs: noop.request.filter(Number.isFinite).length, unit: 'ms', ...stat(noop.request),
        target: '≤ 1 ms', ratio: noopS.request / 1, met: noopS.request <= 1,
        notes: `the \`[request] … build rid=… ok X.XXms\` line (hello excluded); ${phaseNote(noop)}`,
      },
      {
        scenario: `4b. No-op after a restart, ${fmtCount(n)} sources alone (extra files moved out): \`jmake build -j 2\``, runs: noopAlone.jmake.length, unit: 'ms', ...stat(noopAlone.jmake),
        target: null, ratio: aloneS.ratio, met: null,
        notes: `ratio vs node -e 0 in the same loop (median ${ms(aloneS.node, 1)}); ${fmtCount(aloneTracked)} files tracked; request in the daemon ${aloneS.request.toFixed(2)} ms; ${phaseNote(noopAlone)}`,
      },
      {
        scenario: `4b. No-op after a restart, ${label} (extra files back): \`jmake build -j 2\``, runs: noopAgain.jmake.length, unit: 'ms', ...stat(noopAgain.jmake),
        target: null, ratio: againS.ratio, met: null,
        notes: `ratio vs node -e 0 in the same loop (median ${ms(againS.node, 1)}); ${fmtCount(again.status.files.tracked)} files tracked; request in the daemon ${againS.request.toFixed(2)} ms; ${phaseNote(noopAgain)}`,
      },
      {
        scenario: `4b. Watcher ready, ${label}: daemon first start (launch → ready)`, runs: cold.length, unit: 'ms', ...pick(cold, 'launchToReadyMs'),
        target: '≤ 1.0 × chokidar alone', ratio: coldReady / chokLaunch, met: coldReady / chokLaunch <= 1.0,
        notes: `ratio vs chokidar alone on the whole tree (launch → ready); watcher.scope [${scopeText}]; ${trackedText} (expected ${fmtCount(sourceFiles)}: the C project + jmake.toml); chokidar phase ${ms(med(cold.map((r) => r.chokidarMs)))}, watch start → ready ${ms(med(cold.map((r) => r.watcherMs)))} (hashes all); ${pollNote(cold)}`,
      },
      {
        scenario: `4b. Watcher ready, ${label}: daemon restart with snapshot (launch → ready)`, runs: warm.length, unit: 'ms', ...pick(warm, 'launchToReadyMs'),
        target: '≤ 1.0 × chokidar alone', ratio: warmReady / chokLaunch, met: warmReady / chokLaunch <= 1.0,
        notes: `ratio vs chokidar alone; chokidar phase ${ms(med(warm.map((r) => r.chokidarMs)))}, ${cnt(med(warm.map((r) => r.hashed)))} hashed; history replay ${ms(med(warm.map((r) => r.replayMs)))}; ${pollNote(warm)}`,
      },
      {
        scenario: `4b. Watcher ready, ${label}: chokidar alone, whole tree (launch → ready)`, runs: chokidar.length, unit: 'ms', ...pick(chokidar, 'launchToReadyMs'), target: null, ratio: 1, met: null,
        notes: `watch() → ready in-process ${ms(med(chokidar.map((r) => r.readyMs)))}; ${fmtCount(chokidarFiles)} files, ${cnt(med(chokidar.map((r) => r.dirs)))} dirs`,
      },
      {
        scenario: `4b. Daemon RSS after ready, ${label} (first start)`, runs: cold.length, unit: 'bytes', ...pick(cold, 'rssBytes'),
        target: '≤ 1.2 × chokidar alone', ratio: med(cold.map((r) => r.rssBytes)) / chokRss, met: med(cold.map((r) => r.rssBytes)) / chokRss <= 1.2,
        notes: `ratio vs chokidar alone on the whole tree (${fmtBytes(chokRss)}, peak ${fmtBytes(med(chokidar.map((r) => r.hwmBytes)))}); peak (VmHWM) ${fmtBytes(med(cold.map((r) => r.hwmBytes)))}; after a restart ${fmtBytes(med(warm.map((r) => r.rssBytes)))}; the daemon that built: ${fmtBytes(atReady.rssBytes)} at ready, ${fmtBytes(afterBuild.rssBytes)} after the full build (peak ${fmtBytes(afterBuild.hwmBytes)}), ${fmtBytes(afterNoop.rssBytes)} after the no-ops (${(afterNoop.rssBytes / chokRss).toFixed(3)} × chokidar alone); after a restart with the records of the build ${fmtBytes(againFootprint.rssBytes)} (${(againFootprint.rssBytes / chokRss).toFixed(3)} ×), sources alone ${fmtBytes(aloneFootprint.rssBytes)}`,
      },
      {
        scenario: `4b. chokidar alone RSS at ready, ${label} (whole tree)`, runs: chokidar.length, unit: 'bytes', ...pick(chokidar, 'rssBytes'), target: null, ratio: 1, met: null,
        notes: `peak (VmHWM) ${fmtBytes(med(chokidar.map((r) => r.hwmBytes)))}`,
      },
      {
        scenario: `4b. inotify watches held, ${label}: daemon`, runs: cold.length + warm.length, unit: 'count', ...pick([...cold, ...warm], 'watches'),
        target: null, ratio: med([...cold, ...warm].map((r) => r.watches)) / chokWatches, met: null,
        notes: `ratio vs chokidar alone on the whole tree (${cnt(chokWatches)}); at ready, before any build; after the full build ${fmtCount(afterBuild.watches)} (+ the output watcher: one per dir under build/); ${where}`,
      },
      {
        scenario: `4b. Full build, ${label}: \`jmake build -j 2\` (for the no-op; reported, no target)`, runs: 1, unit: 'ms', median: full.ms, min: full.ms, max: full.ms, target: null, ratio: null, met: null,
        notes: `${fmtCount(full.json.jobsRun)} jobs (${fmtCount(n + 1)} compiles + the link), ${cc?.path ?? '?'} ${cc?.version ?? ''} -O0 (\`[llvm] prefer = "${COMPILER_FAMILY}"\`); daemon-side ${ms(full.json.durationMs)}; binary output checked; built once, reused by every no-op`,
      },
    );
    const details = {
      files: totalFiles, sources: n + 1, sourceFiles, extras, sourceDirs: written.dirs, toml: scopedToml(), scope: JSON.parse(scopes[0]), tracked,
      compiler: cc, chokidar, cold, warm,
      daemon: { atReady, afterBuild, afterNoop, alone: aloneFootprint, again: againFootprint, aloneTracked },
      fullBuild: { ms: full.ms, durationMs: full.json.durationMs, jobsRun: full.json.jobsRun },
      noop: { withExtras: noop, alone: noopAlone, again: noopAgain },
      durationMs: performance.now() - t0,
    };
    return { rows, details };
  } finally {
    project.dispose();
  }
}

