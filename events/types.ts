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
  /** Watches could not be placed (e.g. ENOSPC, past the inotify limit): those paths are polled. */
  'watcher-overflow': { readonly path: string; readonly code: string; readonly message: string; readonly fallback: 'poll' };
  /** The log had a torn or corrupt tail at open; it was cut at the last good record. */
  'log-recovered': { readonly truncatedBytes: number; readonly offset: number; readonly reason: string };
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
};

export const EVENT_TYPES = Object.keys(EVENT_VERSIONS) as EventType[];

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && Object.hasOwn(EVENT_VERSIONS, value);
}

/** An event before it is appended: no seq or time yet. */
export type NewEvent = { [T in EventType]: { readonly type: T; readonly data: EventDataByType[T] } }[EventType];

/** An event as recorded: numbered and timed. */
export type JmakeEvent = { [T in EventType]: { readonly seq: number; readonly time: number; readonly type: T; readonly data: EventDataByType[T] } }[EventType];

