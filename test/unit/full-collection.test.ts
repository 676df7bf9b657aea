import { describe, expect, it } from 'vitest';
import { collectFully, describeFullCollection, parseFullCollection, type MemoryFigures } from '../../src/daemon/full-collection.js';

const MiB = 1 << 20;
const figures = (rss: number, heap: number, external: number): MemoryFigures => ({ rssBytes: rss * MiB, heapUsedBytes: heap * MiB, externalBytes: external * MiB });

describe('full collection on demand', () => {
  it('measures around the collection, and its log line reads back to the figures after it', () => {
    const readings = [figures(130, 47.25, 4.8), figures(122.1, 20, 2.3)];
    let collected = 0;
    const collection = collectFully('SIGUSR2', () => { collected++; }, () => readings.shift()!);
    expect(collected).toBe(1);
    expect(collection).toMatchObject({ reason: 'SIGUSR2', before: figures(130, 47.25, 4.8), after: figures(122.1, 20, 2.3) });
    const line = describeFullCollection({ ...collection!, ms: 12.34 });
    expect(line).toBe('full collection (SIGUSR2) in 12.3 ms: rss 130.0 -> 122.1 MiB, heap used 47.3 -> 20.0 MiB, external 4.8 -> 2.3 MiB');
    expect(parseFullCollection(`2026-12-01T02:05:07.615Z [daemon] ${line}`)).toEqual({ rssMb: 122.1, heapUsedMb: 20, externalMb: 2.3 });
    expect(parseFullCollection('2026-12-01T02:05:07.615Z [daemon] minor collection while idle: 1.2 ms')).toBeNull();
  });

  it('does nothing without a collector (a daemon started without --expose-gc)', () => {
    expect(collectFully('SIGUSR2', null, () => { throw new Error('not read'); })).toBeNull();
  });
});
