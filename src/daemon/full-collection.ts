/**
 * A full garbage collection on demand, with the daemon's memory before and after: `kill -USR2
 * <daemon pid>` logs one line to `.jmake/daemon.log`, and the memory guard collects before it
 * judges a restart. What stays in the heap after a full collection is what the daemon really
 * holds; resident memory also counts pages V8 and malloc keep for reuse, which they return to
 * the system later or never (glibc keeps freed chunks of a few MiB in its arenas).
 */
import { collector, type Collect } from './idle-gc.js';

export interface MemoryFigures {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** Memory outside V8's heap that JavaScript objects hold (Buffers among it). */
  readonly externalBytes: number;
}

export interface FullCollection {
  readonly reason: string;
  readonly ms: number;
  readonly before: MemoryFigures;
  readonly after: MemoryFigures;
}

export function readMemory(): MemoryFigures {
  const m = process.memoryUsage();
  return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, externalBytes: m.external };
}

/** Collect and measure around it; null without a collector. */
export function collectFully(reason: string, collect: Collect | null = collector('major'), read = readMemory): FullCollection | null {
  if (collect === null) return null;
  const before = read();
  const started = performance.now();
  collect();
  const ms = performance.now() - started;
  return { reason, ms, before, after: read() };
}

const mib = (bytes: number): string => (bytes / (1 << 20)).toFixed(1);

/** The log line; test/helpers/fuzz-frames.ts reads it back (parseFullCollection). */
export function describeFullCollection(c: FullCollection): string {
  return `full collection (${c.reason}) in ${c.ms.toFixed(1)} ms: `
    + `rss ${mib(c.before.rssBytes)} -> ${mib(c.after.rssBytes)} MiB, `
    + `heap used ${mib(c.before.heapUsedBytes)} -> ${mib(c.after.heapUsedBytes)} MiB, `
    + `external ${mib(c.before.externalBytes)} -> ${mib(c.after.externalBytes)} MiB`;
}

/** The figures after the collection, read back from a log line (MiB, to 0.1). */
export function parseFullCollection(line: string): { rssMb: number; heapUsedMb: number; externalMb: number } | null {
  const m = / rss [\d.]+ -> ([\d.]+) MiB, heap used [\d.]+ -> ([\d.]+) MiB, external [\d.]+ -> ([\d.]+) MiB$/.exec(line);
  return m ? { rssMb: Number(m[1]), heapUsedMb: Number(m[2]), externalMb: Number(m[3]) } : null;
}
