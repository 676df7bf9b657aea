/**
 * Starting tools through jmake-spawn (native/jmake-spawn.c), a ~1 MB helper that calls
 * posix_spawn, instead of forking the Node spawner for every job.
 *
 * Measured here per job (2 cores): a spawn from Node (execa) ~6 ms of CPU and 6-12 ms of wall time,
 * most of it the fork of a ~60 MB process and the wait for the child's exec; posix_spawn from a
 * small process ~0.5 ms. ninja spawns that way; the difference was most of jmake's gap to ninja in
 * a full build (docs/performance.md).
 *
 * The helper is compiled once per machine and source version with the C compiler jmake builds
 * with anyway (`cc`, `gcc` or `clang` on PATH), into the user's cache folder. When it cannot be
 * compiled or started, or `JMAKE_NATIVE_SPAWN=0` is set, jobs are started with execa as before
 * (`NativeSpawn.open` answers `{ reason }` instead of a helper).
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { arch, constants as osConstants } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { userCacheDir } from '../cache/dir.js';
import { packageRoot } from '../package-root.js';
import { killProcessGroup } from './kill-group.js';

/** How a tool started through the helper ended. */
export type NativeOutcome =
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'signalled'; readonly signal: string }
  | { readonly kind: 'spawn-error'; readonly code: string };

interface Pending {
  pid: number | null;
  killWhenStarted: boolean;
  resolve(outcome: NativeOutcome): void;
}

const COMPILE_TIMEOUT_MS = 60_000;
const HELPER_OPTIONS = { stdin: 'pipe', stdout: 'pipe', stderr: 'inherit', buffer: false, reject: false, extendEnv: false } as const;
type HelperProcess = ResultPromise<typeof HELPER_OPTIONS & { env: NodeJS.ProcessEnv }>;
const SIGNAL_NAMES = new Map(Object.entries(osConstants.signals).map(([name, number]) => [number, name]));
const ERRNO_NAMES = new Map(Object.entries(osConstants.errno).map(([name, number]) => [number, name]));

function helperSourcePath(): string {
  return join(packageRoot(), 'src', 'scheduler', 'native', 'jmake-spawn.c');
}

/**
 * The helper's binary for this source, compiled if needed: its path, or why there is none.
 * Several daemons may compile it at once: each writes a temp file and renames it into place.
 */
export async function helperBinary(env: NodeJS.ProcessEnv): Promise<{ path: string } | { reason: string }> {
  const source = helperSourcePath();
  let text: Buffer;
  try {
    text = readFileSync(source);
  } catch (err) {
    return { reason: `cannot read ${source}: ${(err as Error).message}` };
  }
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const dir = join(userCacheDir(env), 'bin');
  const path = join(dir, `jmake-spawn-${digest}-${arch()}`);
  if (isExecutable(path)) return { path };
  const tmp = `${path}.${process.pid}.tmp`;
  const failures: string[] = [];
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    return { reason: `cannot create ${dir}: ${(err as Error).message}` };
  }
  for (const cc of [env.CC, 'cc', 'gcc', 'clang'].filter((c): c is string => Boolean(c))) {
    const compiled = await execa(cc, ['-O2', '-o', tmp, source], { env, extendEnv: false, reject: false, timeout: COMPILE_TIMEOUT_MS, stdin: 'ignore', all: true });
    if (compiled.exitCode === 0 && isExecutable(tmp)) {
      renameSync(tmp, path);
      return { path };
    }
    rmSync(tmp, { force: true });
    failures.push(`${cc}: ${compiled.exitCode === undefined ? compiled.code ?? 'cannot run' : `exit ${compiled.exitCode}`}${compiled.all ? ` (${String(compiled.all).trim().split('\n')[0]})` : ''}`);
  }
  return { reason: `cannot compile ${source}: ${failures.join('; ')}` };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Where `file` is, as execa would find it: a name with a slash is taken as it is (relative to the
 * job's folder), a bare name is looked up in the job's own PATH. null: not found (ENOENT).
 */
export function resolveExecutable(file: string, cwd: string, path: string | undefined): string | null {
  if (file.includes('/')) return file;
  for (const dir of (path ?? '').split(delimiter)) {
    const candidate = resolve(cwd, dir === '' ? '.' : dir, file);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function hasNul(text: string): boolean {
  return text.includes('\0');
}

/**
 * An environment as the helper reads it (`envc env...`, each field NUL-terminated), or null when a
 * name or value holds a NUL. Rendered once per environment object, which must not change after its
 * first job: the builder passes one copy to every job (Builder.jobEnv); rendering it cost ~0.1 ms a
 * job beside the compilers here.
 */
const renderedEnvs = new WeakMap<NodeJS.ProcessEnv, string | null>();
function renderedEnv(env: NodeJS.ProcessEnv): string | null {
  let rendered = renderedEnvs.get(env);
  if (rendered === undefined) {
    const entries = Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined).map(([k, v]) => `${k}=${v}`);
    rendered = entries.some(hasNul) ? null : `${entries.length}\0${entries.map((e) => `${e}\0`).join('')}`;
    // (process.env itself may still change: rendered each time.)
    if (env !== process.env) renderedEnvs.set(env, rendered);
  }
  return rendered;
}

/** One helper process, shared by every job of the spawner. */
export class NativeSpawn {
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  private buffered = '';
  private failure: string | null = null;

  private constructor(private readonly child: HelperProcess) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.onData(chunk));
    child.catch(() => undefined).finally(() => this.fail(`jmake-spawn exited (${child.exitCode ?? child.signalCode ?? 'unknown'})`));
    child.stdin.on('error', () => undefined); // the exit above reports it
  }

  /** The helper, or why there is none (jobs are then started with execa). */
  static async open(env: NodeJS.ProcessEnv): Promise<NativeSpawn | { reason: string }> {
    if (env.JMAKE_NATIVE_SPAWN === '0') return { reason: 'JMAKE_NATIVE_SPAWN=0' };
    if (process.platform !== 'linux' && process.platform !== 'darwin') return { reason: `not on ${process.platform}` };
    const binary = await helperBinary(env);
    if ('reason' in binary) return binary;
    const child = execa(binary.path, [], { ...HELPER_OPTIONS, env });
    if (child.pid === undefined) {
      const settled = await child;
      return { reason: `cannot start ${binary.path}: ${(settled as { code?: string }).code ?? 'spawn failed'}` };
    }
    return new NativeSpawn(child);
  }

  /** False once the helper died: the caller starts jobs with execa from then on. */
  get alive(): boolean {
    return this.failure === null;
  }

  /**
   * Run `file args` in `cwd` with exactly `env`, stdout and stderr into `outputPath`, in its own
   * process group. Aborting `signal` sends the group SIGTERM, then SIGKILL after 2 s.
   */
  run(file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, outputPath: string, signal: AbortSignal): Promise<NativeOutcome> {
    if (this.failure !== null) return Promise.resolve({ kind: 'spawn-error', code: 'ESPAWNHELPER' });
    const executable = resolveExecutable(file, cwd, env.PATH);
    if (executable === null) return Promise.resolve({ kind: 'spawn-error', code: 'ENOENT' });
    // The helper's fields are NUL-separated: one inside a field would shift every field after it.
    const environment = renderedEnv(env);
    if (environment === null || hasNul(cwd) || hasNul(outputPath) || hasNul(executable) || hasNul(file) || args.some(hasNul)) {
      return Promise.resolve({ kind: 'spawn-error', code: 'EINVAL' });
    }
    const id = String(this.nextId++);
    return new Promise((resolveOutcome) => {
      const entry: Pending = { pid: null, killWhenStarted: false, resolve: resolveOutcome };
      const onAbort = () => {
        if (entry.pid === null) entry.killWhenStarted = true;
        else killProcessGroup(entry.pid);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      entry.resolve = (outcome) => {
        signal.removeEventListener('abort', onAbort);
        resolveOutcome(outcome);
      };
      this.pending.set(id, entry);
      let request = `run\0${id}\0${cwd}\0${outputPath}\0${executable}\0${args.length + 1}\0${file}\0`;
      for (let i = 0; i < args.length; i++) request += `${args[i]}\0`; // (indexed: no iterator per argument)
      this.child.stdin.write(request + environment);
    });
  }

  close(): void {
    this.child.stdin.end();
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    let newline: number;
    while ((newline = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, newline);
      this.buffered = this.buffered.slice(newline + 1);
      const [kind, id, value] = line.split(' ') as [string, string, string];
      const entry = this.pending.get(id);
      if (!entry) continue;
      const number = Number(value);
      if (kind === 'S') {
        entry.pid = number;
        if (entry.killWhenStarted) killProcessGroup(number);
        continue;
      }
      this.pending.delete(id);
      if (kind === 'X') entry.resolve({ kind: 'exited', code: number });
      else if (kind === 'K') entry.resolve({ kind: 'signalled', signal: SIGNAL_NAMES.get(number) ?? `signal ${number}` });
      else entry.resolve({ kind: 'spawn-error', code: ERRNO_NAMES.get(number) ?? `errno ${number}` });
    }
  }

  private fail(reason: string): void {
    if (this.failure !== null) return;
    this.failure = reason;
    for (const [id, entry] of this.pending) {
      this.pending.delete(id);
      if (entry.pid !== null) killProcessGroup(entry.pid);
      entry.resolve({ kind: 'spawn-error', code: 'ESPAWNHELPER' });
    }
  }
}
