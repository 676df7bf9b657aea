import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JmakeEvent } from '../../events/types.js';
import { CarriedJobs, type CarriedJob } from '../../src/daemon/carried-jobs.js';
import { ChangeTrigger, buildChanges, changeBuildParams } from '../../src/daemon/change-trigger.js';

const fileEvent = (seq: number, type: 'file-changed' | 'file-added' | 'file-removed', path: string) =>
  ({ seq, time: 0, type, data: { path, hash: 'h', size: 1, mtime: 0, ino: 1 } }) as unknown as JmakeEvent;

const lastChange = (...args: Parameters<typeof buildChanges>) => buildChanges(...args).seq;

describe('buildChanges (the seq a change build starts for)', () => {
  const inputs = new Set(['src/a.c', 'include/a.h', 'data/table.txt']);
  const isInput = (p: string) => inputs.has(p);

  it('is the seq of the last change to an input, or of a source or header added or removed', () => {
    expect(lastChange([fileEvent(4, 'file-changed', 'src/a.c'), fileEvent(5, 'file-changed', 'README.md')], isInput, 'jmake.toml')).toBe(4);
    expect(lastChange([fileEvent(6, 'file-changed', 'data/table.txt')], isInput, 'jmake.toml')).toBe(6);
    expect(lastChange([fileEvent(7, 'file-added', 'src/new.cpp'), fileEvent(8, 'file-removed', 'src/old.h')], isInput, 'jmake.toml')).toBe(8);
  });

  it('is 0 for files no job reads, for jmake.toml, and for other events', () => {
    expect(lastChange([fileEvent(4, 'file-changed', 'README.md'), fileEvent(5, 'file-added', 'notes.txt')], isInput, 'jmake.toml')).toBe(0);
    expect(lastChange([fileEvent(6, 'file-changed', 'jmake.toml')], (p) => p === 'jmake.toml' || isInput(p), 'jmake.toml')).toBe(0);
    expect(lastChange([{ seq: 9, time: 0, type: 'build-started', data: { targets: [], profile: null, force: false, planned: 1 } } as JmakeEvent], isInput, 'jmake.toml')).toBe(0);
  });
});

describe('ChangeTrigger', () => {
  afterEach(() => { vi.useRealTimers(); });

  const make = (enabled = true) => {
    const started: unknown[] = [];
    const trigger = new ChangeTrigger({ delayMs: 10, enabled: () => enabled, start: (params) => started.push(params) });
    return { trigger, started };
  };

  it('does nothing until a request armed it, then starts one build per burst with the request\'s targets, profile and environment', () => {
    vi.useFakeTimers();
    const { trigger, started } = make();
    trigger.notice(3);
    vi.advanceTimersByTime(50);
    expect(started).toEqual([]);
    expect(trigger.latest).toBe(3);

    trigger.arm({ targets: ['app'], profile: 'release', jobs: 4, force: true, explain: true, warnings: true, env: { CC: 'clang' }, path: '/bin' });
    trigger.notice(5);
    trigger.notice(6);
    vi.advanceTimersByTime(9);
    expect(started).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(started).toEqual([{ targets: ['app'], profile: 'release', jobs: 4, keepGoing: undefined, env: { CC: 'clang' }, path: '/bin' }]);
    expect(trigger.latest).toBe(6);
    trigger.notice(0);
    vi.advanceTimersByTime(50);
    expect(started).toHaveLength(1);
  });

  it('without a debounce, starts right after the current turn of the event loop (no timer), and a request still cancels it', async () => {
    const started: unknown[] = [];
    const trigger = new ChangeTrigger({ delayMs: 0, enabled: () => true, start: (params) => started.push(params) });
    trigger.arm({ targets: ['app'] });
    trigger.notice(1);
    trigger.notice(2);
    expect(started).toEqual([]); // not synchronously: events recorded in the same turn join this build
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toHaveLength(1);

    trigger.notice(3);
    trigger.cancelPending();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(started).toHaveLength(1);
  });

  it('a dry run does not arm it; a request cancels the pending start; close stops it; disabled never starts', () => {
    vi.useFakeTimers();
    const { trigger, started } = make();
    trigger.arm({ dryRun: true });
    trigger.notice(2);
    vi.advanceTimersByTime(20);
    expect(started).toEqual([]);

    trigger.arm({});
    trigger.notice(3);
    trigger.cancelPending();
    vi.advanceTimersByTime(20);
    expect(started).toEqual([]);
    trigger.close();
    trigger.notice(4);
    vi.advanceTimersByTime(20);
    expect(started).toEqual([]);

    const off = make(false);
    off.trigger.arm({});
    off.trigger.notice(1);
    vi.advanceTimersByTime(20);
    expect(off.started).toEqual([]);
    expect(off.trigger.armed).toBe(false);
  });

  it('keeps only what to build from a request', () => {
    expect(changeBuildParams({ targets: [], dryRun: false, force: true, explain: true, keepGoing: true })).toEqual({ targets: [], profile: undefined, jobs: undefined, keepGoing: true, env: undefined, path: undefined });
  });
});

describe('CarriedJobs', () => {
  const job = (id: string, status: 'succeeded' | 'failed'): CarriedJob => ({
    report: { id, kind: 'compile', output: `/p/${id}`, status, durationMs: 5, log: '', reason: 'input changed' },
    rawLog: '', diagnostics: [], label: id, command: ['cc', id],
  });

  it('hands succeeded jobs over once, in the order asked, marked as started on change', () => {
    const carried = new CarriedJobs();
    carried.ranOnChange(job('b.o', 'succeeded'));
    carried.ranOnChange(job('a.o', 'succeeded'));
    carried.ranOnChange(job('bin', 'succeeded'));
    const order = (...ids: string[]) => new Map(ids.map((id, i) => [id, i]));
    const taken = carried.take(order('a.o', 'b.o', 'other.o'), () => true);
    expect(taken.map((j) => [j.report.id, j.report.startedOnChange])).toEqual([['a.o', true], ['b.o', true]]);
    expect(carried.size).toBe(1);
    expect(carried.take(order('a.o', 'b.o'), () => true)).toEqual([]);
  });

  it('drops a job whose last run on change failed, and a job the request will run itself', () => {
    const carried = new CarriedJobs();
    carried.ranOnChange(job('a.o', 'succeeded'));
    carried.ranOnChange(job('a.o', 'failed'));
    carried.ranOnChange(job('c.o', 'succeeded'));
    expect(carried.take(new Map([['a.o', 0], ['c.o', 1]]), (id) => id !== 'c.o')).toEqual([]);
    expect(carried.size).toBe(0);
  });
});
