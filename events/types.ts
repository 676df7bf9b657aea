/**
 * The event-sourcing contract: every fact the daemon records. State is `fold(events)`.
 *
 * Each type has a schema version (`EVENT_VERSIONS`). A record written with an older version is
 * upcast when read (events/upcast.ts), so the reducer only ever sees current shapes. Changing a
 * type's data shape means: bump its version here and add an upcaster from the previous one.
 *
 * Conventions: type names are kebab-case; `seq` starts at 1 and never changes (compaction drops
 * records but never renumbers); `time` is epoch milliseconds, taken by the daemon when it appends
 * (the reducer never reads a clock); file paths are relative to the project root with `/`.
 */
import type { RecordedInputs } from './inputs-patch.js';

/** What the daemon knows about one file's content. */
export interface FileFacts {
  readonly path: string;
  /** xxh64 of the content, 16 lowercase hex digits. */
  readonly hash: string;
  readonly size: number;
  /** mtime in epoch milliseconds (fractional), used only as a cheap "did it change" filter. */
  readonly mtime: number;
  readonly ino: number;
}

export interface ConfigSnapshotData {
  /** xxh64 of jmake.toml's bytes. */
  readonly hash: string;
  /** The parsed document. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Dotted keys whose value differs from the previous config (every key for the first one). */
  readonly changed: readonly string[];
}

/** A tool as recorded: enough to notice an upgrade (a different real path, version, size or mtime). */
export interface ToolRecord {
  readonly name: string;
  readonly path: string;
  readonly realPath: string;
  readonly version: string;
  readonly size: number;
  readonly mtime: number;
}

/** What a finished job produced. */
export interface OutputFacts {
  readonly path: string;
  readonly hash: string;
  readonly size: number;
  readonly mtime: number;
  readonly ino: number;
}

export interface DiagnosticData {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly severity: 'error' | 'warning' | 'note';
  readonly message: string;
}

/** `job`: a user's `[[jobs]]` entry. */
export type JobKindName = 'compile' | 'link' | 'archive' | 'emit-ir' | 'link-ir' | 'opt' | 'codegen' | 'job';

export interface EventDataByType {
  'file-added': FileFacts;
  'file-changed': FileFacts;
  'file-removed': { readonly path: string };
  'config-loaded': ConfigSnapshotData;
  'config-changed': ConfigSnapshotData;
  'config-invalid': {
    readonly hash: string;
    readonly error: { readonly message: string; readonly line: number; readonly column: number };
  };
  'daemon-started': {
    readonly pid: number;
    readonly instance: string;
    readonly version: string;
    readonly protocol: number;
  };
  'daemon-stopped': { readonly pid: number; readonly instance: string; readonly reason: string };
  'watcher-rescan': {
    readonly reason: string;
    readonly scanned: number;
    readonly changed: number;
    readonly durationMs: number;
  };
  /**
   * Watches could not be placed (ENOSPC past the inotify limit): those paths are polled. Or a burst
   * may have overflowed the kernel's event queue (code IN_Q_OVERFLOW): the tree is rescanned.
   */
  'watcher-overflow': { readonly path: string; readonly code: string; readonly message: string; readonly fallback: 'poll' | 'rescan' };
  /** The log had a torn or corrupt tail at open; it was cut at the last good record. */
  'log-recovered': { readonly truncatedBytes: number; readonly offset: number; readonly reason: string };
  /** The compilers and tools in use; `hash` is the identity every job key includes (per tool). */
  'toolchain-detected': {
    readonly hash: string;
    readonly family: 'clang' | 'gcc';
    readonly llvmMajor: number | null;
    readonly tools: Readonly<Record<string, ToolRecord>>;
  };
  'build-started': {
    readonly targets: readonly string[];
    readonly profile: string | null;
    readonly force: boolean;
    /** Jobs in the graph of the requested targets (not all of them will run). */
    readonly planned: number;
    /** `change`: started by the daemon because an input changed (absent in older logs: a request). */
    readonly trigger?: 'request' | 'change';
  };
  /** `build` is the seq of its build-started event. */
  'job-started': { readonly build: number; readonly job: string; readonly kind: JobKindName };
  'job-finished': {
    readonly build: number;
    readonly job: string;
    readonly kind: JobKindName;
    /** `cancelled`: stopped while it ran (Ctrl-C, `jmake jobs cancel`); absent in older logs. */
    readonly status: 'succeeded' | 'failed' | 'cancelled';
    readonly exitCode: number | null;
    readonly durationMs: number;
    /** The job key: tool identity + command line + the content of every input. */
    readonly key: string;
    readonly tool: string;
    readonly argvHash: string;
    /**
     * Every input read, with the content hash it had: sources, headers (from the depfile), objects.
     * Since v2, a job with many inputs may record a patch of its previous record's list instead
     * (events/inputs-patch.ts).
     */
    readonly inputs: RecordedInputs;
    readonly output: OutputFacts | null;
    readonly diagnostics: readonly DiagnosticData[];
    /** The tool's own output (bounded). */
    readonly log: string;
    /** Restored from the compile cache instead of run (the log is the one stored with it). */
    readonly cached?: true;
  };
  /** The jobs a build expects to run (those found out of date, and what waits for them), as it starts them. */
  'jobs-queued': { readonly build: number; readonly jobs: readonly string[] };
  /** Jobs a build wanted but did not run because a dependency failed or the build stopped. */
  'jobs-skipped': { readonly build: number; readonly jobs: readonly string[] };
  /** Outputs of a source or target that no longer exists were deleted. */
  'outputs-removed': { readonly build: number; readonly jobs: readonly string[] };
  /** `jmake complete` filled these jmake.toml fields (the file change itself follows as config-changed). */
  'config-completed': {
    readonly fields: readonly { readonly field: string; readonly value: unknown; readonly source: string }[];
    readonly jobs: readonly { readonly job: string; readonly ok: boolean; readonly durationMs: number; readonly summary: string }[];
  };
  'build-finished': {
    readonly build: number;
    readonly ok: boolean;
    readonly jobsRun: number;
    readonly failed: number;
    readonly cancelled: boolean;
    readonly durationMs: number;
    /** As in build-started (absent in older logs: a request). */
    readonly trigger?: 'request' | 'change';
    /** Jobs that change builds ran before this request, which it reported as its own. */
    readonly carried?: number;
  };
}

export type EventType = keyof EventDataByType;

export const EVENT_VERSIONS: { readonly [T in EventType]: number } = {
  'file-added': 1,
  'file-changed': 1,
  'file-removed': 1,
  'config-loaded': 1,
  'config-changed': 1,
  'config-invalid': 1,
  'daemon-started': 1,
  'daemon-stopped': 1,
  'watcher-rescan': 1,
  'watcher-overflow': 1,
  'log-recovered': 1,
  'toolchain-detected': 1,
  'build-started': 1,
  'job-started': 1,
  'job-finished': 2,
  'outputs-removed': 1,
  'config-completed': 1,
  'jobs-skipped': 1,
  'jobs-queued': 1,
  'build-finished': 1,
};

export const EVENT_TYPES = Object.keys(EVENT_VERSIONS) as EventType[];

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && Object.hasOwn(EVENT_VERSIONS, value);
}

/** An event before it is appended: no seq or time yet. */
export type NewEvent = { [T in EventType]: { readonly type: T; readonly data: EventDataByType[T] } }[EventType];

/** An event as recorded: numbered and timed. */
export type JmakeEvent = { [T in EventType]: { readonly seq: number; readonly time: number; readonly type: T; readonly data: EventDataByType[T] } }[EventType];

