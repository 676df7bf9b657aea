/**
 * The daemon's state: the fold of the event log. Immutable (immer), pure data, serializable.
 *
 * Files and jobs are kept in a fixed number of shards (by a hash of the path) so that applying
 * one live event copies one small shard, not a table of 100k entries: immer copies a collection
 * the first time a produce writes to it. The 256 shards sit in 16 groups of 16: immer copies, and
 * then walks to freeze, every array on the way to the shard it changed, and one flat array of 256
 * cost ~0.3 ms of each job's record in a full build (beside the compilers); two of 16 cost little.
 */
import type { EventDataByType, ToolRecord } from '../../events/types.js';
import type { InputList } from '../../events/inputs-patch.js';

export const STATE_VERSION = 3;
export const FILE_SHARDS = 256;
/** Shards per group (FILE_SHARDS = SHARD_GROUP² ). */
export const SHARD_GROUP = 16;

/** Shards in groups of SHARD_GROUP: `table[group][index]`, see `shardIn`. */
export type ShardTable<S> = readonly (readonly S[])[];

export interface FileRecord {
  /** null: a tombstone, the file was removed after the last build (kept to count changes). */
  readonly hash: string | null;
  readonly size: number;
  readonly mtime: number;
  readonly ino: number;
  /** The seq of the event that last set this record. */
  readonly seq: number;
}

export type FileShard = ReadonlyMap<string, FileRecord>;

/**
 * The last outcome of a job (keyed by its id, the path of its output): its job-finished event's
 * data, less what only history needs (the tool's output, timings), plus that event's seq.
 * `build` is the seq of the build-started event of the build that ran it.
 */
export type JobRecord = Pick<EventDataByType['job-finished'], 'kind' | 'status' | 'key' | 'tool' | 'argvHash' | 'output' | 'diagnostics' | 'build' | 'exitCode' | 'durationMs'> & {
  /** Always the full list (a recorded patch is applied to the previous record's). */
  readonly inputs: InputList;
  readonly seq: number;
  /** The end of the tool's output when it failed (`jmake jobs` shows it). */
  readonly error: string | null;
};

export type JobShard = ReadonlyMap<string, JobRecord>;

export interface ToolchainState {
  readonly hash: string;
  readonly family: 'clang' | 'gcc';
  readonly llvmMajor: number | null;
  readonly tools: Readonly<Record<string, ToolRecord>>;
  readonly seq: number;
}

/** The last build-finished event's data, and when it finished. */
export type BuildSummary = EventDataByType['build-finished'] & { readonly finishedAt: number };

export interface ConfigState {
  readonly hash: string | null;
  readonly values: Readonly<Record<string, unknown>> | null;
  readonly seq: number;
  readonly error: { readonly message: string; readonly line: number; readonly column: number } | null;
}

export interface DaemonRecord {
  readonly instance: string;
  readonly pid: number;
  readonly version: string;
  readonly startedAt: number;
  readonly stoppedAt: number | null;
}

export interface ProjectState {
  readonly lastSeq: number;
  readonly files: ShardTable<FileShard>;
  /** Live files (tombstones excluded). */
  readonly fileCount: number;
  /** The seq of the last file added or removed: the file *set* is unchanged while this is. */
  readonly fileSetSeq: number;
  /**
   * Files added, changed or removed after `baseSeq` (the start of the last finished build; 0
   * before any). While a build runs, `sinceBuildStart` counts the same from its start.
   */
  readonly changes: {
    readonly baseSeq: number;
    readonly count: number;
    readonly buildStartSeq: number | null;
    readonly sinceBuildStart: number;
  };
  readonly jobs: ShardTable<JobShard>;
  readonly jobCount: number;
  readonly toolchain: ToolchainState | null;
  readonly builds: { readonly count: number; readonly running: number | null; readonly last: BuildSummary | null };
  readonly config: ConfigState;
  readonly daemon: DaemonRecord | null;
  readonly watcher: {
    readonly rescans: number;
    readonly overflows: number;
    readonly lastRescan: { readonly seq: number; readonly reason: string; readonly changed: number } | null;
  };
  readonly logRecoveries: number;
  /** The jobs of the last `jmake complete` (built-in, so `jmake jobs --all` lists them too). */
  readonly completionJobs: EventDataByType['config-completed']['jobs'];
  /** Jobs skipped by a build (a dependency failed) and not run since: id -> that build. */
  readonly skipped: Readonly<Record<string, number>>;
  /**
   * Jobs of the running build that are running (cleared when the build finishes). Snapshots
   * written before `queued` existed may also hold 'queued' entries here.
   */
  readonly inFlight: Readonly<Record<string, 'queued' | 'running'>>;
  /**
   * What the running build queued, as one list set once: a job is queued while it is on it and has
   * neither finished nor been skipped in that build (`jobPhase`). Kept apart from `inFlight` so that
   * each job's start and finish copy a small object, not one entry per queued job (a full build of
   * N sources made that O(N²)).
   */
  readonly queued: { readonly build: number; readonly jobs: readonly string[] } | null;
}

export function initialState(): ProjectState {
  return {
    lastSeq: 0,
    files: emptyShards<FileRecord>(),
    fileCount: 0,
    fileSetSeq: 0,
    changes: { baseSeq: 0, count: 0, buildStartSeq: null, sinceBuildStart: 0 },
    jobs: emptyShards<JobRecord>(),
    jobCount: 0,
    toolchain: null,
    builds: { count: 0, running: null, last: null },
    config: { hash: null, values: null, seq: 0, error: null },
    daemon: null,
    watcher: { rescans: 0, overflows: 0, lastRescan: null },
    logRecoveries: 0,
    completionJobs: [],
    skipped: {},
    inFlight: {},
    queued: null,
  };
}

/** A table of empty shards, every one its own Map. */
export function emptyShards<R>(): Map<string, R>[][] {
  return Array.from({ length: SHARD_GROUP }, () => Array.from({ length: SHARD_GROUP }, () => new Map<string, R>()));
}

/** The shard of `key` in a table (published or draft). */
export function shardIn<S>(table: readonly (readonly S[])[], key: string): S {
  const shard = shardOf(key);
  return table[Math.floor(shard / SHARD_GROUP)]![shard % SHARD_GROUP]!;
}

/** Every shard of a table, group by group. */
export function* shardsOf<S>(table: readonly (readonly S[])[]): Generator<S> {
  for (const group of table) yield* group;
}

/** FNV-1a over UTF-16 code units: cheap, stable, good enough to spread paths over shards. */
export function shardOf(path: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) {
    h ^= path.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % FILE_SHARDS;
}
