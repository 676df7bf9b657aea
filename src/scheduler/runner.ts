/**
 * Running one tool invocation (execa 9). Each job gets its own process group, so cancelling kills
 * the compiler's children too. Outputs are written under temporary names and renamed only when the
 * tool succeeded; on failure they are removed, so a later build never trusts a half-written file.
 * A failure to spawn that may pass (EAGAIN, EMFILE, ENFILE) is retried; a compile error never is.
 * Very long command lines go through a response file (`@file`).
 *
 * The tool's stdout and stderr go to one temporary file (both descriptors share it, so the lines
 * interleave as the tool wrote them), read back when it exits. Measured here per job (spawn of
 * /bin/true): piping into execa's merged `all` stream cost ~15 ms of CPU, the file ~8 ms (the
 * fork itself ~6 ms) — on 2 cores that CPU is taken from the compilers. With `native`, tools are
 * started by jmake-spawn (native-spawn.ts: posix_spawn, ~0.5 ms), and by execa (or
 * `native.fallback`) when it is missing.
 */
import { closeSync, existsSync, fstatSync, mkdirSync, mkdtempSync, openSync, readSync, renameSync, rmSync, unlink, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { execa } from 'execa';
import { killProcessGroup } from './kill-group.js';
import { NativeSpawn } from './native-spawn.js';
import { describeEscape, escapingLinkTo, realFolderInside, realOrSelf } from '../util/inside-root.js';
import { isErrno } from '../errors.js';
import { sameList } from '../util/same-list.js';

export interface RunSpec {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /**
   * Absolute paths: what the tool writes, and where it goes when it succeeded. `aside`: where the
   * previous output is moved first, to be removed off the event loop (see settleOutputs).
   */
  readonly outputs: readonly { readonly tmp: string; readonly final: string; readonly aside?: string }[];
  /**
   * The project root: the outputs must stay inside it. When a folder on the way to one is a
   * symbolic link out of it, the tool is not run and the job fails saying so (util/inside-root.ts).
   */
  readonly root?: string;
}

export interface RunResult {
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** stdout and stderr, interleaved as the tool wrote them (bounded). */
  readonly output: string;
  readonly durationMs: number;
  readonly spawnError: string | null;
  readonly cancelled: boolean;
}

export interface CommandRunner {
  /**
   * `exited`, when given, is called once the tool exited 0, before its outputs are put in place and
   * its output read: the caller may start the next tool then (runners that cannot tell call it
   * later or not at all).
   */
  run(spec: RunSpec, signal: AbortSignal, exited?: () => void): Promise<RunResult>;
}

const MAX_OUTPUT = 256 * 1024;
const RESPONSE_FILE_OVER = 100_000;
const SPAWN_RETRIES = 3;
// ESPAWNHELPER: jmake-spawn died under the job (which it killed); the retry starts it with execa.
const RETRYABLE_SPAWN = new Set(['EAGAIN', 'EMFILE', 'ENFILE', 'ENOMEM', 'ESPAWNHELPER']);

export interface ProcessRunnerOptions {
  /**
   * Where the folder for the tools' output files is made, created when missing (default: the OS
   * temp dir). The daemon passes one inside its state dir, which it clears at start: the folder is
   * removed when the process exits, but a killed process cannot.
   */
  readonly tempDir?: string;
  /** Start tools through jmake-spawn when it can be built (native-spawn.ts); `log` says when not. */
  readonly native?: {
    readonly env: NodeJS.ProcessEnv;
    readonly log: (message: string) => void;
    /**
     * Who runs the jobs jmake-spawn cannot (it could not be built, or it died under them). By
     * default execa, from this process; the daemon passes the spawner process, so that it never
     * forks itself (see spawner.ts).
     */
    readonly fallback?: CommandRunner;
  };
}

export class ProcessRunner implements CommandRunner {
  private logDir: string | null = null;
  private logCount = 0;
  private native: Promise<NativeSpawn | null> | null = null;
  /** What `native` resolved to; undefined until then. */
  private opened: NativeSpawn | null | undefined = undefined;
  /** Output files of finished jmake-spawn jobs, for the next ones (at most one per job running at once). */
  private readonly spareLogs: JobLog[] = [];
  /** The response file last written for each output, and the command line whose arguments it holds. */
  private readonly responseFiles = new Map<string, { argv: readonly string[]; path: string }>();
  private readonly realRoots = new Map<string, string>();

  constructor(private readonly options: ProcessRunnerOptions = {}) {}

  /** jmake-spawn, opened on first use; null: start tools with execa. */
  private nativeSpawn(): Promise<NativeSpawn | null> {
    const wanted = this.options.native;
    if (!wanted) return Promise.resolve(null);
    this.native ??= NativeSpawn.open(wanted.env).then((opened) => {
      if (opened instanceof NativeSpawn) return (this.opened = opened);
      wanted.log(`tools are started ${wanted.fallback ? 'by the spawner process' : 'with execa'}: ${opened.reason}`);
      return (this.opened = null);
    });
    return this.native.then((native) => (native?.alive ? native : null));
  }

  /**
   * Open jmake-spawn now, before any job wants it: its start (a fork of this process, and the
   * first time a compile of the helper) cost the first job of a daemon's first build ~30 ms at 10k
   * sources here. A job that comes meanwhile waits for the same opening.
   */
  warm(): void {
    this.nativeSpawn().catch(() => undefined); // a failure is the first job's to report
  }

  /**
   * The helper without waiting, once it was opened: a job's start then runs without a turn of the
   * event loop up to the write that asks for its spawn (an await would let the previous job's
   * bookkeeping go first). A promise only before the first job.
   */
  private nativeNow(): NativeSpawn | null | Promise<NativeSpawn | null> {
    if (this.opened === undefined || !this.options.native) return this.nativeSpawn();
    return this.opened?.alive ? this.opened : null;
  }

  /**
   * The root's real path, looked up once. Were the root itself moved behind a link later, the
   * quick check fails and the walk (with fresh real paths) decides: never a write let through.
   */
  private realRoot(root: string): string {
    let real = this.realRoots.get(root);
    if (real === undefined) this.realRoots.set(root, (real = realOrSelf(root)));
    return real;
  }

  /** Stop the helper (it exits once its children have) and remove the private folder. */
  async close(): Promise<void> {
    (await this.native)?.close();
    for (const log of this.spareLogs.splice(0)) dropLog(log);
    this.responseFiles.clear();
    if (this.logDir !== null) rmSync(this.logDir, { recursive: true, force: true });
    this.logDir = null;
  }

  async run(spec: RunSpec, signal: AbortSignal, exited?: () => void): Promise<RunResult> {
    const fallback = this.options.native?.fallback;
    if (fallback) {
      const now = this.nativeNow();
      if (!(now instanceof Promise ? await now : now)) return fallback.run(spec, signal, exited);
    }
    // Every folder is checked before any is made. The temp file's folder is usually inside the
    // output's (plan.ts, tempPathOf): then checking the first checks both.
    const realRoot = spec.root === undefined ? undefined : this.realRoot(spec.root);
    const missing: string[] = [];
    for (const { tmp, final } of spec.outputs) {
      const paths = folderWithin(dirname(final), dirname(tmp)) ? [tmp] : [tmp, final];
      for (const path of paths) {
        const folder = spec.root === undefined ? { exists: false } : outputFolder(spec.root, path, realRoot);
        if ('refused' in folder) return { exitCode: 1, signal: null, output: `jmake: ${folder.refused}\n`, durationMs: 0, spawnError: null, cancelled: false };
        if (!folder.exists) missing.push(dirname(path));
      }
    }
    for (const folder of missing) mkdirSync(folder, { recursive: true });
    for (const { tmp } of spec.outputs) removeTemp(tmp);
    const file = spec.argv[0]!;
    const rsp = this.responseFile(spec);
    const args = rsp ? [`@${rsp}`] : spec.argv.slice(1); // (not `[file, ...args] =`: an iterator step per argument)
    let attempt = 0;
    for (;;) {
      const result = await this.once(file, args, spec, signal, exited);
      if (result.spawnError === 'ESPAWNHELPER' && fallback && !signal.aborted) {
        this.settleOutputs(spec, result); // removes what the killed job half-wrote
        return fallback.run(spec, signal, exited);
      }
      if (result.spawnError && RETRYABLE_SPAWN.has(result.spawnError) && attempt < SPAWN_RETRIES && !signal.aborted) {
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt++));
        continue;
      }
      return this.settleOutputs(spec, result);
    }
  }

  private async once(file: string, args: readonly string[], spec: RunSpec, signal: AbortSignal, exited: (() => void) | undefined): Promise<RunResult> {
    const started = performance.now();
    if (signal.aborted) return { exitCode: null, signal: null, output: '', durationMs: 0, spawnError: null, cancelled: true };
    const now = this.nativeNow();
    const native = now instanceof Promise ? await now : now;
    if (native) {
      // jmake-spawn opens the file for the tool itself (O_TRUNC), so one file serves job after job:
      // creating and removing one per job cost ~0.3 ms of the daemon's time here.
      const log = this.spareLogs.pop() ?? this.newLog();
      const result = await this.spawnNative(native, log.fd, log.path, file, args, spec, signal, started, exited);
      // A tool stopped by a signal may have left a child writing to it: that file is not reused.
      if (result.exitCode !== null && !result.cancelled) this.spareLogs.push(log);
      else dropLog(log);
      return result;
    }
    if (this.options.native?.fallback) return { exitCode: null, signal: null, output: '', durationMs: 0, spawnError: 'ESPAWNHELPER', cancelled: false };
    // execa hands the descriptor itself to the tool, whose writes then move its offset: a fresh file each time.
    const log = this.newLog();
    try {
      return await this.spawnInto(log.fd, file, args, spec, signal, started, exited);
    } finally {
      dropLog(log);
    }
  }

  private newLog(): JobLog {
    const path = join(this.logs(), `${++this.logCount}.log`);
    return { path, fd: openSync(path, 'w+', 0o600) };
  }

  private async spawnInto(log: number, file: string, args: readonly string[], spec: RunSpec, signal: AbortSignal, started: number, exited: (() => void) | undefined): Promise<RunResult> {
    // execa passes a descriptor straight to the child; its types only name 3..9, its docs any integer.
    const into = log as 3;
    const child = execa(file, args, {
      cwd: spec.cwd, env: spec.env, extendEnv: false, reject: false, detached: true, stdin: 'ignore', stdout: into, stderr: into,
    });
    const killGroup = () => {
      if (child.pid !== undefined) killProcessGroup(child.pid);
    };
    signal.addEventListener('abort', killGroup, { once: true });
    const result = await child;
    signal.removeEventListener('abort', killGroup);
    const durationMs = performance.now() - started;
    if (result.exitCode === 0 && !signal.aborted) exited?.();
    const spawnError = result.exitCode === undefined && !result.signal ? ((result as { code?: string }).code ?? 'ESPAWN') : null;
    return {
      exitCode: result.exitCode ?? null,
      signal: result.signal ?? null,
      output: readBounded(log, MAX_OUTPUT),
      durationMs,
      spawnError: spawnError ? `${spawnError}` : null,
      cancelled: signal.aborted,
    };
  }

  /** Through jmake-spawn: the helper opens `logPath` for the tool; it is read back through `log`. */
  private async spawnNative(native: NativeSpawn, log: number, logPath: string, file: string, args: readonly string[], spec: RunSpec, signal: AbortSignal, started: number, exited: (() => void) | undefined): Promise<RunResult> {
    const outcome = await native.run(file, args, spec.cwd, spec.env, logPath, signal);
    const durationMs = performance.now() - started;
    if (outcome.kind === 'exited' && outcome.code === 0 && !signal.aborted) exited?.();
    return {
      exitCode: outcome.kind === 'exited' ? outcome.code : null,
      signal: outcome.kind === 'signalled' ? outcome.signal : null,
      output: outcome.kind === 'spawn-error' ? '' : readBounded(log, MAX_OUTPUT),
      durationMs,
      spawnError: outcome.kind === 'spawn-error' ? outcome.code : null,
      cancelled: signal.aborted,
    };
  }

  /**
   * Put a succeeded job's outputs in place (one rename each, which also finds a missing one); remove
   * what a failed one left. With `aside`, the previous output is first renamed out of the way and
   * removed later on libuv's threads: renaming over it freed its blocks inside the rename, on the
   * event loop and between a compile and its link (0.8 ms for an object here, 2 ms for a binary;
   * moving it aside ~0.05 ms). A crash between the two renames leaves the output missing, so it is
   * built again; never a stale output under the final name.
   */
  private settleOutputs(spec: RunSpec, result: RunResult): RunResult {
    const ok = result.exitCode === 0 && !result.cancelled;
    if (!ok) {
      for (const { tmp } of spec.outputs) removeTemp(tmp);
      return result;
    }
    for (const { tmp, final, aside } of spec.outputs) {
      const movedAside = aside !== undefined && moveAside(final, aside);
      try {
        renameSync(tmp, final);
      } catch (err) {
        if (movedAside) putBack(aside, final);
        if (!isErrno(err, 'ENOENT') || existsSync(tmp)) throw err;
        return { ...result, exitCode: 1, output: `${result.output}jmake: the tool exited 0 but did not write ${final}\n` };
      }
      if (movedAside) unlink(aside, () => undefined); // a later build's own move aside replaces it anyway
    }
    return result;
  }

  /** A private folder for the tools' output files, made on first use, removed when the process exits. */
  private logs(): string {
    if (this.logDir === null) {
      const parent = this.options.tempDir ?? tmpdir();
      mkdirSync(parent, { recursive: true });
      const dir = mkdtempSync(join(parent, 'jmake-job-output-'));
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
      this.logDir = dir;
    }
    return this.logDir;
  }

  /**
   * gcc, clang, ar and the LLVM tools all read `@file` (whitespace-separated, quotes honoured). The
   * file is kept in the private folder and written again only when the arguments changed: a relink
   * of the same 10k objects after an edit reuses it. Rendering, writing and removing its ~0.7 MB
   * each time cost ~5 ms, then ~1.5 ms, of every such link's start and end here. The builder passes
   * the same argv array for the same job (Builder.toolArgv), so the usual check is one comparison.
   */
  private responseFile(spec: RunSpec): string | null {
    if (spec.outputs.length === 0) return null;
    const argv = spec.argv;
    const output = spec.outputs[0]!.final;
    const last = this.responseFiles.get(output);
    if (last && sameList(last.argv, argv) && existsSync(last.path)) return last.path;
    let length = 0;
    for (let i = 1; i < argv.length; i++) length += argv[i]!.length + 1;
    if (length < RESPONSE_FILE_OVER) return null;
    const path = join(this.logs(), `${++this.logCount}.rsp`);
    writeFileSync(path, argv.slice(1).map(responseFileArg).join('\n'));
    if (last) unlink(last.path, () => undefined);
    this.responseFiles.set(output, { argv, path });
    return path;
  }
}

/** Quoted only when it must be: quoting each of a 10k-object link's arguments cost ~5 ms. */
function responseFileArg(arg: string): string {
  return arg !== '' && !RESPONSE_FILE_SPECIAL.test(arg) ? arg : `"${arg.replace(/[\\"]/g, '\\$&')}"`;
}

/** What separates or quotes arguments in a response file (gcc's and LLVM's readers alike). */
const RESPONSE_FILE_SPECIAL = /[\s"'\\]/;

/**
 * Rename the previous output out of the way; false when there is none. Looked for first: a rename
 * that fails builds an Error with its stack, and in a build from clean every job has none.
 */
function moveAside(final: string, aside: string): boolean {
  if (!existsSync(final)) return false;
  try {
    renameSync(final, aside);
    return true;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false;
    throw err;
  }
}

function putBack(aside: string, final: string): void {
  try {
    renameSync(aside, final);
  } catch {
    // The previous output is gone: the job failed, so the next build runs it again anyway.
  }
}

/**
 * Remove a temp output if it is there (it is not, but after a killed build). One access, and an
 * unlink when there is one: an unlink that fails builds an Error with its stack (~9 us hot, ~0.2 ms
 * a job inside a build beside the compilers here); rmSync looks with two lstats.
 */
function removeTemp(path: string): void {
  if (!existsSync(path)) return;
  try {
    unlinkSync(path);
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) rmSync(path, { force: true });
  }
}

/** A file a tool's stdout and stderr go to, and the daemon's descriptor for reading it back. */
interface JobLog {
  readonly path: string;
  readonly fd: number;
}

function dropLog(log: JobLog): void {
  closeSync(log.fd);
  rmSync(log.path, { force: true });
}

/**
 * Whether an output's folder may be written (no folder on the way is a link out of the root), and
 * whether it is known to exist already (then it need not be made). The usual case, a folder that
 * exists and whose real path is inside the root's, takes one realpath call; the walk that names
 * the link runs otherwise (inside-root.ts). Walking every folder with lstat, then making it, cost
 * ~0.2 ms a job in a build beside the compilers here.
 */
function outputFolder(root: string, file: string, realRoot: string | undefined): { refused: string } | { exists: boolean } {
  const rel = relative(root, file);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return { refused: `${file} is outside the project ${root}: jmake writes only inside it` };
  if (realFolderInside(root, dirname(file), realRoot)) return { exists: true };
  const escape = escapingLinkTo(root, rel.split(sep).join('/'));
  if (escape) {
    const { message, hint } = describeEscape(escape);
    return { refused: `${message}\n  hint: ${hint}` };
  }
  return { exists: false };
}

/** Whether `folder` is `parent` or a folder below it (plain path comparison). */
function folderWithin(parent: string, folder: string): boolean {
  return folder === parent || folder.startsWith(`${parent}${sep}`);
}

/** The first `max` bytes of what the tool wrote, marked when there was more. */
function readBounded(fd: number, max: number): string {
  const size = fstatSync(fd).size;
  const buffer = Buffer.alloc(Math.min(size, max));
  let read = 0;
  while (read < buffer.length) {
    const n = readSync(fd, buffer, read, buffer.length - read, read);
    if (n === 0) break;
    read += n;
  }
  const text = buffer.subarray(0, read).toString('utf8');
  return size > max ? `${text}\n[output truncated]\n` : text;
}

