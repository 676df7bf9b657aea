import { describe, expect, it } from 'vitest';
import { BurstDetector, burstThreshold } from '../../src/watcher/burst.js';

function feed(detector: BurstDetector, times: readonly number[]): number[] {
  const fired: number[] = [];
  for (const t of times) if (detector.note(t)) fired.push(t);
  return fired;
}

describe('BurstDetector', () => {
  it('fires once when a burst reaches the threshold within a window', () => {
    const d = new BurstDetector(100, 1000);
    const times = Array.from({ length: 250 }, (_, i) => 5000 + i); // 250 events in 250 ms
    expect(feed(d, times)).toEqual([5099, 5199]);
  });

  it('stays quiet for steady activity below the threshold', () => {
    const d = new BurstDetector(100, 1000);
    // 40 events a second for a minute: never 100 in two adjacent windows.
    const times = Array.from({ length: 2400 }, (_, i) => 10_000 + i * 25);
    expect(feed(d, times)).toEqual([]);
  });

  it('counts a burst that straddles a window edge', () => {
    const d = new BurstDetector(100, 1000);
    const before = Array.from({ length: 60 }, (_, i) => 1900 + i); // 60 in one window…
    const after = Array.from({ length: 60 }, (_, i) => 2950 + i); // …and 40 more at the start of the next
    expect(feed(d, [...before, ...after])).toEqual([2989]);
  });

  it('forgets a window that is not the one just before', () => {
    const d = new BurstDetector(100, 1000);
    const early = Array.from({ length: 90 }, (_, i) => 1000 + i);
    const late = Array.from({ length: 90 }, (_, i) => 5000 + i);
    expect(feed(d, [...early, ...late])).toEqual([]);
  });
});

describe('burstThreshold', () => {
  it('is half the queue given for tests', () => {
    expect(burstThreshold({ JMAKE_TEST_INOTIFY_QUEUE: '64' })).toEqual({ threshold: 32, queueLimit: 64 });
  });

  it('reads the kernel queue size otherwise', () => {
    const { queueLimit, threshold } = burstThreshold({});
    expect(queueLimit).toBeGreaterThan(0);
    expect(threshold).toBe(Math.floor(queueLimit / 2));
  });
});
