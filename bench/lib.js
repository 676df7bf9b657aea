// Shared helpers for the benchmark suite: statistics, the benchmark environment, temp dirs,
// child processes, and real daemons (started and stopped through the CLI, always cleaned up).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(BENCH_DIR, '..');
/** The Node CLI. */
export const BIN = join(REPO_ROOT, 'bin', 'run.cjs');
/** What users run (package.json's bin): the native client when `npm run build` built it, else the Node CLI. */
export const JMAKE = join(REPO_ROOT, 'bin', 'jmake');
export const NATIVE_CLIENT_BUILT = existsSync(join(REPO_ROOT, 'dist', 'jmake-client'));
export const NODE = process.execPath;

// ---------------------------------------------------------------------------------------------
// Statistics

export function sorted(values) {
  return [...values].sort((a, b) => a - b);
}

/** Linear-interpolated percentile (p in [0, 100]). */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const s = sorted(values);
  const pos = (s.length - 1) * (p / 100);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export function summarize(values) {
  const s = sorted(values);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return {
    n: s.length,
    median: percentile(s, 50),
    min: s[0] ?? NaN,
    max: s[s.length - 1] ?? NaN,
    mean,
    p90: percentile(s, 90),
    p99: percentile(s, 99),
  };
}

export function round(value, digits = 3) {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

// ---------------------------------------------------------------------------------------------
// Environment

/**
 * The environment every measured process runs with. NODE_EXTRA_CA_CERTS is removed: in this
 * sandbox it makes every node start load a CA bundle (~60 ms), and jmake makes no TLS connection.
 */
export function benchEnv(extra = {}) {
  const env = { ...process.env, NO_COLOR: '1', ...extra };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.JMAKE_TEST_DAEMON_VERSION;
  return env;
}

export function machineInfo() {
  const list = cpus();
  return {
    cores: list.length,
    cpuModel: list[0]?.model?.trim() ?? 'unknown',
    node: process.version,
    platform: `${process.platform} ${release()}`,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    date: new Date().toISOString(),
    nodeExtraCaCertsInParentEnv: process.env.NODE_EXTRA_CA_CERTS !== undefined,
    inotifyMaxUserWatches: readNumber('/proc/sys/fs/inotify/max_user_watches'),
    loadAverageAtStart: loadavg().map((x) => round(x, 2)),
    jmakeClient: NATIVE_CLIENT_BUILT ? 'bin/jmake: the native client (dist/jmake-client)' : 'bin/jmake: the Node CLI (dist/jmake-client was not built)',
  };
}

function readNumber(path) {
  try {
    return Number(readFileSync(path, 'utf8').trim());
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Cleanup: everything the suite creates registers an undo here; run.js runs them on success,
// failure, Ctrl-C and SIGTERM. All undos are synchronous so they also work from process 'exit'.

const cleanups = [];

export function onCleanup(fn) {
  const entry = { fn };
  cleanups.push(entry);
  return () => {
    const i = cleanups.indexOf(entry);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

export function runCleanupsSync() {
  killLiveChildren(); // first: nothing of ours may keep running while its dirs are removed
  while (cleanups.length > 0) {
    const { fn } = cleanups.pop();
    try {
      fn();
    } catch (err) {
      process.stderr.write(`bench cleanup: ${err?.stack ?? err}\n`);
    }
  }
}

/** Run the registered cleanups once, at exit and on SIGINT/SIGTERM/SIGHUP (then exit 130); returns the cleanup to call earlier. */
export function cleanUpOnExit(log) {
  let cleaned = false;
  const cleanup = () => {
    if (cleaned) return;
    cleaned = true;
    runCleanupsSync();
  };
  process.on('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      log(`${signal}: stopping daemons and removing temp dirs`);
      cleanup();
      process.exit(130);
    });
  }
  return cleanup;
}

/** A temp dir removed at cleanup. */
export function makeTempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `jmake-bench-${prefix}-`));
  const undo = onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, remove: () => { undo(); rmSync(dir, { recursive: true, force: true }); } };
}

// ---------------------------------------------------------------------------------------------
// Child processes

const liveChildren = new Set();

function killLiveChildren() {
  for (const child of liveChildren) {
    try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
  }
  liveChildren.clear();
}

/**
 * Run a node script; resolves with code, stdout, stderr and wall milliseconds (spawn to exit).
 * `onLine` sees stdout lines as they arrive, with the milliseconds since spawn.
 */
export function runNode(args, { cwd = REPO_ROOT, env = benchEnv(), timeoutMs = 120_000, onLine, nodeArgs = [] } = {}) {
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(NODE, [...nodeArgs, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    liveChildren.add(child);
    let stdout = '';
    let stderr = '';
    let partial = '';
    const timer = setTimeout(() => {
      try { child.kill('SIGKILL'); } catch { /* gone */ }
      reject(new Error(`node ${args.join(' ')} timed out after ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (!onLine) return;
      partial += chunk;
      let nl;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        onLine(line, Number(process.hrtime.bigint() - started) / 1e6);
      }
    });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('error', (err) => { clearTimeout(timer); liveChildren.delete(child); reject(err); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      liveChildren.delete(child);
      resolvePromise({ code: code ?? -1, signal, stdout, stderr, ms: Number(process.hrtime.bigint() - started) / 1e6 });
    });
  });
}

/** Run a bench child script that prints one JSON document as its last stdout line. */
export async function runJsonChild(script, args, options = {}) {
  const result = await runNode([join(BENCH_DIR, script), ...args.map(String)], options);
  if (result.code !== 0) {
    throw new Error(`${script} ${args.join(' ')} failed (exit ${result.code}${result.signal ? `, ${result.signal}` : ''}):\n${result.stderr}\n${result.stdout}`);
  }
  const lines = result.stdout.trim().split('\n');
  try {
    return { ...JSON.parse(lines[lines.length - 1]), wallMs: result.ms };
  } catch {
    throw new Error(`${script} printed no JSON:\n${result.stdout}\n${result.stderr}`);
  }
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// ---------------------------------------------------------------------------------------------
// Processes seen through /proc

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return err.code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** VmRSS and VmHWM (peak) in bytes, from /proc/<pid>/status. */
export function procMemory(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : null;
  };
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Inotify watches held by a process: one `inotify wd:` line per watch in the fdinfo of its inotify fds. */
export function inotifyWatches(pid) {
  let total = 0;
  let instances = 0;
  let fds;
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return null;
  }
  for (const fd of fds) {
    let target;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    if (target !== 'anon_inode:inotify') continue;
    instances++;
    try {
      const info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
      for (const line of info.split('\n')) if (line.startsWith('inotify wd:')) total++;
    } catch {
      /* closed meanwhile */
    }
  }
  return { watches: total, instances };
}

// ---------------------------------------------------------------------------------------------
// Real daemons, driven through the CLI

/**
 * A project dir for a real daemon: its own XDG_RUNTIME_DIR and TMPDIR (so it never meets another
 * daemon), the benchmark environment, and a cleanup that stops its daemon and removes the dir.
 */
export function makeProject(base, name) {
  const dir = join(base, name);
  const root = join(dir, 'project');
  const runtimeDir = join(dir, 'run');
  const tmp = join(dir, 'tmp');
  mkdirSync(root, { recursive: true });
  mkdirSync(runtimeDir, { mode: 0o700, recursive: true });
  mkdirSync(tmp, { recursive: true });
  const realRoot = realpathSync(root);
  // Its own compile cache: a bench never reads or fills the user's.
  const env = benchEnv({ XDG_RUNTIME_DIR: runtimeDir, TMPDIR: tmp, JMAKE_CACHE_DIR: join(dir, 'cache') });
  const project = {
    dir, root, runtimeDir, env,
    pids: new Set(),
    /** Run `jmake ARGS` synchronously in the project. */
    cliSync(args, timeoutMs = 60_000) {
      return spawnSync(NODE, [BIN, ...args], { cwd: root, env, encoding: 'utf8', timeout: timeoutMs });
    },
    cli(args, options = {}) {
      return runNode([BIN, ...args], { cwd: root, env, ...options });
    },
    daemonPid() {
      try {
        return JSON.parse(readFileSync(join(root, '.jmake', 'daemon.json'), 'utf8')).pid;
      } catch {
        return null;
      }
    },
    daemonLog() {
      const path = join(root, '.jmake', 'daemon.log');
      return existsSync(path) ? readFileSync(path, 'utf8') : '';
    },
    /** `jmake daemon start`; remembers the pid for cleanup. */
    async start() {
      const result = await project.cli(['daemon', 'start'], { timeoutMs: 120_000 });
      if (result.code !== 0) throw new Error(`jmake daemon start failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}\n${tail(project.daemonLog())}`);
      const pid = project.daemonPid();
      if (pid === null) throw new Error(`daemon started but no .jmake/daemon.json in ${root}`);
      project.pids.add(pid);
      return { pid, ms: result.ms };
    },
    /** `jmake status --json`, parsed; throws an Error with `.code` (the JSON error code) on failure. */
    async statusJson(timeoutMs = 30_000) {
      const result = await project.cli(['status', '--json'], { timeoutMs });
      let parsed = null;
      try { parsed = JSON.parse(result.stdout); } catch { /* reported below */ }
      if (result.code !== 0 || !parsed || parsed.error) {
        const err = new Error(`jmake status --json failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
        err.code = parsed?.error?.code ?? 'no-json';
        throw err;
      }
      return parsed;
    },
    /**
     * Poll `status --json` until watcher.ready. A poll the daemon does not answer in time
     * (daemon-unresponsive: hello not answered within the client's 5 s) counts as not ready yet;
     * those polls and the slowest poll are reported, as the daemon should answer during its scan.
     */
    async waitReady({ deadlineMs, intervalMs }) {
      const started = Date.now();
      const polls = { total: 0, unresponsive: 0, slowestMs: 0, latenciesMs: [] };
      for (;;) {
        polls.total++;
        const t0 = Date.now();
        let status = null;
        try {
          status = await project.statusJson();
        } catch (err) {
          if (err.code !== 'daemon-unresponsive') throw err;
          polls.unresponsive++;
        }
        const took = Date.now() - t0;
        polls.latenciesMs.push(took);
        polls.slowestMs = Math.max(polls.slowestMs, took);
        if (status?.watcher?.ready) return { polls, status, detectedMs: Date.now() - started };
        if (Date.now() - started > deadlineMs) {
          throw new Error(`watcher not ready after ${deadlineMs} ms (${polls.total} polls) in ${root}\n${tail(project.daemonLog())}`);
        }
        await sleep(intervalMs);
      }
    },
    /**
     * Stop the daemon: `jmake daemon stop`; if it is still there (e.g. it did not answer hello in
     * time), SIGTERM, then SIGKILL after 5 s. Synchronous, so it also works from process 'exit'.
     */
    stopSync() {
      const pid = project.daemonPid();
      if (pid !== null) project.pids.add(pid);
      if (pid !== null && isAlive(pid)) project.cliSync(['daemon', 'stop'], 60_000);
      // A daemon whose start was interrupted may not have written daemon.json yet: find it by cwd.
      for (const p of daemonsIn(realRoot)) project.pids.add(p);
      for (const p of project.pids) {
        if (!isAlive(p) || !isDaemonOf(p, realRoot)) continue;
        for (const [signal, graceMs] of [['SIGTERM', 5000], ['SIGKILL', 5000]]) {
          try { process.kill(p, signal); } catch { /* gone */ }
          const until = Date.now() + graceMs;
          while (isAlive(p) && Date.now() < until) spawnSync('sleep', ['0.05']);
          if (!isAlive(p)) break;
        }
        if (isAlive(p)) process.stderr.write(`bench: daemon ${p} of ${root} survived SIGKILL\n`);
      }
      project.pids.clear();
    },
  };
  const undo = onCleanup(() => {
    try { project.stopSync(); } finally { rmSync(dir, { recursive: true, force: true, maxRetries: 5 }); }
  });
  /** Stop the daemon and remove the project's dir now. */
  project.dispose = () => {
    undo();
    try { project.stopSync(); } finally { rmSync(dir, { recursive: true, force: true, maxRetries: 5 }); }
  };
  return project;
}

/** Live jmake daemons running in `realRoot` (a daemon chdirs to its project root). */
function daemonsIn(realRoot) {
  const found = [];
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid !== process.pid && isDaemonOf(pid, realRoot) && isAlive(pid)) found.push(pid);
  }
  return found;
}

/**
 * Guard against pid reuse before signalling: the process must be a jmake daemon (its cmdline is
 * `jmake-daemon`, from process.title, or still names daemon/main.js) whose cwd is this project
 * (the daemon chdirs to its root; " (deleted)" once the dir is gone).
 */
function isDaemonOf(pid, root) {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.startsWith('jmake-daemon') && !cmdline.includes('daemon/main.js')) return false;
    const cwd = readlinkSync(`/proc/${pid}/cwd`).replace(/ \(deleted\)$/, '');
    return cwd === root;
  } catch {
    return false;
  }
}

export function tail(text, n = 30) {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

/** The watcher lines of the daemon's most recent start, from its log. */
export function parseDaemonStart(log) {
  const lines = log.trimEnd().split('\n');
  let startIndex = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i].includes('[log] replayed ')) { startIndex = i; break; }
  }
  const out = { replay: null, chokidar: null, ready: null };
  for (const line of lines.slice(startIndex)) {
    const time = Date.parse(line.slice(0, line.indexOf(' ')));
    let m;
    if ((m = /\[log\] replayed (\d+) records(?: after the snapshot)? to seq (\d+) in ([\d.]+)ms/.exec(line))) {
      out.replay = { time, records: Number(m[1]), seq: Number(m[2]), ms: Number(m[3]), fromSnapshot: line.includes('after the snapshot') };
    } else if ((m = /\[watcher\] chokidar ready: (\d+) files, (\d+) dirs in (\d+)ms/.exec(line))) {
      out.chokidar = { time, files: Number(m[1]), dirs: Number(m[2]), ms: Number(m[3]) };
    } else if ((m = /\[watcher\] ready: (\d+) files, (\d+) hashed, (\d+) changed, in (\d+)ms/.exec(line))) {
      out.ready = { time, files: Number(m[1]), hashed: Number(m[2]), changed: Number(m[3]), ms: Number(m[4]) };
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Formatting

export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1) return `${(ms * 1000).toFixed(ms < 0.1 ? 1 : 0)} µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function fmtBytes(bytes) {
  if (!Number.isFinite(bytes)) return '—';
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  if (bytes >= 2 ** 10) return `${(bytes / 2 ** 10).toFixed(1)} KiB`;
  return `${bytes} B`;
}

export function fmtCount(n) {
  return Number.isFinite(n) ? n.toLocaleString('en-US') : '—';
}

export function log(message) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
