import { describe, expect, it } from 'vitest';
import type { JmakeEvent } from '../../events/types.js';
import { Freshness } from '../../src/daemon/freshness.js';
import { applyEvents } from '../../src/state/reducer.js';
import { initialState } from '../../src/state/state.js';

function finished(seq: number, job: string, inputs: string[]): JmakeEvent {
  return {
    seq, time: seq, type: 'job-finished',
    data: {
      build: 1, job, kind: 'compile', status: 'succeeded', exitCode: 0, durationMs: 1, key: 'k', tool: 't', argvHash: 'a',
      inputs: inputs.map((p) => [p, 'h'] as const), output: { path: job, hash: 'o', size: 1, mtime: 1, ino: 1 }, diagnostics: [], log: '',
    },
  };
}
const changed = (seq: number, path: string): JmakeEvent => ({ seq, time: seq, type: 'file-changed', data: { path, hash: 'x', size: 1, mtime: 1, ino: 1 } });

describe('Freshness', () => {
  const state = applyEvents(initialState(), [finished(1, 'a.o', ['a.c', 'h.h', '/usr/include/stdio.h']), finished(2, 'b.o', ['b.c']), finished(3, 'app', ['a.o', 'b.o'])]);
  const watched = (p: string) => !p.startsWith('/');

  it('indexes the inputs of the recorded jobs and lists the ones the watcher cannot see', () => {
    const f = new Freshness(state, watched);
    expect([...f.unwatchedInputs()]).toEqual(['/usr/include/stdio.h']);
    expect(f.isFresh('a.o')).toBe(false); // nothing is fresh until the builder says so
  });

  it('says whether anything a build wants changed, from what changed only (the no-op shortcut)', () => {
    const f = new Freshness(state, watched);
    const all = new Set(['a.o', 'b.o', 'app']);
    for (const job of all) f.markFresh(job, 10);
    expect(f.dirtyIn(all)).toEqual([]);
    f.onEvents([changed(11, 'b.c')]);
    expect(f.dirtyIn(all)).toEqual(['b.o']);
    expect(f.dirtyIn(new Set(['a.o']))).toEqual([]);
    f.markFresh('b.o', 11);
    expect(f.dirtyIn(all)).toEqual([]);
    f.markStale('app'); // judged out of date: dirty until it ran and was marked fresh
    expect(f.dirtyIn(all)).toEqual(['app']);
    f.markFresh('app', 11);
    f.invalidateReaders('/usr/include/stdio.h'); // an external header changed
    expect(f.dirtyIn(new Set(['a.o']))).toEqual(['a.o']);
    f.markFresh('a.o', 11);
    f.onEvents([changed(13, 'a.c')]);
    f.markFresh('a.o', 12); // marked from the state before the edit: still stale, still dirty
    expect(f.isFresh('a.o')).toBe(false);
    expect(f.dirtyIn(all)).toEqual(['a.o']);
    const epoch = f.epoch;
    f.reset(); // a new plan: every judgement is void, which the new epoch says
    expect(f.epoch).toBe(epoch + 1);
    expect(f.isFresh('b.o')).toBe(false);
  });

  it('a job stays fresh until an event touches one of its inputs after it was marked', () => {
    const f = new Freshness(state, watched);
    f.markFresh('a.o', 10);
    f.markFresh('b.o', 10);
    f.onEvents([changed(9, 'h.h')]); // before the mark: already taken into account
    expect(f.isFresh('a.o')).toBe(true);
    f.onEvents([changed(11, 'h.h')]);
    expect(f.isFresh('a.o')).toBe(false);
    expect(f.isFresh('b.o')).toBe(true);
    f.markFresh('a.o', 11);
    expect(f.isFresh('a.o')).toBe(true);
  });

  it('an input edited while its job ran for the first time (before its inputs were known) keeps it stale', () => {
    const f = new Freshness(initialState(), watched);
    // The job starts at seq 4; the source changes at 5, while the compiler runs; it finishes at 6.
    f.onEvents([changed(5, 'new.c'), finished(6, 'new.o', ['new.c'])]);
    f.markFresh('new.o', 4);
    expect(f.isFresh('new.o')).toBe(false);
    // Judged again from a state that has the edit: fresh.
    f.markFresh('new.o', 6);
    expect(f.isFresh('new.o')).toBe(true);
  });

  it('a rebuilt output touches the jobs that read it; outputs-removed forgets a job', () => {
    const f = new Freshness(state, watched);
    f.markFresh('app', 20);
    f.onEvents([finished(21, 'a.o', ['a.c', 'h.h'])]);
    expect(f.isFresh('app')).toBe(false);
    f.markFresh('app', 21);
    f.onEvents([{ seq: 22, time: 22, type: 'outputs-removed', data: { build: 1, jobs: ['app'] } }]);
    expect(f.isFresh('app')).toBe(false);
    // Still dirty: a build that judged every job before looks only at the dirty ones (jmake clean).
    expect(f.dirtyIn(new Set(['app']))).toEqual(['app']);
    f.onEvents([changed(23, 'a.o')]);
    expect(f.isFresh('app')).toBe(false);
  });

  it('a job that ran again reading other inputs is re-indexed; one reading the same inputs keeps its index', () => {
    const f = new Freshness(state, watched);
    f.onEvents([finished(30, 'b.o', ['b.c'])]); // the same inputs
    expect(f.isInput('b.c')).toBe(true);
    f.markFresh('b.o', 30);
    f.onEvents([changed(31, 'b.c')]);
    expect(f.isFresh('b.o')).toBe(false);
    f.onEvents([finished(32, 'b.o', ['b2.c', 'h.h'])]); // it now reads other files
    expect(f.isInput('b.c')).toBe(false);
    f.markFresh('b.o', 32);
    f.onEvents([changed(33, 'b.c')]);
    expect(f.isFresh('b.o')).toBe(true);
    f.onEvents([changed(34, 'b2.c')]);
    expect(f.isFresh('b.o')).toBe(false);
    f.markFresh('b.o', 34);
    f.onEvents([changed(35, 'h.h')]);
    expect(f.isFresh('b.o')).toBe(false);
    expect(f.isFresh('a.o')).toBe(false); // h.h is still a.o's input as well
  });

  it('a touched output puts only the output in doubt while the inputs stay as they were', () => {
    const f = new Freshness(state, watched);
    f.markFresh('app', 40);
    f.outputTouched('app'); // the output watcher saw it written
    expect(f.isFresh('app')).toBe(false);
    expect(f.outputInDoubt('app')).toBe(true);
    expect(f.dirtyIn(new Set(['app']))).toEqual(['app']);
    f.markFresh('app', 41); // its output checked out
    expect(f.isFresh('app')).toBe(true);
    expect(f.outputInDoubt('app')).toBe(false);
    expect(f.dirtyIn(new Set(['app']))).toEqual([]);

    f.outputTouched('app');
    f.onEvents([finished(42, 'b.o', ['b.c'])]); // and then an input changed as well: judged in full
    expect(f.outputInDoubt('app')).toBe(false);
    expect(f.isFresh('app')).toBe(false);

    f.outputTouched('a.o.d'); // a depfile under the output dir: no job's output, nothing dirty
    expect(f.dirtyIn(new Set(['a.o.d']))).toEqual([]);

    f.outputTouched('b.o'); // never found fresh: nothing to keep
    expect(f.outputInDoubt('b.o')).toBe(false);
    f.markFresh('b.o', 43);
    f.outputTouched('b.o');
    f.invalidate('b.o'); // something the log cannot show: no longer fresh in any way
    expect(f.outputInDoubt('b.o')).toBe(false);
    expect(f.isFresh('b.o')).toBe(false);
  });

  it('invalidate, invalidateReaders and reset drop what the event log cannot show', () => {
    const f = new Freshness(state, watched);
    for (const job of ['a.o', 'b.o', 'app']) f.markFresh(job, 5);
    f.invalidate('b.o');
    expect(f.isFresh('b.o')).toBe(false);
    f.invalidateReaders('/usr/include/stdio.h');
    expect(f.isFresh('a.o')).toBe(false);
    expect(f.isFresh('app')).toBe(true);
    f.reset();
    expect(f.isFresh('app')).toBe(false);
  });

  it('a job recorded as a patch of its inputs keeps its index (same paths) and is touched like any other', () => {
    const f = new Freshness(state, watched);
    f.markFresh('app', 3);
    const full = finished(4, 'app', []) as Extract<JmakeEvent, { type: 'job-finished' }>;
    const patched: JmakeEvent = { ...full, data: { ...full.data, inputs: { since: 3, changed: [[0, 'h2']] } } };
    f.onEvents([patched]);
    f.markFresh('app', 4);
    expect(f.isFresh('app')).toBe(true);
    expect(f.isInput('a.o')).toBe(true);
    f.onEvents([finished(5, 'b.o', ['b.c'])]); // an object it links was rewritten
    expect(f.isFresh('app')).toBe(false);
  });
});
