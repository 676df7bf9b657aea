import { isPlainRelative } from '../util/inside-root.js';
import { watchScope } from '../watcher/scope.js';

/**
 * `[daemon]` settings and the output dirs the watcher ignores, with defaults. A bad value falls back
 * to its default with a warning for the daemon log (the daemon must keep running; `jmake validate`
 * reports it properly).
 */
export interface DaemonSettings {
  /** Exit after this long with no client connected; 0: never. */
  readonly idleTimeoutMs: number;
  /** Extra glob-free path prefixes (relative to the root) the watcher ignores. */
  readonly watchExclude: readonly string[];
  readonly settleMs: number;
  readonly pollIntervalMs: number;
  /** Compaction keeps at least this many of the most recent records. */
  readonly keepRecentEvents: number;
  /** Output dirs (relative): changes there are never source changes. */
  readonly outputDirs: readonly string[];
  /** After a requested build, start the same build when an input changes. */
  readonly buildOnChange: boolean;
  /** Restart (when no build runs) once the resident memory exceeds this many MiB; 0: never. */
  readonly maxMemoryMb: number;
  /** The folders the source watcher looks at (watcher/scope.ts); null: the whole tree. */
  readonly watchScope: readonly string[] | null;
}

export const DEFAULT_SETTINGS: DaemonSettings = {
  idleTimeoutMs: 3 * 60 * 60 * 1000,
  watchExclude: [],
  // A save's writes land within a millisecond or two, and every millisecond here is one more on each
  // edit. A file still being written at the deadline is retried (watcher.ts), and a compile that
  // read a half-written file runs again when the rest lands, so this costs no correctness.
  settleMs: 5,
  pollIntervalMs: 2000,
  keepRecentEvents: 10000,
  outputDirs: ['build'],
  buildOnChange: true,
  maxMemoryMb: 0,
  watchScope: null,
};

export function daemonSettings(config: Readonly<Record<string, unknown>> | null): { settings: DaemonSettings; warnings: string[] } {
  const warnings: string[] = [];
  const daemon = table(config?.daemon);
  const compile = table(config?.compile);
  const pick = <T>(key: string, value: unknown, parse: (v: unknown) => T | null, fallback: T): T => {
    if (value === undefined) return fallback;
    const parsed = parse(value);
    if (parsed === null) {
      warnings.push(`[daemon] ${key} = ${JSON.stringify(value)} is not valid; using the default`);
      return fallback;
    }
    return parsed;
  };
  const outputDir = typeof compile.output_dir === 'string' && compile.output_dir !== '' ? compile.output_dir : 'build';
  const profileDirs = Object.values(table(config?.profile)).map((p) => table(p).output_dir).filter((d): d is string => typeof d === 'string' && d !== '');
  const settings: DaemonSettings = {
    idleTimeoutMs: pick('idle_timeout', daemon.idle_timeout, timerDuration, DEFAULT_SETTINGS.idleTimeoutMs),
    watchExclude: pick('watch_exclude', daemon.watch_exclude, stringList, []).map(normalizeRel),
    settleMs: pick('settle_ms', daemon.settle_ms, (v) => nonNegativeInt(v, 5000), DEFAULT_SETTINGS.settleMs),
    pollIntervalMs: pick('poll_interval', daemon.poll_interval, (v) => atLeast(timerDuration(v), MIN_POLL_MS), DEFAULT_SETTINGS.pollIntervalMs),
    keepRecentEvents: pick('keep_recent_events', daemon.keep_recent_events, (v) => nonNegativeInt(v, 1e9), DEFAULT_SETTINGS.keepRecentEvents),
    // Only folders inside the root: the output watcher creates them, and one outside ("../build",
    // "build/../../x") is refused by the build anyway (validate.ts).
    outputDirs: [normalizeRel(outputDir), ...profileDirs.map(normalizeRel)].filter(isPlainRelative),
    buildOnChange: pick('build_on_change', daemon.build_on_change, (v) => (typeof v === 'boolean' ? v : null), DEFAULT_SETTINGS.buildOnChange),
    maxMemoryMb: pick('max_memory_mb', daemon.max_memory_mb, (v) => nonNegativeInt(v, 1e6), DEFAULT_SETTINGS.maxMemoryMb),
    watchScope: watchScope(config),
  };
  return { settings, warnings };
}

/** A number is seconds; a string takes a unit: "500ms", "30s", "10m", "3h". */
export function parseDuration(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : null;
  if (typeof value !== 'string') return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
  if (!m) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

/** Polling more often than this would keep a core busy for a handful of unwatchable paths. */
const MIN_POLL_MS = 100;

function atLeast(ms: number | null, min: number): number | null {
  return ms !== null && ms >= min ? ms : null;
}

/** Node timers hold at most 2^31 - 1 ms: a longer delay fires after 1 ms instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A duration used as a timer delay: one a timer cannot hold is not valid. */
function timerDuration(value: unknown): number | null {
  const ms = parseDuration(value);
  return ms !== null && ms <= MAX_TIMER_MS ? ms : null;
}

function nonNegativeInt(value: unknown, max: number): number | null {
  return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= max ? (value as number) : null;
}

function stringList(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((v) => typeof v === 'string' && v !== '') ? (value as string[]) : null;
}

function table(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** As build-config.ts reads output dirs: `./out/`, `out/./x` -> `out`, `out/x`. */
function normalizeRel(path: string): string {
  return path.replace(/\/\.\//g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
}

const SIZE_UNITS: Readonly<Record<string, number>> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 2 ** 10, MIB: 2 ** 20, GIB: 2 ** 30, TIB: 2 ** 40 };

/** "5 GiB" -> bytes; a bare number is bytes. */
export function parseSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(text);
  if (!m) return null;
  const unit = SIZE_UNITS[(m[2] || 'B').toUpperCase()];
  return unit === undefined ? null : Number(m[1]) * unit;
}
