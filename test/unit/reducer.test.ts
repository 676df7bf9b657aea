import { describe, expect, it } from 'vitest';
import type { FileFacts, JmakeEvent } from '../../events/types.js';
import { applyEvents, reduceInto } from '../../src/state/reducer.js';
import { fileRecordSeqs, getFile, liveFiles } from '../../src/state/selectors.js';
import { freezeState, thawInitialState } from '../../src/state/serialize.js';
import { FILE_SHARDS, SHARD_GROUP, initialState, shardIn, shardOf, shardsOf, type ProjectState } from '../../src/state/state.js';

const facts = (path: string, hash = 'aaaaaaaaaaaaaaaa', size = 10): FileFacts => ({ path, hash, size, mtime: 1000.5, ino: 99 });

/** Builds numbered events: seq counts up from `start`, time = 1000 * seq. */
function eventsFrom(start: number, ...partial: Omit<JmakeEvent, 'seq' | 'time'>[]): JmakeEvent[] {
  return partial.map((e, i) => ({ ...e, seq: start + i, time: 1000 * (start + i) }) as JmakeEvent);
}
const added = (path: string, hash?: string) => ({ type: 'file-added', data: facts(path, hash) }) as const;
const changed = (path: string, hash?: string) => ({ type: 'file-changed', data: facts(path, hash) }) as const;
const removed = (path: string) => ({ type: 'file-removed', data: { path } }) as const;

const live = (state: ProjectState): string[] => [...liveFiles(state)].map(([p]) => p).sort();

/** Everything in a state, as plain data (tombstones included), for comparisons. */
export function summary(state: ProjectState): unknown {
  const files = state.files.flatMap((shard) => [...shard.entries()]).sort(([a], [b]) => (a < b ? -1 : 1));
  const { files: _f, ...rest } = state;
  return { ...rest, files };
}

describe('file events', () => {
  it('add, change and remove update fileCount and the file records', () => {
    let state = applyEvents(initialState(), eventsFrom(1, added('a.c'), added('b.c'), added('c/d.h')));
    expect(state.fileCount).toBe(3);
    expect(state.lastSeq).toBe(3);
    expect(live(state)).toEqual(['a.c', 'b.c', 'c/d.h']);
    expect(getFile(state, 'b.c')).toEqual({ hash: 'aaaaaaaaaaaaaaaa', size: 10, mtime: 1000.5, ino: 99, seq: 2 });

    state = applyEvents(state, eventsFrom(4, changed('a.c', 'bbbbbbbbbbbbbbbb')));
    expect(state.fileCount).toBe(3);
    expect(getFile(state, 'a.c')).toMatchObject({ hash: 'bbbbbbbbbbbbbbbb', seq: 4 });

    state = applyEvents(state, eventsFrom(5, removed('b.c')));
    expect(state.fileCount).toBe(2);
    expect(getFile(state, 'b.c')).toBeUndefined();
    expect(live(state)).toEqual(['a.c', 'c/d.h']);
    // a tombstone is kept
    expect(shardIn(state.files, 'b.c').get('b.c')).toEqual({ hash: null, size: 0, mtime: 0, ino: 0, seq: 5 });
    expect(fileRecordSeqs(state)).toEqual(new Set([4, 5, 3]));
  });

  it('a file-changed for an unknown path adds it', () => {
    const state = applyEvents(initialState(), eventsFrom(1, changed('new.c')));
    expect(state.fileCount).toBe(1);
    expect(getFile(state, 'new.c')?.seq).toBe(1);
  });

  it('a second add of a live path does not count it twice', () => {
    const state = applyEvents(initialState(), eventsFrom(1, added('a.c'), added('a.c', 'cccccccccccccccc')));
    expect(state.fileCount).toBe(1);
    expect(getFile(state, 'a.c')?.hash).toBe('cccccccccccccccc');
  });

  it('applies a touch-like duplicate (same facts again): the record moves to the new seq', () => {
    const state = applyEvents(initialState(), eventsFrom(1, added('a.c'), changed('a.c'), changed('a.c')));
    expect(state.lastSeq).toBe(3);
    expect(state.fileCount).toBe(1);
    expect(getFile(state, 'a.c')?.seq).toBe(3);
    expect(state.changes.count).toBe(1);
  });

  it('removing an unknown or already removed path changes nothing but lastSeq', () => {
    const state = applyEvents(initialState(), eventsFrom(1, added('a.c'), removed('nope.c'), removed('a.c'), removed('a.c')));
    expect(state.lastSeq).toBe(4);
    expect(state.fileCount).toBe(0);
    expect(shardIn(state.files, 'nope.c').has('nope.c')).toBe(false);
    expect(shardIn(state.files, 'a.c').get('a.c')?.seq).toBe(3);
  });

  it('re-adding a removed path makes it live again', () => {
    const state = applyEvents(initialState(), eventsFrom(1, added('a.c'), removed('a.c'), added('a.c', 'dddddddddddddddd')));
    expect(state.fileCount).toBe(1);
    expect(getFile(state, 'a.c')).toMatchObject({ hash: 'dddddddddddddddd', seq: 3 });
  });
});

describe('changes.count', () => {
  it('counts each path once since baseSeq, including remove-then-re-add', () => {
    const state = applyEvents(initialState(), eventsFrom(1,
      added('a.c'), changed('a.c'), changed('a.c'), // a.c: once
      added('b.c'), removed('b.c'), // b.c: once
      added('c.c'), removed('c.c'), added('c.c'), changed('c.c'), // c.c: once (tombstone)
      removed('never-existed.c'), // not a change
    ));
    expect(state.changes).toMatchObject({ baseSeq: 0, count: 3 });
    expect(state.fileCount).toBe(2);
  });

  it('counts only changes after baseSeq', () => {
    const base = applyEvents(initialState(), eventsFrom(1, added('old.c'), added('gone.c'), added('kept.c')));
    expect(base.changes.count).toBe(3);
    // a build finished at seq 3: everything before is in the build
    const built: ProjectState = { ...base, changes: { baseSeq: 3, count: 0, buildStartSeq: null, sinceBuildStart: 0 } };
    let state = applyEvents(built, eventsFrom(4, changed('old.c'), changed('old.c')));
    expect(state.changes).toMatchObject({ baseSeq: 3, count: 1 });
    state = applyEvents(state, eventsFrom(6, removed('gone.c'), added('gone.c')));
    expect(state.changes.count).toBe(2);
    state = applyEvents(state, eventsFrom(8, added('fresh.c'), removed('fresh.c')));
    expect(state.changes.count).toBe(3);
    expect(getFile(state, 'kept.c')?.seq).toBe(3);
    expect(state.fileCount).toBe(3);
  });
});

describe('config, daemon and watcher events', () => {
  it('config-loaded / config-changed replace the config; config-invalid keeps the values', () => {
    let state = applyEvents(initialState(), eventsFrom(1,
      { type: 'config-loaded', data: { hash: 'h1', config: { daemon: { settle_ms: 10 } }, changed: ['daemon.settle_ms'] } },
    ));
    expect(state.config).toEqual({ hash: 'h1', values: { daemon: { settle_ms: 10 } }, seq: 1, error: null });

    const error = { message: 'invalid value', line: 3, column: 7 };
    state = applyEvents(state, eventsFrom(2, { type: 'config-invalid', data: { hash: 'h2', error } }));
    expect(state.config).toEqual({ hash: 'h2', values: { daemon: { settle_ms: 10 } }, seq: 2, error });
    expect(state.config.error).not.toBe(error); // copied

    state = applyEvents(state, eventsFrom(3, { type: 'config-changed', data: { hash: 'h3', config: { a: 1 }, changed: ['a'] } }));
    expect(state.config).toEqual({ hash: 'h3', values: { a: 1 }, seq: 3, error: null });
  });

  it('config-invalid before any config leaves values null', () => {
    const state = applyEvents(initialState(), eventsFrom(1, { type: 'config-invalid', data: { hash: 'h', error: { message: 'm', line: 1, column: 2 } } }));
    expect(state.config).toEqual({ hash: 'h', values: null, seq: 1, error: { message: 'm', line: 1, column: 2 } });
  });

  it('daemon-started / daemon-stopped track the current instance', () => {
    let state = applyEvents(initialState(), eventsFrom(1,
      { type: 'daemon-started', data: { pid: 10, instance: 'i1', version: '0.1.0', protocol: 1 } },
    ));
    expect(state.daemon).toEqual({ instance: 'i1', pid: 10, version: '0.1.0', startedAt: 1000, stoppedAt: null });
    // a stop of another instance is ignored
    state = applyEvents(state, eventsFrom(2, { type: 'daemon-stopped', data: { pid: 9, instance: 'old', reason: 'x' } }));
    expect(state.daemon?.stoppedAt).toBeNull();
    expect(state.lastSeq).toBe(2);
    state = applyEvents(state, eventsFrom(3, { type: 'daemon-stopped', data: { pid: 10, instance: 'i1', reason: 'idle' } }));
    expect(state.daemon).toEqual({ instance: 'i1', pid: 10, version: '0.1.0', startedAt: 1000, stoppedAt: 3000 });
    state = applyEvents(state, eventsFrom(4, { type: 'daemon-started', data: { pid: 11, instance: 'i2', version: '0.2.0', protocol: 1 } }));
    expect(state.daemon).toEqual({ instance: 'i2', pid: 11, version: '0.2.0', startedAt: 4000, stoppedAt: null });
  });

  it('daemon-stopped with no daemon known is ignored', () => {
    const state = applyEvents(initialState(), eventsFrom(1, { type: 'daemon-stopped', data: { pid: 1, instance: 'x', reason: 'r' } }));
    expect(state.daemon).toBeNull();
    expect(state.lastSeq).toBe(1);
  });

  it('watcher-rescan, watcher-overflow and log-recovered are counted', () => {
    const state = applyEvents(initialState(), eventsFrom(1,
      { type: 'watcher-rescan', data: { reason: 'start', scanned: 10, changed: 2, durationMs: 5 } },
      { type: 'watcher-overflow', data: { path: 'src', code: 'ENOSPC', message: 'no space', fallback: 'poll' } },
      { type: 'watcher-rescan', data: { reason: 'overflow', scanned: 10, changed: 0, durationMs: 5 } },
      { type: 'log-recovered', data: { truncatedBytes: 5, offset: 100, reason: 'torn' } },
    ));
    expect(state.watcher).toEqual({ rescans: 2, overflows: 1, lastRescan: { seq: 3, reason: 'overflow', changed: 0 } });
    expect(state.logRecoveries).toBe(1);
    expect(state.lastSeq).toBe(4);
  });

  it('an event type from a newer jmake only advances lastSeq', () => {
    const before = applyEvents(initialState(), eventsFrom(1, added('a.c')));
    const after = applyEvents(before, [{ seq: 2, time: 1, type: 'frobnicated', data: {} } as unknown as JmakeEvent]);
    expect(after.lastSeq).toBe(2);
    expect(summary({ ...after, lastSeq: 1 })).toEqual(summary(before));
  });
});

describe('ordering and immutability', () => {
  it('ignores events with seq <= lastSeq (snapshot overlap)', () => {
    const state = applyEvents(initialState(), eventsFrom(1, added('a.c'), added('b.c')));
    const again = applyEvents(state, eventsFrom(1, removed('a.c'), removed('b.c')));
    expect(again.fileCount).toBe(2);
    expect(again.lastSeq).toBe(2);
    expect(summary(again)).toEqual(summary(state));
    const mixed = applyEvents(state, eventsFrom(2, removed('a.c'), removed('b.c')));
    expect(mixed.fileCount).toBe(1); // seq 2 (remove a.c) skipped, seq 3 (remove b.c) applied
    expect(mixed.lastSeq).toBe(3);
    expect(getFile(mixed, 'a.c')).toBeDefined();
    expect(getFile(mixed, 'b.c')).toBeUndefined();
  });

  it('returns the same state for an empty batch', () => {
    const state = initialState();
    expect(applyEvents(state, [])).toBe(state);
  });

  it('does not change the state it was given', () => {
    const state = applyEvents(initialState(), eventsFrom(1, added('a.c')));
    const before = summary(state);
    const next = applyEvents(state, eventsFrom(2, removed('a.c'), added('b.c')));
    expect(summary(state)).toEqual(before);
    expect(next).not.toBe(state);
    expect(getFile(state, 'a.c')).toBeDefined();
  });

  it('publishes a deeply frozen state: mutation throws', () => {
    const state = applyEvents(initialState(), eventsFrom(1,
      added('a.c'),
      { type: 'config-loaded', data: { hash: 'h', config: { daemon: { x: 1 } }, changed: [] } },
    ));
    const writable = state as unknown as Record<string, unknown>;
    expect(() => { writable.fileCount = 5; }).toThrow(TypeError);
    expect(() => { (state.changes as { count: number }).count = 9; }).toThrow(TypeError);
    expect(() => { ((state.config.values as Record<string, Record<string, unknown>>).daemon!).x = 2; }).toThrow(TypeError);
    const shard = shardIn(state.files, 'a.c') as Map<string, unknown>;
    expect(() => shard.set('b.c', {})).toThrow();
    expect(() => shard.delete('a.c')).toThrow();
    const s = shardOf('a.c');
    const untouched = state.files[Math.floor(s / SHARD_GROUP)]![(s + 1) % SHARD_GROUP] as Map<string, unknown>;
    expect(() => untouched.set('x', {})).toThrow();
    // The groups themselves are frozen too.
    expect(() => { (state.files[0] as unknown[])[0] = new Map(); }).toThrow(TypeError);
    expect(() => { (state.files as unknown[])[0] = []; }).toThrow(TypeError);
    expect(() => { (getFile(state, 'a.c') as { hash: string }).hash = 'x'; }).toThrow(TypeError);
    expect(state.fileCount).toBe(1);
    expect(getFile(state, 'a.c')?.hash).toBe('aaaaaaaaaaaaaaaa');
  });
});

describe('reduceInto on a private copy', () => {
  it('gives the same state as applyEvents, batch by batch or all at once', () => {
    const events = eventsFrom(1,
      added('a.c'), added('b.c'), changed('a.c', 'eeeeeeeeeeeeeeee'), removed('b.c'), added('b.c'),
      { type: 'config-loaded', data: { hash: 'h', config: { k: [1, 2] }, changed: ['k'] } },
      { type: 'daemon-started', data: { pid: 1, instance: 'i', version: 'v', protocol: 1 } },
      { type: 'watcher-rescan', data: { reason: 'r', scanned: 1, changed: 1, durationMs: 1 } },
      removed('a.c'),
    );
    const viaProduce = applyEvents(initialState(), events);
    const batched = events.reduce((s, e) => applyEvents(s, [e]), initialState());

    const draft = thawInitialState();
    reduceInto(draft, events.slice(0, 4));
    reduceInto(draft, events.slice(2)); // overlap is ignored
    const published = freezeState(draft);

    expect(summary(published)).toEqual(summary(viaProduce));
    expect(summary(batched)).toEqual(summary(viaProduce));
    expect(published.fileCount).toBe(1);
    expect(published.changes.count).toBe(2);
    expect(Object.isFrozen(published)).toBe(true);
    expect(() => { (published as unknown as { lastSeq: number }).lastSeq = 0; }).toThrow(TypeError);
  });

  it('thawInitialState returns a fresh writable copy each time', () => {
    const a = thawInitialState();
    const b = thawInitialState();
    reduceInto(a, eventsFrom(1, added('a.c')));
    expect(a.fileCount).toBe(1);
    expect(b.fileCount).toBe(0);
    expect(shardIn(b.files, 'a.c').size).toBe(0);
    expect([...shardsOf(initialState().files)]).toHaveLength(FILE_SHARDS);
    expect(new Set(shardsOf(initialState().jobs)).size).toBe(FILE_SHARDS); // each its own Map
  });
});

describe('shardOf', () => {
  it('is stable and in range', () => {
    for (const p of ['', 'a', 'src/main.c', 'ünï/😀.h', 'x'.repeat(1000)]) {
      const s = shardOf(p);
      expect(Number.isInteger(s) && s >= 0 && s < FILE_SHARDS).toBe(true);
      expect(shardOf(p)).toBe(s);
    }
    const used = new Set(Array.from({ length: 2000 }, (_, i) => shardOf(`src/f${i}.c`)));
    expect(used.size).toBeGreaterThan(FILE_SHARDS / 2);
  });
});
