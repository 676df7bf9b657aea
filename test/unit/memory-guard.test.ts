import { describe, expect, it } from 'vitest';
import { MemoryGuard, judgeMemory } from '../../src/daemon/memory-guard.js';

describe('judgeMemory', () => {
  it('restarts over the limit once idle; never when off; never for a first reading over it', () => {
    expect(judgeMemory(900, 0, false, false)).toBe('ok');
    expect(judgeMemory(400, 500, false, false)).toBe('ok');
    expect(judgeMemory(600, 500, false, true)).toBe('wait-for-idle');
    expect(judgeMemory(600, 500, false, false)).toBe('restart');
    expect(judgeMemory(600, 500, true, false)).toBe('over-at-start');
  });
});

describe('MemoryGuard', () => {
  function guard(limit: { mb: number }, rss: { mb: number }, busy: { now: boolean }) {
    const restarts: string[] = [];
    const logs: string[] = [];
    const g = new MemoryGuard({ limitMb: () => limit.mb, rssMb: () => rss.mb, busy: () => busy.now, restart: (r) => restarts.push(r), log: (m) => logs.push(m) }, 1000);
    return { g, restarts, logs };
  }

  it('waits for the running build, then restarts once', () => {
    const limit = { mb: 500 }, rss = { mb: 100 }, busy = { now: false };
    const { g, restarts } = guard(limit, rss, busy);
    g.check();
    rss.mb = 800;
    busy.now = true;
    g.check();
    expect(restarts).toEqual([]);
    busy.now = false;
    g.check();
    g.check();
    expect(restarts).toEqual(['resident memory 800 MiB > max_memory_mb 500']);
  });

  it('a limit below the starting size turns the guard off for that limit, and a new limit is judged afresh', () => {
    const limit = { mb: 50 }, rss = { mb: 100 }, busy = { now: false };
    const { g, restarts, logs } = guard(limit, rss, busy);
    g.check();
    g.check();
    expect(restarts).toEqual([]);
    expect(logs[0]).toMatch(/max_memory_mb = 50 is below what the daemon uses from the start \(100 MiB\)/);
    limit.mb = 200;
    g.check();
    rss.mb = 300;
    g.check();
    expect(restarts).toHaveLength(1);
  });

  it('collects fully before a restart and lets the next reading decide', () => {
    const rss = { mb: 100 };
    const restarts: string[] = [];
    const logs: string[] = [];
    let collections = 0;
    const g = new MemoryGuard({
      limitMb: () => 500, rssMb: () => rss.mb, busy: () => false, restart: (r) => restarts.push(r), log: (m) => logs.push(m),
      collect: () => { collections++; },
    }, 1000);
    g.check();
    rss.mb = 600;
    g.check();
    expect(collections).toBe(1);
    expect(restarts).toEqual([]);
    expect(logs).toEqual(['resident memory 600 MiB > max_memory_mb 500: collected garbage fully; restarting at the next check if it is still over']);
    rss.mb = 400; // the pages came back
    g.check();
    expect(restarts).toEqual([]);
    rss.mb = 700; // over again later: another collection first
    g.check();
    expect(collections).toBe(2);
    expect(restarts).toEqual([]);
    g.check(); // still over after it
    expect(collections).toBe(2);
    expect(restarts).toEqual(['resident memory 700 MiB > max_memory_mb 500']);
  });
});
