/**
 * Every message between a client and the daemon. The wire format is in docs/protocol.md:
 *
 *   client -> daemon   {"type":"request","data":{"rid":N,"method":M,"params":{...}}} \f
 *   daemon -> client   {"type":"reply","data":{"rid":N,"ok":true,"result":{...}}} \f
 *                      {"type":"reply","data":{"rid":N,"ok":false,"error":{"code":C,"message":S}}} \f
 *                      {"type":"progress","data":{"rid":N,"progress":{...}}} \f   (zero or more, before the reply)
 *
 * The first request on a connection must be `hello`. `hello` and `shutdown` keep their shape in
 * every protocol version, so a client can always find out who it talks to and replace it.
 */
import type { JmakeEvent } from '../../events/types.js';

export const PROTOCOL_VERSION = 1;
/** Frames larger than this (either way) are refused; large answers are paged. */
export const MAX_FRAME_BYTES = 1 << 20;
export const FRAME_DELIMITER = '\f';

export interface HelloParams {
  readonly protocol: number;
  readonly version: string;
  /** Free text for the daemon log, e.g. "jmake-cli status". */
  readonly client?: string;
}

export interface HelloResult {
  readonly protocol: number;
  readonly version: string;
  readonly pid: number;
  /** Changes every time a daemon starts: a client that sees it change knows the daemon restarted. */
  readonly instance: string;
  readonly root: string;
  readonly lastSeq: number;
  /** True while work other than this connection's is in progress (replacing it now would hurt). */
  readonly busy: boolean;
  /** False when the versions differ: only `shutdown` is accepted then. */
  readonly compatible: boolean;
}

export interface WatcherHealth {
  readonly ready: boolean;
  /** Directories and files chokidar holds a watch on. */
  readonly watchedPaths: number;
  readonly errors: readonly { readonly code: string; readonly path: string; readonly message: string; readonly time: number }[];
  /** Paths that could not be watched and are scanned every `pollIntervalMs` instead. */
  readonly fallbacks: readonly string[];
  readonly pollIntervalMs: number;
  /** The folders watched for inputs (from jmake.toml's discovery, include dirs and jobs); null: the whole tree. */
  readonly scope: readonly string[] | null;
  readonly rescans: number;
  /** watcher-overflow events: watch limit reached (paths polled) or a possible queue overflow (rescanned). */
  readonly overflows: number;
  readonly lastRescan: { readonly seq: number; readonly reason: string; readonly changed: number } | null;
  /** Whether the answer waited for the watcher to catch up (false: the watcher was not ready yet). */
  readonly synced: boolean;
  /** Inputs outside the watched paths (system headers, out-of-scope headers) with an inotify watch of their own. */
  readonly externalWatches: number;
}

export interface StatusResult {
  readonly daemon: {
    readonly pid: number;
    readonly version: string;
    readonly protocol: number;
    readonly instance: string;
    readonly uptimeMs: number;
    readonly startedAt: number;
    readonly socket: string;
  };
  readonly root: string;
  readonly files: { readonly tracked: number; readonly changedSinceBuild: number };
  readonly events: { readonly lastSeq: number; readonly logBytes: number };
  readonly watcher: WatcherHealth;
  readonly config: { readonly ok: boolean; readonly error: ConfigErrorInfo | null };
  readonly log: { readonly recoveredAtStart: boolean; readonly writeError: string | null };
  /** `[distributed]` hosts and the compiles each took since the daemon started; null when compiles stay local. */
  readonly distributed: DistributedStatus | null;
  readonly builds: {
    readonly running: boolean;
    readonly count: number;
    /** Jobs whose last outcome the daemon remembers. */
    readonly jobs: number;
    readonly last: {
      readonly build: number; readonly ok: boolean; readonly jobsRun: number; readonly failed: number; readonly durationMs: number; readonly finishedAt: number;
      /** `change`: the daemon started it because an input changed. */
      readonly trigger: 'request' | 'change';
      /** Jobs that change builds ran before this request, which it reported as its own. */
      readonly carried: number;
    } | null;
  };
}

export interface ConfigErrorInfo {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export interface EventsParams {
  readonly since?: number;
  readonly types?: readonly string[];
  readonly limit?: number;
  /** Keep the request open and send every new matching event as progress. */
  readonly follow?: boolean;
}

export interface EventsResult {
  readonly events: readonly JmakeEvent[];
  /** Ask again with since = next for more; null at the end of the log. */
  readonly next: number | null;
  readonly lastSeq: number;
}

export interface BuildParams {
  /** Target names; empty or absent: every target. */
  readonly targets?: readonly string[];
  readonly profile?: string;
  readonly force?: boolean;
  /** Parallel jobs; default: the number of cores. */
  readonly jobs?: number;
  readonly keepGoing?: boolean;
  /** Say why each job runs. */
  readonly explain?: boolean;
  /** Send each job's command line with its start (`-v`); without it, a 10k-object link's ~0.4 MB command line stays in the daemon. */
  readonly verbose?: boolean;
  /** Decide, but run nothing. */
  readonly dryRun?: boolean;
  /** Also return the stored diagnostics of jobs that are up to date. */
  readonly warnings?: boolean;
  /** Neither restore from nor store into the compile cache. */
  readonly noCache?: boolean;
  /**
   * false: send no progress frames (a client that prints only the result, `jmake build --json`).
   * Two frames a job cost ~0.25 ms of the daemon's time each, beside the compilers.
   */
  readonly progress?: boolean;
  /** CC, CXX, CFLAGS, CXXFLAGS, LDFLAGS of the client: part of the job keys. */
  readonly env?: Readonly<Record<string, string>>;
  /** The client's PATH: where the tools are found (a different compiler on PATH is a different tool). */
  readonly path?: string;
}

export interface DiagnosticInfo {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly severity: 'error' | 'warning' | 'note';
  readonly message: string;
}

export type JobStatus = 'succeeded' | 'failed' | 'cached' | 'skipped' | 'would-run';

export interface JobReport {
  readonly id: string;
  readonly kind: string;
  /** Absolute path. */
  readonly output: string;
  readonly status: JobStatus;
  readonly durationMs: number;
  /** The tool's output, without colour codes. */
  readonly log: string;
  /** Why it ran (or would run). */
  readonly reason: string;
  readonly command?: readonly string[];
  /** Run by a build the daemon started when an input changed, before this request came (`[daemon] build_on_change`). */
  readonly startedOnChange?: boolean;
  /** `[distributed]`: the distcc host that compiled it (`localhost` when distcc ran it here). */
  readonly host?: string;
  /** `[distributed]`: why distcc compiled it locally instead of on `host`. */
  readonly fellBack?: string;
}

export interface DistributedStatus {
  /** Each configured host, with the compiles it took and those that fell back to local since the daemon started. */
  readonly hosts: readonly { readonly host: string; readonly slots: number; readonly jobs: number; readonly fallbacks: number }[];
}

export interface BuildResult {
  readonly ok: boolean;
  /** The build's id: the seq of its build-started event (0 for a dry run). */
  readonly build: number;
  readonly jobsRun: number;
  readonly durationMs: number;
  /** Absolute paths of every final artifact, in declaration order, also on a no-op. */
  readonly outputs: readonly string[];
  readonly jobs: readonly JobReport[];
  /** Parsed from the output of the jobs this build ran. */
  readonly diagnostics: readonly DiagnosticInfo[];
  /** With `warnings`: those recorded when the up-to-date jobs last ran. */
  readonly earlierDiagnostics: readonly DiagnosticInfo[];
  /** Problems in jmake.toml that did not stop the build (unknown keys), as `file:line:col: warning: …`. */
  readonly warnings: readonly string[];
  readonly cancelled: boolean;
  readonly dryRun: boolean;
}

export type BuildProgress =
  | {
    readonly type: 'job-started'; readonly job: string; readonly kind: string; readonly done: number; readonly total: number;
    /** What the status line shows: the source for compiles, the output otherwise. */
    readonly label: string;
    readonly reason: string;
    /** Only when the request asked for `verbose`. */
    readonly command?: readonly string[];
  }
  | { readonly type: 'job-finished'; readonly job: string; readonly kind: string; readonly status: JobStatus; readonly durationMs: number; readonly done: number; readonly total: number; readonly log: string }
  | { readonly type: 'waiting'; readonly reason: string };

export interface ToolsResult {
  readonly family: 'clang' | 'gcc' | null;
  readonly llvmMajor: number | null;
  readonly chosen: Readonly<Record<string, { readonly path: string; readonly version: string }>>;
  readonly found: readonly { readonly name: string; readonly path: string; readonly version: string }[];
}

export interface WhyResult {
  readonly job: string;
  /** The last runs of this job, newest last, each with why it ran (from the event log). */
  readonly runs: readonly {
    readonly build: number;
    readonly seq: number;
    readonly time: number;
    readonly status: 'succeeded' | 'failed' | 'cancelled';
    readonly durationMs: number;
    readonly reason: string;
  }[];
}

/** Every method: its params, its final result, and what its progress messages carry. */
export interface CacheResult {
  readonly enabled: boolean;
  readonly dir: string;
  /** Before a clean: what it removed. */
  readonly entries: number;
  readonly bytes: number;
  readonly maxBytes: number;
  /** Since the daemon started: compiles restored, compiles looked up and not found, results stored. */
  readonly hits: number;
  readonly misses: number;
  readonly stored: number;
}

export interface Methods {
  hello: { params: HelloParams; result: HelloResult; progress: never };
  status: { params: { readonly sync?: boolean }; result: StatusResult; progress: never };
  events: { params: EventsParams; result: EventsResult; progress: { readonly event: JmakeEvent } };
  shutdown: { params: { readonly reason?: string }; result: { readonly pid: number }; progress: never };
  cancel: { params: { readonly rid: number }; result: { readonly cancelled: boolean }; progress: never };
  build: { params: BuildParams; result: BuildResult; progress: BuildProgress };
  tools: { params: { readonly env?: Readonly<Record<string, string>>; readonly path?: string }; result: ToolsResult; progress: never };
  clean: { params: Record<string, never>; result: { readonly removed: number }; progress: never };
  /** The compile cache of this project's [cache] settings: its size, or empty it. */
  cache: { params: { readonly action: 'stats' | 'clean' }; result: CacheResult; progress: never };
  why: { params: { readonly job: string }; result: WhyResult; progress: never };
  complete: { params: CompleteParams; result: CompleteResult; progress: CompleteProgress };
  jobs: { params: { readonly all?: boolean }; result: JobsResult; progress: never };
  'cancel-build': { params: Record<string, never>; result: { readonly cancelled: number }; progress: never };
  /** Stays open: brings the project up to date, then every build (started by anyone) as progress. */
  watch: { params: WatchParams; result: never; progress: WatchMessage };
  /** An editor saved these files: hash them now, build, and reply with the project's diagnostics. */
  notify: { params: NotifyParams; result: NotifyResult; progress: never };
  /**
   * A hot command (build, status, notify) run by the daemon for the native client
   * (src/client/native/jmake-client.c): progress carries the bytes to write, the result the exit
   * code. `fallback`: the daemon cannot run this command line; the client hands it to the Node CLI.
   */
  cli: { params: CliParams; result: { readonly exit: number }; progress: CliOutput };
  compdb: {
    params: { readonly profile?: string; readonly env?: Readonly<Record<string, string>>; readonly path?: string };
    /** `path`: null when `[compile] compdb = false`. */
    result: { readonly path: string | null; readonly entries: number };
    progress: never;
  };
}

export interface CliParams {
  readonly command: 'build' | 'status' | 'notify';
  /** The command's arguments, as typed. */
  readonly args: readonly string[];
  /** The client's working directory and environment: the command runs as if started there. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly stdout: CliTerminal;
  readonly stderr: CliTerminal;
}

export interface CliTerminal {
  readonly tty: boolean;
  /** The terminal's width, when it is one. */
  readonly columns?: number;
}

/** Bytes for the client's stdout (1) or stderr (2). */
export interface CliOutput {
  readonly fd: 1 | 2;
  readonly text: string;
}

/** What a watcher builds: the targets, profile and environment of its builds. */
export type WatchParams = Pick<BuildParams, 'targets' | 'profile' | 'jobs' | 'keepGoing' | 'env' | 'path'>;

/**
 * One message of the build feed, sent to every watcher: the same builds, whoever started them
 * (a watcher, `jmake build`, `jmake notify` or a change). `build` is the build's id (the seq of
 * its build-started event). Diagnostic paths are relative to the root when inside it.
 */
export type WatchMessage =
  | { readonly type: 'watching'; readonly root: string; readonly pid: number; readonly instance: string }
  | {
    readonly type: 'build-started'; readonly build: number; readonly trigger: 'request' | 'change';
    /** Inputs that changed since the build before it (at most 100 listed; `more` counts the rest). */
    readonly changed: readonly string[]; readonly more: number;
    /** Jobs expected to run. */
    readonly total: number;
  }
  | { readonly type: 'job-started'; readonly build: number; readonly job: string; readonly kind: string; readonly label: string; readonly done: number; readonly total: number }
  | { readonly type: 'job-finished'; readonly build: number; readonly job: string; readonly kind: string; readonly status: JobStatus | 'cancelled'; readonly durationMs: number; readonly done: number; readonly total: number; readonly log: string }
  | ({ readonly type: 'diagnostic'; readonly build: number; readonly job: string } & DiagnosticInfo)
  | { readonly type: 'build-finished'; readonly build: number; readonly ok: boolean; readonly jobsRun: number; readonly failed: number; readonly cancelled: boolean; readonly durationMs: number }
  /** A build could not start: jmake.toml is broken (or names something that does not exist). */
  | { readonly type: 'config-error'; readonly message: string; readonly file: string | null; readonly line: number | null; readonly column: number | null }
  /** A build could not start for another reason (no compiler found, ...). */
  | { readonly type: 'error'; readonly message: string };

export interface NotifyParams extends WatchParams {
  /** Absolute paths of the files just saved. */
  readonly paths: readonly string[];
  /** false: reply once the files are hashed and the build is queued (the build still runs). */
  readonly wait: boolean;
}

export interface NotifyResult {
  /** False with `wait: false`: the build was queued, nothing below is filled in. */
  readonly waited: boolean;
  readonly ok: boolean;
  readonly build: number;
  readonly jobsRun: number;
  readonly durationMs: number;
  /** Every diagnostic of the jobs of this build, including the stored ones of jobs that are up to date (deduplicated). */
  readonly diagnostics: readonly DiagnosticInfo[];
  /** Jobs that failed, for failures no diagnostic explains (a linker's message). */
  readonly failed: readonly { readonly id: string; readonly kind: string; readonly log: string }[];
  /** Paths that are not files of this project (outside the root, or ignored). */
  readonly ignored: readonly string[];
}

export interface CompleteParams {
  /** Say what would change, write nothing. */
  readonly dryRun?: boolean;
  /** Write the explicit `[discovery] files` list instead of `include` globs. */
  readonly freeze?: boolean;
  /** The client's PATH, for tool discovery. */
  readonly path?: string;
  readonly env?: Readonly<Record<string, string>>;
}

export interface CompletedField {
  /** `compile.include_dirs` */
  readonly field: string;
  readonly value: unknown;
  /** The job that found it (`scan_files`, `include_dirs`, `discover_tools`, `create_structure`), or `default`. */
  readonly source: string;
}

export interface CompleteResult {
  readonly fields: readonly CompletedField[];
  /** Unified-style line diff of jmake.toml (empty when nothing changes). */
  readonly diff: string;
  readonly written: boolean;
  readonly dryRun: boolean;
  /** What the jobs did besides finding values (e.g. "created build/"). */
  readonly notes: readonly string[];
}

export type CompleteProgress =
  | { readonly type: 'job-started'; readonly job: string }
  | { readonly type: 'job-finished'; readonly job: string; readonly ok: boolean; readonly summary: string; readonly durationMs: number };

export interface JobListing {
  readonly id: string;
  /** `job` for [[jobs]] entries; compile, link, ... for build jobs; `complete` for completion jobs. */
  readonly kind: string;
  /** `queued` or `running` (in the build running now), else the last outcome: `succeeded`, `failed`, `cancelled` (stopped while it ran), `skipped` (a dependency failed), or `not run`. */
  readonly status: string;
  readonly exitCode: number | null;
  readonly durationMs: number | null;
  /** The end of the output of a failed run. */
  readonly error: string | null;
}

export interface JobsResult {
  readonly jobs: readonly JobListing[];
}

export type Method = keyof Methods;
export type Params<M extends Method> = Methods[M]['params'];
export type Result<M extends Method> = Methods[M]['result'];
export type Progress<M extends Method> = Methods[M]['progress'];

export const METHODS: readonly Method[] = ['hello', 'status', 'events', 'shutdown', 'cancel', 'build', 'tools', 'clean', 'cache', 'why', 'complete', 'jobs', 'cancel-build', 'compdb', 'watch', 'notify', 'cli'];

export function isMethod(value: unknown): value is Method {
  return typeof value === 'string' && (METHODS as readonly string[]).includes(value);
}

/** Error codes a reply may carry; clients switch on these, never on messages. */
export type ErrorCode =
  | 'bad-frame' | 'frame-too-large' | 'unknown-method' | 'bad-params' | 'hello-required'
  | 'version-mismatch' | 'daemon-stopping' | 'cancelled' | 'internal' | 'not-ready' | 'busy';

export interface WireError {
  readonly code: ErrorCode | string;
  readonly message: string;
  readonly hint?: string;
}

/** Error codes that mean the request or the configuration is wrong (the CLI exits 2 for these). */
export const USAGE_ERROR_CODES: ReadonlySet<string> = new Set(['bad-params', 'unknown-method', 'config-invalid', 'unknown-target', 'build-plan', 'pkg-config', 'usage']);

export interface RequestFrame {
  readonly rid: number;
  readonly method: string;
  readonly params: unknown;
}

export type ReplyFrame =
  | { readonly rid: number; readonly ok: true; readonly result: unknown }
  | { readonly rid: number; readonly ok: false; readonly error: WireError };

export interface ProgressFrame {
  readonly rid: number;
  readonly progress: unknown;
}

/** Checks a decoded frame's envelope; the method's params are checked by its guard. */
export function parseRequestEnvelope(frame: unknown): { ok: true; request: RequestFrame } | { ok: false; rid: number; message: string } {
  if (typeof frame !== 'object' || frame === null) return { ok: false, rid: 0, message: 'a frame must be a JSON object' };
  const { type, data } = frame as { type?: unknown; data?: unknown };
  const candidate = typeof data === 'object' && data !== null ? (data as { rid?: unknown }).rid : undefined;
  // Echo a rid only if it is one a client could be waiting for.
  const rid = Number.isSafeInteger(candidate) && (candidate as number) > 0 ? (candidate as number) : 0;
  if (type !== 'request') return { ok: false, rid, message: `frame type must be "request", got ${JSON.stringify(type)}` };
  if (typeof data !== 'object' || data === null) return { ok: false, rid, message: 'request data must be an object' };
  const d = data as { rid?: unknown; method?: unknown; params?: unknown };
  if (!Number.isSafeInteger(d.rid) || (d.rid as number) <= 0) return { ok: false, rid, message: 'request rid must be a positive integer' };
  if (typeof d.method !== 'string') return { ok: false, rid, message: 'request method must be a string' };
  const params = d.params === undefined ? {} : d.params;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    return { ok: false, rid, message: 'request params must be an object' };
  }
  return { ok: true, request: { rid: d.rid as number, method: d.method, params } };
}
