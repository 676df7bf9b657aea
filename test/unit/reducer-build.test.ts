import { describe, expect, it } from 'vitest';
import type { EventDataByType, FileFacts, JmakeEvent } from '../../events/types.js';
import { applyEvents } from '../../src/state/reducer.js';
import { allJobs, getJob, jobPhase } from '../../src/state/selectors.js';
import { initialState, shardIn, type ProjectState } from '../../src/state/state.js';

/** Numbered events: seq counts up from `start`, time = 1000 * seq. */
function eventsFrom(start: number, ...partial: Omit<JmakeEvent, 'seq' | 'time'>[]): JmakeEvent[] {
  return partial.map((e, i) => ({ ...e, seq: start + i, time: 1000 * (start + i) }) as JmakeEvent);
}

const facts = (path: string, hash = 'aaaaaaaaaaaaaaaa'): FileFacts => ({ path, hash, size: 10, mtime: 1, ino: 1 });
const added = (path: string) => ({ type: 'file-added', data: facts(path) }) as const;
const changed = (path: string, hash = 'bbbbbbbbbbbbbbbb') => ({ type: 'file-changed', data: facts(path, hash) }) as const;
const removed = (path: string) => ({ type: 'file-removed', data: { path } }) as const;

const started = (targets: string[] = ['app']) => ({ type: 'build-started', data: { targets, profile: null, force: false, planned: 3 } }) as const;
const finished = (build: number, over: Partial<EventDataByType['build-finished']> = {}) =>
  ({ type: 'build-finished', data: { build, ok: true, jobsRun: 2, failed: 0, cancelled: false, durationMs: 1234, ...over } }) as const;

function jobFinished(job: string, over: Partial<EventDataByType['job-finished']> = {}) {
  const data: EventDataByType['job-finished'] = {
    build: 1, job, kind: 'compile', status: 'succeeded', exitCode: 0, durationMs: 50,
    key: `key-${job}`, tool: 'tool-1', argvHash: 'argv-1', inputs: [['src/a.c', 'h1'], ['src/a.h', 'h2']],
    output: { path: job, hash: 'out-hash', size: 100, mtime: 5, ino: 7 },
    diagnostics: [{ file: 'src/a.c', line: 3, column: 4, severity: 'warning', message: 'unused variable' }],
    log: 'src/a.c:3:4: warning: unused variable',
    ...over,
  };
  return { type: 'job-finished', data } as const;
}

const jobIds = (state: ProjectState) => [...allJobs(state)].map(([id]) => id).sort();

describe('job-finished', () => {
  it('keeps the end of a failed job\'s output, without colours', () => {
    const failed = { ...jobFinished('build/obj/src/b.c.o'), data: { ...jobFinished('build/obj/src/b.c.o').data, status: 'failed' as const, exitCode: 1, log: `${'noise\n'.repeat(20)}\u001b[31msrc/b.c:1:1: error: boom\u001b[0m\n1 error generated.\n` } };
    const state = applyEvents(initialState(), eventsFrom(1, started(), failed));
    expect(getJob(state, 'build/obj/src/b.c.o')!.error).toBe('noise\nnoise\nnoise\nsrc/b.c:1:1: error: boom\n1 error generated.');
  });

  it('creates a job record under its id and counts it', () => {
    const state = applyEvents(initialState(), eventsFrom(1, started(), jobFinished('build/obj/src/a.c.o')));
    expect(state.jobCount).toBe(1);
    expect(state.lastSeq).toBe(2);
    expect(getJob(state, 'build/obj/src/a.c.o')).toEqual({
      kind: 'compile', status: 'succeeded', key: 'key-build/obj/src/a.c.o', tool: 'tool-1', argvHash: 'argv-1',
      inputs: [['src/a.c', 'h1'], ['src/a.h', 'h2']],
      output: { path: 'build/obj/src/a.c.o', hash: 'out-hash', size: 100, mtime: 5, ino: 7 },
      diagnostics: [{ file: 'src/a.c', line: 3, column: 4, severity: 'warning', message: 'unused variable' }],
      seq: 2, build: 1, exitCode: 0, durationMs: 50, error: null,
    });
    // the record lives in the shard of its id
    expect(shardIn(state.jobs, 'build/obj/src/a.c.o').has('build/obj/src/a.c.o')).toBe(true);
  });

  it('replaces the record of a job that ran again without counting it twice', () => {
    let state = applyEvents(initialState(), eventsFrom(1, started(), jobFinished('o.o'), jobFinished('bin/app', { kind: 'link', inputs: [['o.o', 'out-hash']] })));
    expect(state.jobCount).toBe(2);
    state = applyEvents(state, eventsFrom(4, finished(1), started(), jobFinished('o.o', { build: 5, status: 'failed', exitCode: 1, key: 'key-2', output: null })));
    expect(state.jobCount).toBe(2);
    expect(getJob(state, 'o.o')).toMatchObject({ status: 'failed', key: 'key-2', output: null, seq: 6, build: 5 });
    expect(getJob(state, 'bin/app')).toMatchObject({ kind: 'link', status: 'succeeded', seq: 3, build: 1 });
    expect(jobIds(state)).toEqual(['bin/app', 'o.o']);
  });

  it('does not change the published state (immutability)', () => {
    const before = applyEvents(initialState(), eventsFrom(1, jobFinished('o.o')));
    const after = applyEvents(before, eventsFrom(2, jobFinished('o.o', { key: 'other' }), jobFinished('p.o')));
    expect(getJob(before, 'o.o')?.key).toBe('key-o.o');
    expect(before.jobCount).toBe(1);
    expect(getJob(after, 'o.o')?.key).toBe('other');
    expect(after.jobCount).toBe(2);
  });

  it('jobs-queued, job-started and job-finished move a job through queued and running; build-finished clears what is left', () => {
    const before = applyEvents(initialState(), eventsFrom(1, started()));
    const build = before.builds.running!;
    const phases = (state: ProjectState) => Object.fromEntries(['o.o', 'p.o'].map((id) => [id, jobPhase(state, id) ?? null]));
    const queued = applyEvents(before, eventsFrom(2, { type: 'jobs-queued', data: { build, jobs: ['o.o', 'p.o'] } }));
    expect(phases(queued)).toEqual({ 'o.o': 'queued', 'p.o': 'queued' });
    const running = applyEvents(queued, eventsFrom(3, { type: 'job-started', data: { build, job: 'o.o', kind: 'compile' } }));
    expect(phases(running)).toEqual({ 'o.o': 'running', 'p.o': 'queued' });
    // A job's start touches only the small running set, not the queued list.
    expect(running.inFlight).toEqual({ 'o.o': 'running' });
    expect(running.queued).toBe(queued.queued);
    const finished = applyEvents(running, eventsFrom(4, jobFinished('o.o', { build })));
    expect(phases(finished)).toEqual({ 'o.o': null, 'p.o': 'queued' });
    const skipped = applyEvents(finished, eventsFrom(5, { type: 'jobs-skipped', data: { build, jobs: ['p.o'] } }));
    expect(phases(skipped)).toEqual({ 'o.o': null, 'p.o': null });
    const done = applyEvents(finished, eventsFrom(5, { type: 'build-finished', data: { build, ok: true, jobsRun: 1, failed: 0, cancelled: false, durationMs: 5 } }));
    expect(phases(done)).toEqual({ 'o.o': null, 'p.o': null });
    expect(done.inFlight).toEqual({});
    expect(done.queued).toBeNull();
  });

  it('a job finished in an earlier build is queued again by the next one', () => {
    const first = applyEvents(initialState(), eventsFrom(1, started(), jobFinished('o.o', { build: 1 })));
    const second = applyEvents(first, eventsFrom(3, started(), { type: 'jobs-queued', data: { build: 3, jobs: ['o.o'] } }));
    expect(jobPhase(second, 'o.o')).toBe('queued');
  });
});

describe('outputs-removed', () => {
  it('deletes the named job records and uncounts them; unknown ids are ignored', () => {
    let state = applyEvents(initialState(), eventsFrom(1, jobFinished('a.o'), jobFinished('b.o'), jobFinished('bin/app')));
    expect(state.jobCount).toBe(3);
    state = applyEvents(state, eventsFrom(4, { type: 'outputs-removed', data: { build: 1, jobs: ['a.o', 'bin/app', 'never-existed.o'] } }));
    expect(state.jobCount).toBe(1);
    expect(jobIds(state)).toEqual(['b.o']);
    expect(getJob(state, 'a.o')).toBeUndefined();
  });

  it('removing a job twice uncounts it once, and it can come back', () => {
    let state = applyEvents(initialState(), eventsFrom(1,
      jobFinished('a.o'),
      { type: 'outputs-removed', data: { build: 1, jobs: ['a.o'] } },
      { type: 'outputs-removed', data: { build: 1, jobs: ['a.o'] } },
    ));
    expect(state.jobCount).toBe(0);
    state = applyEvents(state, eventsFrom(4, jobFinished('a.o')));
    expect(state.jobCount).toBe(1);
    expect(getJob(state, 'a.o')?.seq).toBe(4);
  });
});

describe('build-started and build-finished', () => {
  it('build-started marks the build running and starts counting changes from it', () => {
    const state = applyEvents(initialState(), eventsFrom(1, added('a.c'), started()));
    expect(state.builds).toEqual({ count: 0, running: 2, last: null });
    expect(state.changes).toEqual({ baseSeq: 0, count: 1, buildStartSeq: 2, sinceBuildStart: 0 });
  });

  it('build-finished records the summary, clears running and counts the build', () => {
    const state = applyEvents(initialState(), eventsFrom(1, started(), jobFinished('o.o'), finished(1, { ok: false, jobsRun: 1, failed: 1, cancelled: true, durationMs: 99 })));
    expect(state.builds).toEqual({
      count: 1, running: null,
      last: { build: 1, ok: false, jobsRun: 1, failed: 1, cancelled: true, durationMs: 99, finishedAt: 3000 },
    });
    const again = applyEvents(state, eventsFrom(4, started(), finished(4)));
    expect(again.builds.count).toBe(2);
    expect(again.builds.last).toMatchObject({ build: 4, ok: true, finishedAt: 5000 });
  });

  it('changes before the build are consumed by it; changes during it still count afterwards', () => {
    let state = applyEvents(initialState(), eventsFrom(1, added('a.c'), added('b.c'), added('c.c')));
    expect(state.changes.count).toBe(3);
    state = applyEvents(state, eventsFrom(4, started())); // seq 4
    state = applyEvents(state, eventsFrom(5, changed('a.c'), changed('a.c', 'cccccccccccccccc'), added('d.c')));
    expect(state.changes).toMatchObject({ buildStartSeq: 4, sinceBuildStart: 2 });
    state = applyEvents(state, eventsFrom(8, finished(4)));
    // base moves to the build's start, not its end: a.c and d.c changed while it ran
    expect(state.changes).toEqual({ baseSeq: 4, count: 2, buildStartSeq: null, sinceBuildStart: 0 });
  });

  it('a file changed during the build and again afterwards counts once', () => {
    let state = applyEvents(initialState(), eventsFrom(1, added('a.c'), started(), changed('a.c'), finished(2)));
    expect(state.changes.count).toBe(1);
    state = applyEvents(state, eventsFrom(5, changed('a.c', 'dddddddddddddddd'), changed('b.c')));
    expect(state.changes).toEqual({ baseSeq: 2, count: 2, buildStartSeq: null, sinceBuildStart: 0 });
  });

  it('a build with no changes while it ran leaves zero changes', () => {
    const state = applyEvents(initialState(), eventsFrom(1, added('a.c'), added('b.c'), started(), jobFinished('o.o'), finished(3)));
    expect(state.changes).toEqual({ baseSeq: 3, count: 0, buildStartSeq: null, sinceBuildStart: 0 });
    const next = applyEvents(state, eventsFrom(6, removed('b.c')));
    expect(next.changes.count).toBe(1);
  });

  it('a build-finished without a build-started keeps the change counters', () => {
    const state = applyEvents(initialState(), eventsFrom(1, added('a.c'), finished(99)));
    expect(state.changes).toEqual({ baseSeq: 0, count: 1, buildStartSeq: null, sinceBuildStart: 0 });
    expect(state.builds).toMatchObject({ count: 1, running: null, last: { build: 99 } });
  });
});

describe('toolchain-detected', () => {
  it('sets the toolchain with the seq of the event, replacing an earlier one', () => {
    const gcc = { name: 'gcc', path: '/usr/bin/gcc', realPath: '/usr/bin/gcc-12', version: '12.2.0', size: 100, mtime: 1 };
    let state = applyEvents(initialState(), eventsFrom(1, { type: 'toolchain-detected', data: { hash: 'tc1', family: 'gcc', llvmMajor: null, tools: { cc: gcc } } }));
    expect(state.toolchain).toEqual({ hash: 'tc1', family: 'gcc', llvmMajor: null, tools: { cc: gcc }, seq: 1 });
    const clang = { name: 'clang', path: '/usr/bin/clang', realPath: '/usr/lib/llvm-14/bin/clang', version: '14.0.6', size: 200, mtime: 2 };
    state = applyEvents(state, eventsFrom(2, { type: 'toolchain-detected', data: { hash: 'tc2', family: 'clang', llvmMajor: 14, tools: { cc: clang, cxx: clang } } }));
    expect(state.toolchain).toEqual({ hash: 'tc2', family: 'clang', llvmMajor: 14, tools: { cc: clang, cxx: clang }, seq: 2 });
  });
});

describe('replayed events', () => {
  it('events at or below lastSeq are not applied again', () => {
    const state = applyEvents(initialState(), eventsFrom(1, jobFinished('o.o'), started()));
    const again = applyEvents(state, eventsFrom(1, jobFinished('o.o', { key: 'changed' }), started()));
    expect(again.jobCount).toBe(1);
    expect(getJob(again, 'o.o')?.key).toBe('key-o.o');
    expect(again.builds.running).toBe(2);
  });
});

describe('a build\'s own events, folded on copies without immer', () => {
  /** The immer fold of the same events: each batched with an event of another type under the same seq, which the fold skips as already folded. */
  const viaImmer = (state: ProjectState, events: readonly JmakeEvent[]) =>
    events.reduce((s, e) => applyEvents(s, [e, { seq: e.seq, time: e.time, type: 'watcher-overflow', data: { path: '.', code: 'x', message: 'x', fallback: 'rescan' } } as JmakeEvent]), state);

  it('a no-op build\'s pair gives the state immer gives, deeply frozen, sharing the files and jobs, leaving the input alone', () => {
    // A build running with one job queued and one running, and changes since its start.
    const base = applyEvents(initialState(), eventsFrom(1, added('src/a.c'), started(), { type: 'jobs-queued', data: { build: 2, jobs: ['a.o', 'b.o'] } },
      { type: 'job-started', data: { build: 2, job: 'a.o', kind: 'compile' } }, changed('src/a.c'), jobFinished('a.o', { build: 2 })));
    const before = JSON.stringify(base);
    const pair = eventsFrom(7, finished(2, { jobsRun: 1 }), started(), finished(8, { jobsRun: 0, durationMs: 3 }));
    const fast = applyEvents(base, pair);
    expect(JSON.stringify(fast)).toBe(JSON.stringify(viaImmer(base, pair)));
    expect(fast.builds).toEqual({ count: 2, running: null, last: { build: 8, ok: true, jobsRun: 0, failed: 0, cancelled: false, durationMs: 3, finishedAt: 9000 } });
    expect(fast.inFlight).toEqual({});
    expect(fast.queued).toBeNull();
    expect(fast.changes).toEqual({ baseSeq: 8, count: 0, buildStartSeq: null, sinceBuildStart: 0 });
    expect(fast.lastSeq).toBe(9);
    expect(JSON.stringify(base)).toBe(before);
    expect(fast.files).toBe(base.files);
    expect(fast.jobs).toBe(base.jobs);
    expect(() => { (fast as unknown as { lastSeq: number }).lastSeq = 1; }).toThrow(TypeError);
    expect(() => { (fast.builds as { count: number }).count = 1; }).toThrow(TypeError);
    expect(() => { (fast.builds.last as { ok: boolean }).ok = false; }).toThrow(TypeError);
    expect(() => { (fast.changes as { count: number }).count = 1; }).toThrow(TypeError);
    expect(() => { (fast.inFlight as Record<string, string>).x = 'running'; }).toThrow(TypeError);
  });

  it('jobs started and finished (new, replaced, skipped before) give the state immer gives; only their shards are copied, and frozen', () => {
    const base = applyEvents(initialState(), eventsFrom(1, added('src/a.c'), started(), jobFinished('a.o'), jobFinished('c.o'),
      { type: 'jobs-skipped', data: { build: 2, jobs: ['b.o', 'c.o'] } }, finished(2, { ok: false })));
    const before = JSON.stringify(base);
    const build = eventsFrom(7, started(), { type: 'jobs-queued', data: { build: 7, jobs: ['a.o', 'b.o'] } },
      { type: 'job-started', data: { build: 7, job: 'a.o', kind: 'compile' } }, { type: 'job-started', data: { build: 7, job: 'b.o', kind: 'compile' } },
      jobFinished('a.o', { build: 7, key: 'key-new' }), jobFinished('b.o', { build: 7 }));
    const fast = applyEvents(base, build);
    expect(JSON.stringify(fast)).toBe(JSON.stringify(viaImmer(base, build)));
    expect(JSON.stringify(base)).toBe(before);
    expect(fast.jobCount).toBe(3);
    expect(getJob(fast, 'a.o')!.key).toBe('key-new');
    expect(getJob(base, 'a.o')!.key).toBe('key-a.o');
    expect(fast.skipped).toEqual({ 'c.o': 2 });
    expect(base.skipped).toEqual({ 'b.o': 2, 'c.o': 2 });
    expect(fast.inFlight).toEqual({});
    expect(jobPhase(fast, 'a.o')).toBe(jobPhase(viaImmer(base, build), 'a.o'));
    // Only the shards written are new; every other one is the same object.
    const touched = new Set([shardIn(fast.jobs, 'a.o'), shardIn(fast.jobs, 'b.o')]);
    let shared = 0;
    fast.jobs.forEach((group, g) => group.forEach((shard, i) => {
      if (touched.has(shard)) expect(shard).not.toBe(base.jobs[g]![i]);
      else { expect(shard).toBe(base.jobs[g]![i]); shared++; }
    }));
    expect(shared).toBe(256 - touched.size);
    expect(fast.files).toBe(base.files);
    const shard = shardIn(fast.jobs, 'a.o') as Map<string, unknown>;
    expect(() => shard.set('x', {})).toThrow();
    expect(() => shard.delete('a.o')).toThrow();
    expect(() => { (fast.jobs as unknown[])[0] = []; }).toThrow(TypeError);
    expect(() => { (fast.skipped as Record<string, number>).x = 1; }).toThrow(TypeError);
    expect(() => { (getJob(fast, 'b.o') as { key: string }).key = 'x'; }).toThrow(TypeError);
  });

  it('skips what a snapshot already holds, as the immer fold does', () => {
    const base = applyEvents(initialState(), eventsFrom(1, started(), jobFinished('a.o'), finished(1)));
    expect(applyEvents(base, eventsFrom(1, started(), jobFinished('a.o', { key: 'other' }), finished(1, { durationMs: 99 })))).toEqual(base);
    const later = applyEvents(base, eventsFrom(3, jobFinished('a.o', { key: 'other' }), started(), finished(4, { durationMs: 99 }))); // seq 3 skipped
    expect(getJob(later, 'a.o')!.key).toBe('key-a.o');
    expect(later.builds.count).toBe(2);
    expect(later.builds.last?.durationMs).toBe(99);
    expect(later.lastSeq).toBe(5);
  });
});
