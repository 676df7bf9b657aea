/**
 * A real project in a temp dir, driven through the real CLI (bin/run.cjs), with its own
 * XDG_RUNTIME_DIR so its daemon cannot meet any other test's. If the test fails, the daemon log
 * is printed; afterwards the daemon is stopped (killed if it does not stop) and the dir removed.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { onTestFailed } from 'vitest';
import { waitFor } from './wait.js';
import { isAlive } from '../../src/client/connect.js';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const BIN = join(REPO_ROOT, 'bin', 'run.cjs');
/** What users run: the native client when `npm run build` could compile it, else the Node CLI. */
export const NATIVE_BIN = join(REPO_ROOT, 'bin', 'jmake');
/** The XDG cache folder of every test daemon: only tool versions land there (compile caches are per test). */
const SHARED_XDG_CACHE = join(tmpdir(), 'jmake-tests-xdg-cache');

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface TestProject {
  readonly root: string;
  readonly runtimeDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Run `jmake ARGS` in the project (or `cwd`), through the Node CLI (or bin/jmake: `native`). */
  run(args: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Run with --json and parse stdout (throws with the output if it is not one JSON document). */
  json<T = any>(args: readonly string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }): Promise<T>;
  daemonPid(): number | null;
  daemonLog(): string;
  path(rel: string): string;
  /** Run `fn` at dispose, after the daemon stopped and before the dir is removed (unmount, say). */
  onDispose(fn: () => void): void;
  dispose(): Promise<void>;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly native?: boolean;
}

const live = new Set<TestProject>();

export async function createProject(fixture = 'hello', options: { parent?: string } = {}): Promise<TestProject> {
  const base = mkdtempSync(join(options.parent ?? tmpdir(), 'jmake-test-'));
  const root = join(base, 'project');
  const source = join(REPO_ROOT, 'fixtures', fixture);
  // Only the fixture itself: not the state or outputs of a daemon someone ran in fixtures/ (the
  // README's quick start builds fixtures/hello, which writes compile_commands.json there too).
  const skip = [join(source, '.jmake'), join(source, 'build'), join(source, 'compile_commands.json')];
  cpSync(source, root, { recursive: true, filter: (src) => !skip.some((s) => src === s || src.startsWith(`${s}/`)) });
  const runtimeDir = join(base, 'run');
  mkdirSync(runtimeDir, { mode: 0o700 });
  const tmp = join(base, 'tmp');
  mkdirSync(tmp);
  // Both candidates for the socket dir are private to this test: no other daemon is ever listed.
  // Its own compile cache too: a test that expects a compile must not find it cached by another.
  // The tool versions (keyed by each binary's path, size and mtime) are shared: probing them costs
  // every new daemon seconds.
  const env: NodeJS.ProcessEnv = {
    ...process.env, XDG_RUNTIME_DIR: runtimeDir, TMPDIR: tmp, XDG_CACHE_HOME: SHARED_XDG_CACHE, JMAKE_CACHE_DIR: join(base, 'cache'), NO_COLOR: '1',
  };
  // Loading a CA bundle costs every node process ~60 ms here, and jmake makes no TLS connection.
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.JMAKE_TEST_DAEMON_VERSION;
  // vitest sets NODE_ENV=test, which a user's shell does not: oclif then warns about commands
  // that failed to parse their flags (`[UnparsedCommand]`), with the pid in the line.
  delete env.NODE_ENV;

  const run = async (args: readonly string[], opts: RunOptions = {}): Promise<RunResult> => {
    const [file, ...argv] = opts.native ? [NATIVE_BIN, ...args] : [process.execPath, BIN, ...args];
    const result = await execa(file!, argv, {
      cwd: opts.cwd ?? root, env: opts.env ?? env, extendEnv: false, reject: false, timeout: 60_000,
    });
    return { code: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
  };

  const disposers: (() => void)[] = [];
  const project: TestProject = {
    root,
    runtimeDir,
    env,
    run,
    async json(args, opts) {
      const result = await run([...args, '--json'], opts);
      try {
        return JSON.parse(result.stdout);
      } catch {
        throw new Error(`jmake ${args.join(' ')} --json printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
      }
    },
    daemonPid() {
      try {
        return (JSON.parse(readFileSync(join(root, '.jmake', 'daemon.json'), 'utf8')) as { pid: number }).pid;
      } catch {
        return null;
      }
    },
    daemonLog() {
      const path = join(root, '.jmake', 'daemon.log');
      return existsSync(path) ? readFileSync(path, 'utf8') : '(no daemon log)';
    },
    path(rel) {
      return join(root, rel);
    },
    onDispose(fn) {
      disposers.push(fn);
    },
    async dispose() {
      live.delete(project);
      const pid = project.daemonPid();
      if (pid !== null && isAlive(pid)) {
        await run(['daemon', 'stop']);
        if (isAlive(pid)) process.kill(pid, 'SIGKILL');
        await waitFor(() => !isAlive(pid), { what: `daemon ${pid} to exit`, timeoutMs: 10_000 }).catch(() => undefined);
      }
      for (const fn of disposers.splice(0)) fn();
      rmSync(base, { recursive: true, force: true });
    },
  };
  live.add(project);
  // Without an afterEach(disposeAll) this is where the log is printed; with one, disposeAll prints
  // it (it runs first, and removes the dir).
  onTestFailed(() => {
    if (live.has(project)) printDaemonLog(project);
  });
  return project;
}

export { isAlive } from '../../src/client/connect.js';

function tailLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

function printDaemonLog(project: TestProject): void {
  process.stderr.write(`\n----- daemon log of ${project.root} -----\n${tailLines(project.daemonLog(), 80)}\n-----\n`);
}

/** Dispose every project a test file created (use in afterEach); after a failed test, print their daemon logs first. */
export async function disposeAll(context?: { task?: { result?: { state?: string } } }): Promise<void> {
  if (context?.task?.result?.state === 'fail') for (const p of live) printDaemonLog(p);
  await Promise.all([...live].map((p) => p.dispose()));
}

/**
 * Start a daemon that reports another version (JMAKE_TEST_DAEMON_VERSION). The starting client
 * itself refuses to talk to it (it says so and exits 1), so its pid and socket come from
 * `daemon status`, which never replaces a daemon.
 */
export async function startDaemonOfVersion(p: TestProject, version: string): Promise<{ pid: number; socket: string; version: string }> {
  await p.run(['daemon', 'start'], { env: { ...p.env, JMAKE_TEST_DAEMON_VERSION: version } });
  const status = await p.json<{ running: boolean; pid: number; socket: string; version: string }>(['daemon', 'status']);
  if (!status.running || status.version !== version) throw new Error(`no daemon of version ${version} is running: ${JSON.stringify(status)}`);
  return status;
}
