// Scenario 8: soak. Memory must stay bounded over time: for N minutes (--soak-minutes, default 10;
// the scenario stops by itself) one source of a small synthetic project (bench/build.js's generator
// at 200 sources + main.c) is edited after another while `jmake watch --json` is attached, and each
// edit's build, which the daemon starts by itself, is waited for in the watcher's stream. Every
// minute (and at minute 0, after the first builds) the daemon's VmRSS is read from /proc, with its
// spawner child's, the watcher client's, and the event log's last seq and size (`jmake status
// --json`). The verdict compares the last sample with the minute-1 sample and looks for a steady
// climb over the second half (see RSS_FACTOR and verdictOf below). At the end the watcher is
// stopped with SIGINT (it must exit 0), the binary must print the checksum of the edited sources,
// and the daemon is stopped.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Model, checkBinary, jmakeToml, layout, sourceInfo, sourceText, writeSources } from './build.js';
import { mulberry32 } from './synthetic.js';
import { BIN, NODE, isAlive, log, makeProject, onCleanup, procMemory, sleep, summarize } from './lib.js';

const SOURCES = 200;
const MINUTE_MS = 60_000;
/** Between the minute samples, the daemon's and the client's RSS every this often (reading /proc only). */
const FINE_MS = 5_000;
/** Between one edit's build-finished and the next edit: a user, not a stress test. */
const PAUSE_MS = 200;
/** From an edit's write to its build-finished in the watcher's stream. */
const EDIT_DEADLINE_MS = 90_000;
/** The watcher's first build (it brings the project up to date when it attaches). */
const ATTACH_DEADLINE_MS = 120_000;
/** Stop early when this many edits in a row see no build: the watcher or daemon has stalled. */
const MAX_TIMEOUTS_IN_A_ROW = 3;
/** Bounded: the last sample ≤ RSS_FACTOR × the minute-1 sample (and no steady climb over the second half). */
const RSS_FACTOR = 1.25;
/** A step of the second half counts as a climb when it rises by more than this (RSS jitters by a few hundred KiB). */
const CLIMB_STEP_BYTES = 512 * 1024;
const MiB = 2 ** 20;

export async function benchSoak({ base, soakMinutes = 10 }) {
  const minutes = soakMinutes;
  const project = makeProject(base, 'soak');
  const { root, env } = project;
  const model = new Model(SOURCES);
  const lay = layout(SOURCES);
  const random = mulberry32(0x50a4);
  const t0 = performance.now();
  let watcher = null;
  let fineTimer = null;
  const rows = [];
  const details = { sources: SOURCES + 1, minutes, pauseMs: PAUSE_MS, rssFactor: RSS_FACTOR };
  try {
    writeSources(root, model);
    writeFileSync(join(root, 'jmake.toml'), jmakeToml());
    const started = await project.start();
    await project.waitReady({ deadlineMs: 60_000, intervalMs: 200 });
    const full = await project.cli(['build'], { timeoutMs: 600_000 });
    if (full.code !== 0) throw new Error(`jmake build (full) failed (exit ${full.code}):\n${full.stdout.slice(-3000)}\n${full.stderr}`);
    checkBinary(root, model.checksum(), 'full build');
    log(`soak: ${SOURCES} sources + main.c (${lay.objects.length} objects), daemon ${started.pid}, full build ${(full.ms / 1000).toFixed(1)} s; ${minutes} min of edits with jmake watch attached`);
    Object.assign(details, { daemonStartMs: started.ms, fullBuildMs: full.ms });

    watcher = startWatcher(root, env);
    const first = await watcher.waitFor((m) => m.type === 'build-finished', ATTACH_DEADLINE_MS, 'the watcher\'s first build-finished');
    if (!first.ok) throw new Error(`the watcher's first build failed: ${JSON.stringify(first)}`);
    if (watcher.daemonPid === null) throw new Error('jmake watch sent no `watching` message');

    const samples = [];
    /** Every RSS reading, by minute window: window M holds the readings in (M − 1, M] minutes (minute 0: the one before the first edit). */
    const readings = [];
    const edits = { made: 0, built: 0, failed: 0, timeouts: 0, unexpectedJobs: 0, buildMs: [], latencyMs: [], jobsRun: {} };
    const sample = async (minute) => {
      const pid = watcher.daemonPid;
      const status = await project.statusJson();
      if (status.daemon.pid !== pid) log(`soak: status names daemon ${status.daemon.pid}, the watcher ${pid}`);
      const daemon = procMemory(status.daemon.pid);
      const spawner = spawnerOf(status.daemon.pid);
      const client = isAlive(watcher.pid) ? procMemory(watcher.pid) : { rss: null, hwm: null };
      checkBinary(root, model.checksum(), `minute ${minute}`);
      const s = {
        minute, atMs: performance.now() - loopStart, daemonPid: status.daemon.pid,
        rss: daemon.rss, hwm: daemon.hwm, spawnerRss: spawner?.rss ?? null, clientRss: client.rss, clientHwm: client.hwm,
        edits: edits.made, builds: edits.built, failed: edits.failed, lastSeq: status.events.lastSeq, logBytes: status.events.logBytes,
        buildsInStatus: status.builds.count, trackedFiles: status.files.tracked,
      };
      samples.push(s);
      readings.push({ window: minute, atMs: s.atMs, rss: s.rss, clientRss: s.clientRss });
      log(`soak: minute ${minute}: daemon RSS ${mib(s.rss)} (peak ${mib(s.hwm)}), spawner ${mib(s.spawnerRss)}, watcher client ${mib(s.clientRss)}; ${s.builds} builds, ${s.edits} edits, ${s.failed} failed; log seq ${s.lastSeq}, ${mib(s.logBytes)}`);
    };

    const loopStart = performance.now();
    fineTimer = setInterval(() => {
      const atMs = performance.now() - loopStart;
      const read = (pid) => { try { return pid !== null && isAlive(pid) ? procMemory(pid).rss : null; } catch { return null; } };
      readings.push({ window: Math.floor(atMs / MINUTE_MS) + 1, atMs, rss: read(watcher.daemonPid), clientRss: read(watcher.pid) });
    }, FINE_MS);
    let minute = 0;
    let inARow = 0;
    let previous = -1;
    let stoppedEarly = null;
    for (;;) {
      if (performance.now() - loopStart >= minute * MINUTE_MS) {
        await sample(minute);
        minute++;
        if (minute > minutes) break;
      }
      // One edit: a source other than the last one, a constant it never had, so its object changes.
      let i;
      do i = Math.floor(random() * SOURCES); while (i === previous);
      previous = i;
      const s = sourceInfo(i);
      model.constants[i] = 10_000 + edits.made;
      edits.made++;
      const editedAt = performance.now();
      const wait = watcher.waitForBuildOf(s.path, EDIT_DEADLINE_MS); // registered before the write: nothing is missed
      writeFileSync(join(root, s.path), sourceText(s, model.constants[i]));
      try {
        const { finished, jobs } = await wait;
        inARow = 0;
        edits.built++;
        edits.latencyMs.push(performance.now() - editedAt);
        edits.buildMs.push(finished.durationMs);
        edits.jobsRun[finished.jobsRun] = (edits.jobsRun[finished.jobsRun] ?? 0) + 1;
        if (!finished.ok || finished.failed > 0 || finished.cancelled > 0 || jobs.some((j) => j.status !== 'succeeded')) {
          edits.failed++;
          log(`soak: edit ${edits.made} (${s.path}): build ${finished.build} ${JSON.stringify(finished)}; jobs ${JSON.stringify(jobs)}`);
        } else if (finished.jobsRun !== 2) {
          edits.unexpectedJobs++; // one compile + the link expected
          if (edits.unexpectedJobs <= 5) log(`soak: edit ${edits.made} (${s.path}): build ${finished.build} ran ${finished.jobsRun} jobs (${jobs.map((j) => j.job).join(', ')}), expected 2`);
        }
      } catch (err) {
        edits.timeouts++;
        edits.failed++;
        inARow++;
        log(`soak: edit ${edits.made} (${s.path}): ${err.message}`);
        if (!watcher.running || inARow >= MAX_TIMEOUTS_IN_A_ROW) {
          stoppedEarly = `${watcher.running ? `${inARow} edits in a row saw no build` : `jmake watch exited (${JSON.stringify(watcher.exit)})`} at ${((performance.now() - loopStart) / 1000).toFixed(0)} s`;
          log(`soak: stopping early: ${stoppedEarly}`);
          try { await sample(minute); } catch (e) { log(`soak: last sample failed: ${e.message}`); }
          break;
        }
      }
      await sleep(PAUSE_MS);
    }
    const loopMs = performance.now() - loopStart;
    clearInterval(fineTimer);

    // The end: the watcher detaches on SIGINT (exit 0); the binary must hold every edit.
    const exit = await watcher.stop(10_000);
    const watcherExitOk = exit.code === 0;
    if (!watcherExitOk) log(`soak: jmake watch exit ${exit.code}${exit.signal ? ` (${exit.signal})` : ''} after SIGINT, expected 0:\n${watcher.stderr().slice(-2000)}`);
    let finalError = null;
    try {
      checkBinary(root, model.checksum(), 'after the soak');
    } catch (err) {
      finalError = err.message;
    }
    const counts = watcher.counts;
    Object.assign(details, {
      loopMs, stoppedEarly, edits: { ...edits, buildMs: undefined, latencyMs: undefined },
      buildMs: summarize(edits.buildMs), latencyMs: summarize(edits.latencyMs), samples,
      watcherMessages: counts, otherBuilds: watcher.otherBuilds, daemonRestarts: watcher.restarts, daemonLost: watcher.lost,
      watcherExit: exit, finalChecksumOk: finalError === null, finalError,
    });

    // Rows: one a minute (the readings of that minute: ~12 every 5 s and the minute sample), then the verdicts.
    const windows = minuteWindows(readings, samples, 'rss');
    const clientWindows = minuteWindows(readings, samples, 'clientRss');
    const base = windows[1] ?? windows[0];
    details.windows = windows;
    details.clientWindows = clientWindows;
    for (const w of windows) {
      const s = w.sample;
      rows.push({
        scenario: `8. soak: daemon RSS, minute ${w.minute}`, runs: s?.builds ?? null, unit: 'bytes', median: w.median, min: w.min, max: w.max,
        target: null, ratio: w.median / base.median, met: null,
        notes: `${w.minute === 0 ? 'one reading, before the first edit' : `${w.n} readings in (${w.minute - 1}, ${w.minute}] min (every ${FINE_MS / 1000} s + the minute sample)`}; ratio vs minute 1's median; runs = builds on change so far${s ? ` (${s.edits} edits, ${s.failed} failed); at the minute: RSS ${mib(s.rss)}, peak (VmHWM) ${mib(s.hwm)}, spawner ${mib(s.spawnerRss)}, \`jmake watch\` client ${mib(s.clientRss)}; event log: last seq ${s.lastSeq}, ${mib(s.logBytes)}${s.daemonPid !== samples[0].daemonPid ? `; daemon pid ${s.daemonPid} (restarted)` : ''}` : ': no minute sample'}`,
      });
    }
    const target = `bounded: last minute ≤ ${RSS_FACTOR} × minute 1 (medians), no steady climb over the 2nd half`;
    const all = readings.map((r) => r.rss).filter(Number.isFinite);
    const v = verdictOf(windows.map((w) => w.median));
    rows.push({
      scenario: '8. soak: daemon RSS growth, last minute vs first minute', runs: all.length, unit: 'bytes',
      median: v.last, min: Math.min(...all), max: Math.max(...all), target, ratio: v.ratio, met: v.met,
      notes: `median = the last minute's median RSS (minute ${windows[windows.length - 1].minute}); min/max over all ${all.length} readings; ratio = that / minute 1's median (${mib(v.base)}); vs minute 0 (${mib(windows[0].median)}, right after the full build and the watcher's first build): ${(v.last / windows[0].median).toFixed(3)}; ${v.climbNote}; least-squares slope of the minute medians over the 2nd half ${v.slopeMiBPerMin.toFixed(2)} MiB/min; peak (VmHWM) at the end ${mib(samples[samples.length - 1].hwm)}${watcher.restarts.length > 0 ? `; the daemon restarted ${watcher.restarts.length}× (pids ${watcher.restarts.map((r) => r.pid).join(', ')}): the readings span daemons` : ''}; no GC is forced: RSS is what the daemon keeps by itself`,
    });
    const clientAll = readings.map((r) => r.clientRss).filter(Number.isFinite);
    const cv = verdictOf(clientWindows.map((w) => w.median));
    rows.push({
      scenario: '8. soak: `jmake watch` client RSS growth, last minute vs first minute', runs: clientAll.length, unit: 'bytes',
      median: cv.last, min: Math.min(...clientAll), max: Math.max(...clientAll), target, ratio: cv.ratio, met: cv.met,
      notes: `the \`node bin/run.cjs watch --json\` process, read with the daemon; medians by minute ${clientWindows.map((w) => (w.median / MiB).toFixed(1)).join(', ')} MiB; ${cv.climbNote}; slope over the 2nd half ${cv.slopeMiBPerMin.toFixed(2)} MiB/min; its stdout is read line by line by the bench`,
    });
    const first0 = samples[0];
    const end = samples[samples.length - 1];
    const daemonLog = project.daemonLog();
    const logged = (re) => (daemonLog.match(re) ?? []).length;
    const history = { snapshots: logged(/\[log\] snapshot at seq/g), compactions: logged(/\[log\] compacted:/g) };
    details.eventLog = { startSeq: first0.lastSeq, endSeq: end.lastSeq, startBytes: first0.logBytes, endBytes: end.logBytes, ...history };
    rows.push({
      scenario: '8. soak: event log at the end (`jmake status --json` events)', runs: end.lastSeq - first0.lastSeq, unit: 'bytes',
      median: end.logBytes, min: first0.logBytes, max: null, target: null, ratio: null, met: null,
      notes: `runs = events recorded during the soak (last seq ${first0.lastSeq} → ${end.lastSeq}, ${((end.lastSeq - first0.lastSeq) / Math.max(1, edits.made)).toFixed(1)} an edit); median = logBytes at the end, min = at minute 0; the daemon log says ${history.snapshots} snapshot(s) and ${history.compactions} compaction(s) while the daemon ran (the log is on disk: this is not the RSS)`,
    });
    const b = summarize(edits.buildMs);
    const lat = summarize(edits.latencyMs);
    const builtOk = edits.failed === 0 && stoppedEarly === null && watcherExitOk && finalError === null;
    rows.push({
      scenario: '8. soak: builds on change (edit → build-finished in `jmake watch`)', runs: edits.built, unit: 'ms',
      median: b.median, min: b.min, max: b.max, target: '0 failures', ratio: null, met: builtOk,
      notes: `${edits.made} edits in ${(loopMs / 60_000).toFixed(1)} min, ${edits.built} builds completed, ${edits.failed} failed (${edits.timeouts} with no build within ${EDIT_DEADLINE_MS / 1000} s)${stoppedEarly ? `, STOPPED EARLY: ${stoppedEarly}` : ''}; median/min/max = the build's durationMs; save → build-finished in the stream median ${b.n ? lat.median.toFixed(0) : '—'} ms, p90 ${b.n ? lat.p90.toFixed(0) : '—'} ms, max ${b.n ? lat.max.toFixed(0) : '—'} ms (includes the watcher's settle); jobs run per build ${Object.entries(edits.jobsRun).map(([k, n]) => `${k}: ${n}×`).join(', ')} (2 expected: compile + link); other builds in the stream ${watcher.otherBuilds}; daemon-lost ${watcher.lost}, daemon-restarted ${watcher.restarts.length}; \`jmake watch\` exit after SIGINT ${exit.code}${exit.signal ? ` (${exit.signal})` : ''}; final checksum ${finalError === null ? 'ok' : `WRONG: ${finalError}`}`,
    });
    log(`soak: ${edits.made} edits, ${edits.built} builds (median ${b.median?.toFixed?.(0)} ms), ${edits.failed} failed; daemon RSS minute 0 ${mib(samples[0].rss)}, last minute median ${mib(v.last)} (vs minute 1 ${v.ratio?.toFixed(3)}, ${v.met ? 'bounded' : 'NOT bounded'}); watcher exit ${exit.code}`);
    details.durationMs = performance.now() - t0;
    if (!builtOk) {
      const err = new Error(`soak: ${edits.failed} failed edits${stoppedEarly ? `, stopped early (${stoppedEarly})` : ''}${watcherExitOk ? '' : `, jmake watch exit ${exit.code} after SIGINT`}${finalError ? `, ${finalError}` : ''}`);
      err.partial = { rows, details };
      throw err;
    }
    return { rows, details };
  } catch (err) {
    if (!err.partial && watcher) err.message += `\nlast watcher messages:\n${watcher.recent().join('\n')}\n${watcher.stderr().slice(-2000)}`;
    throw err;
  } finally {
    if (fineTimer) clearInterval(fineTimer);
    watcher?.kill();
    project.dispose();
  }
}

/**
 * Bounded when the last sample ≤ RSS_FACTOR × the minute-1 sample (minute 0 comes right after the
 * full build and the first build on attach; a minute of edits warms the JIT, the allocator and the
 * daemon's tables) and the second half (minutes ⌊N/2⌋..N, when it has ≥ 3 samples) is not a steady
 * climb: not every step in it rises by more than CLIMB_STEP_BYTES. With fewer samples only the
 * first test applies.
 */
export function verdictOf(values) {
  const last = values[values.length - 1];
  const base = values.length > 1 ? values[1] : values[0];
  const ratio = last / base;
  const n = values.length - 1; // minutes
  const half = values.slice(Math.floor(n / 2));
  let climbing = null;
  let climbNote = `2nd half not judged (${half.length} samples, 3 needed)`;
  if (half.length >= 3) {
    const steps = half.slice(1).map((v, k) => v - half[k]);
    climbing = steps.every((d) => d > CLIMB_STEP_BYTES);
    climbNote = `2nd half (${half.length} samples): ${steps.filter((d) => d > CLIMB_STEP_BYTES).length} of ${steps.length} steps rose by > ${CLIMB_STEP_BYTES / MiB} MiB${climbing ? ': a STEADY CLIMB' : ''}`;
  }
  return { last, base, ratio, met: ratio <= RSS_FACTOR && climbing !== true, climbing, climbNote, slopeMiBPerMin: slope(half) / MiB };
}

/** Least-squares slope per sample (per minute). */
function slope(values) {
  const n = values.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = values.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  values.forEach((y, x) => { num += (x - mx) * (y - my); den += (x - mx) ** 2; });
  return num / den;
}

/**
 * `node bin/run.cjs watch --json` in the project, its lines parsed. waitFor(predicate) resolves with
 * the first message from now on that satisfies it; a deadline or the watcher's exit rejects.
 */
function startWatcher(root, env) {
  const child = spawn(NODE, [BIN, 'watch', '--json'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const undo = onCleanup(() => { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } });
  const waiters = new Set();
  const recent = [];
  let stderr = '';
  let partial = '';
  let exit = null;
  let exited;
  const exitPromise = new Promise((r) => { exited = r; });
  const w = {
    pid: child.pid, daemonPid: null, instance: null, counts: {}, otherBuilds: 0, restarts: [], lost: 0,
    claimed: new Set(),
    get running() { return exit === null; },
    get exit() { return exit; },
    recent: () => recent.slice(),
    stderr: () => stderr,
    waitFor(predicate, deadlineMs, what) {
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate, resolve,
          reject: (err) => { clearTimeout(timer); waiters.delete(waiter); reject(err); },
        };
        const name = () => (typeof what === 'function' ? what() : what);
        const timer = setTimeout(() => waiter.reject(new Error(`no ${name()} within ${deadlineMs} ms`)), deadlineMs);
        waiter.done = (m) => { clearTimeout(timer); waiters.delete(waiter); resolve(m); };
        waiters.add(waiter);
        if (exit !== null) waiter.reject(new Error(`jmake watch exited (${JSON.stringify(exit)}) before ${name()}`));
      });
    },
    /** The build whose build-started names `rel` among its changed inputs, through its build-finished, with its jobs. */
    async waitForBuildOf(rel, deadlineMs) {
      let build = null;
      const jobs = [];
      const finished = await w.waitFor((m) => {
        if (build === null) {
          if (m.type === 'build-started' && (m.changed ?? []).some((p) => p === rel || p.endsWith(`/${rel}`))) {
            build = m.build;
            w.claimed.add(build);
          }
          return false;
        }
        if (m.build !== build) return false;
        if (m.type === 'job-finished') jobs.push({ job: m.job, status: m.status, durationMs: m.durationMs });
        return m.type === 'build-finished';
      }, deadlineMs, () => `build of ${rel}${build === null ? '' : ` (build ${build} started, no build-finished)`}`);
      return { finished, jobs };
    },
    /** SIGINT (jmake watch detaches and exits 0), then SIGKILL after `graceMs`. */
    async stop(graceMs) {
      if (exit === null) child.kill('SIGINT');
      const timer = setTimeout(() => { try { child.kill('SIGKILL'); } catch { /* gone */ } }, graceMs);
      const result = await exitPromise;
      clearTimeout(timer);
      return result;
    },
    kill() {
      if (exit === null) try { child.kill('SIGKILL'); } catch { /* gone */ }
    },
  };
  const onMessage = (m) => {
    w.counts[m.type] = (w.counts[m.type] ?? 0) + 1;
    if (m.type === 'watching') {
      if (w.instance !== null && m.instance !== w.instance) log(`soak: jmake watch attached to a new daemon, pid ${m.pid}`);
      w.daemonPid = m.pid;
      w.instance = m.instance;
    } else if (m.type === 'daemon-restarted') {
      w.restarts.push({ pid: m.pid, instance: m.instance });
      log(`soak: daemon-restarted: pid ${m.pid}`);
    } else if (m.type === 'daemon-lost') {
      w.lost++;
      log(`soak: daemon-lost: ${m.reason}`);
    } else if (m.type === 'error' || m.type === 'config-error') {
      log(`soak: jmake watch says ${JSON.stringify(m).slice(0, 500)}`);
    }
    for (const waiter of [...waiters]) {
      let hit = false;
      try {
        hit = waiter.predicate(m);
      } catch (err) {
        waiter.reject(err);
        continue;
      }
      if (hit) waiter.done(m);
    }
    // Counted after the waiters ran: a build no edit claimed (the attach build included).
    if (m.type === 'build-finished' && !w.claimed.has(m.build)) w.otherBuilds++;
  };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    partial += chunk;
    let nl;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      if (line.trim() === '') continue;
      recent.push(line.length > 300 ? `${line.slice(0, 300)}…` : line);
      if (recent.length > 20) recent.shift();
      let m;
      try {
        m = JSON.parse(line);
      } catch {
        log(`soak: jmake watch printed a line that is not JSON: ${line.slice(0, 300)}`);
        continue;
      }
      onMessage(m);
    }
  });
  child.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-20_000); });
  const ended = (code, signal) => {
    if (exit !== null) return;
    exit = { code: code ?? -1, signal: signal ?? null };
    undo();
    for (const waiter of [...waiters]) waiter.reject(new Error(`jmake watch exited (${JSON.stringify(exit)})`));
    exited(exit);
  };
  child.on('error', (err) => { log(`soak: jmake watch: ${err.message}`); ended(-1, null); });
  child.on('close', ended);
  return w;
}

/** The daemon's spawner (the forked scheduler/spawner.js), by parent pid, with its memory. */
function spawnerOf(daemonPid) {
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== daemonPid) continue;
      if (!readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('spawner')) continue;
      return { pid: Number(name), ...procMemory(Number(name)) };
    } catch {
      /* gone meanwhile */
    }
  }
  return null;
}

/** The readings of each minute (window 0: the one before the first edit), with that minute's sample. */
function minuteWindows(readings, samples, key) {
  const last = samples.length > 0 ? samples[samples.length - 1].minute : 0;
  const out = [];
  for (let minute = 0; minute <= last; minute++) {
    // A reading taken while the last minute's sample ran falls into the window after it: counted in the last.
    const values = readings.filter((r) => Math.min(r.window, last) === minute).map((r) => r[key]).filter(Number.isFinite);
    if (values.length === 0) continue;
    const st = summarize(values);
    out.push({ minute, n: st.n, median: st.median, min: st.min, max: st.max, sample: samples.find((x) => x.minute === minute) ?? null });
  }
  return out;
}


function mib(bytes) {
  return Number.isFinite(bytes) ? `${(bytes / MiB).toFixed(1)} MiB` : '—';
}
