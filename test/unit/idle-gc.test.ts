import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleCollector, minorCollector, youngGenerationUsed } from '../../src/daemon/idle-gc.js';

beforeEach(() => { vi.useFakeTimers(); });
afterEach(() => { vi.useRealTimers(); });

describe('IdleCollector', () => {
  it('collects once after the quiet time, however many builds ended meanwhile', () => {
    const collect = vi.fn();
    const took: [number, number | null][] = [];
    const idle = new IdleCollector({ collect, busy: () => false, collected: (ms, young) => took.push([ms, young]), youngUsed: () => 4 << 20, delayMs: 20 });
    idle.idle();
    idle.idle();
    vi.advanceTimersByTime(19);
    expect(collect).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(collect).toHaveBeenCalledTimes(1);
    expect(idle.collections).toBe(1);
    expect(took).toEqual([[expect.any(Number), 4 << 20]]);
    idle.idle(); // a later build ends: another collection
    vi.advanceTimersByTime(20);
    expect(collect).toHaveBeenCalledTimes(2);
  });

  it('does not collect when a build started during the quiet time, nor after close', () => {
    const collect = vi.fn();
    let busy = false;
    const idle = new IdleCollector({ collect, busy: () => busy, youngUsed: () => 4 << 20, delayMs: 20 });
    idle.idle();
    busy = true;
    vi.advanceTimersByTime(20);
    expect(collect).not.toHaveBeenCalled();
    busy = false;
    idle.idle();
    idle.close();
    vi.advanceTimersByTime(20);
    expect(collect).not.toHaveBeenCalled();
  });

  it('schedules nothing without a collector (a daemon started without --expose-gc)', () => {
    const idle = new IdleCollector({ collect: null, busy: () => false, delayMs: 20 });
    idle.idle();
    expect(vi.getTimerCount()).toBe(0);
    // The same as this test process: a collector exactly when gc is exposed.
    expect(minorCollector() === null).toBe(typeof (globalThis as { gc?: unknown }).gc !== 'function');
  });

  it('skips a young generation left nearly empty (a build that ran nothing), and collects when V8 does not say', () => {
    const collect = vi.fn();
    let young: number | null = 100 << 10;
    const idle = new IdleCollector({ collect, busy: () => false, youngUsed: () => young, delayMs: 20 });
    idle.idle();
    vi.advanceTimersByTime(20);
    expect(collect).not.toHaveBeenCalled();
    young = 5 << 20;
    idle.idle();
    vi.advanceTimersByTime(20);
    expect(collect).toHaveBeenCalledTimes(1);
    young = null;
    idle.idle();
    vi.advanceTimersByTime(20);
    expect(collect).toHaveBeenCalledTimes(2);
  });

  it('reads the young generation from V8', () => {
    const used = youngGenerationUsed();
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThanOrEqual(process.memoryUsage().heapTotal);
  });
});
