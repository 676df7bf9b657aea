import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleCollector, minorCollector } from '../../src/daemon/idle-gc.js';

beforeEach(() => { vi.useFakeTimers(); });
afterEach(() => { vi.useRealTimers(); });

describe('IdleCollector', () => {
  it('collects once after the quiet time, however many builds ended meanwhile', () => {
    const collect = vi.fn();
    const took: number[] = [];
    const idle = new IdleCollector(collect, () => false, (ms) => took.push(ms), 20);
    idle.idle();
    idle.idle();
    vi.advanceTimersByTime(19);
    expect(collect).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(collect).toHaveBeenCalledTimes(1);
    expect(idle.collections).toBe(1);
    expect(took).toHaveLength(1);
    idle.idle(); // a later build ends: another collection
    vi.advanceTimersByTime(20);
    expect(collect).toHaveBeenCalledTimes(2);
  });

  it('does not collect when a build started during the quiet time, nor after close', () => {
    const collect = vi.fn();
    let busy = false;
    const idle = new IdleCollector(collect, () => busy, undefined, 20);
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
    const idle = new IdleCollector(null, () => false, undefined, 20);
    idle.idle();
    expect(vi.getTimerCount()).toBe(0);
    // The same as this test process: a collector exactly when gc is exposed.
    expect(minorCollector() === null).toBe(typeof (globalThis as { gc?: unknown }).gc !== 'function');
  });
});
