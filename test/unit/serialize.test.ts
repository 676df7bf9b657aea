import { describe, expect, it } from 'vitest';
import type { JmakeEvent } from '../../events/types.js';
import { applyEvents, reduceInto } from '../../src/state/reducer.js';
import { fileRecordSeqs, getFile, liveFiles } from '../../src/state/selectors.js';
import { deserializeState, freezeState, serializeState, type SerializedState } from '../../src/state/serialize.js';
import { SHARD_GROUP, initialState, shardIn, shardOf, type ProjectState } from '../../src/state/state.js';

let seq = 0;
function ev(partial: Omit<JmakeEvent, 'seq' | 'time'>): JmakeEvent {
  seq++;
  return { ...partial, seq, time: 5000 + seq } as JmakeEvent;
}
const file = (type: 'file-added' | 'file-changed', path: string, hash: string): JmakeEvent =>
  ev({ type, data: { path, hash, size: hash.length * 3, mtime: 1_700_000_000_123.25, ino: path.length } });

function buildState(): ProjectState {
  seq = 0;
  const events: JmakeEvent[] = [];
  for (let i = 0; i < 300; i++) events.push(file('file-added', `src/dir${i % 7}/f${i}.c`, `${i}`.padStart(16, '0')));
  events.push(file('file-changed', 'src/dir1/f1.c', 'ffffffffffffffff'));
  events.push(file('file-added', 'ünï/😀 space.h', 'abababababababab'));
  events.push(ev({ type: 'file-removed', data: { path: 'src/dir2/f2.c' } })); // tombstone
  events.push(ev({ type: 'file-removed', data: { path: 'src/dir3/f3.c' } }));
  events.push(file('file-added', 'src/dir3/f3.c', 'cdcdcdcdcdcdcdcd')); // re-added
  events.push(ev({ type: 'config-loaded', data: { hash: 'c1', config: { daemon: { watch_exclude: ['vendor'] }, n: 1.5 }, changed: ['n'] } }));
  events.push(ev({ type: 'config-invalid', data: { hash: 'c2', error: { message: 'bad', line: 2, column: 3 } } }));
  events.push(ev({ type: 'daemon-started', data: { pid: 42, instance: 'abc', version: '0.1.0', protocol: 1 } }));
  events.push(ev({ type: 'watcher-rescan', data: { reason: 'start', scanned: 300, changed: 3, durationMs: 12 } }));
  events.push(ev({ type: 'watcher-overflow', data: { path: 'x', code: 'ENOSPC', message: 'm', fallback: 'poll' } }));
  events.push(ev({ type: 'log-recovered', data: { truncatedBytes: 1, offset: 2, reason: 'r' } }));
  const state = applyEvents(initialState(), events);
  return { ...state, changes: { baseSeq: 100, count: state.changes.count, buildStartSeq: null, sinceBuildStart: 0 } };
}

function view(state: ProjectState): unknown {
  const files = state.files.flatMap((shard) => [...shard.entries()]).sort(([a], [b]) => (a < b ? -1 : 1));
  const { files: _f, ...rest } = state;
  return { ...rest, files };
}

function roundTrip(state: ProjectState): ProjectState {
  const json = JSON.stringify(serializeState(state));
  return freezeState(deserializeState(JSON.parse(json) as SerializedState));
}

describe('serializeState / deserializeState', () => {
  it('round-trips through JSON to an equal state', () => {
    const original = buildState();
    const copy = roundTrip(original);
    expect(copy).not.toBe(original);
    expect(view(copy)).toEqual(view(original));
    expect(copy.fileCount).toBe(original.fileCount);
    expect(copy.fileCount).toBe(300);
    expect(copy.lastSeq).toBe(original.lastSeq);
    expect(copy.changes).toEqual({ baseSeq: 100, count: original.changes.count, buildStartSeq: null, sinceBuildStart: 0 });
    expect(copy.config).toEqual(original.config);
    expect(copy.daemon).toEqual(original.daemon);
    expect(copy.watcher).toEqual(original.watcher);
    expect(copy.logRecoveries).toBe(1);
    const livePaths = (s: ProjectState) => [...liveFiles(s)].map(([p, r]) => [p, r]).sort();
    expect(livePaths(copy)).toEqual(livePaths(original));
    expect(fileRecordSeqs(copy)).toEqual(fileRecordSeqs(original));
    for (const path of ['src/dir1/f1.c', 'ünï/😀 space.h', 'src/dir3/f3.c', 'src/dir2/f2.c', 'missing.c']) {
      expect(getFile(copy, path)).toEqual(getFile(original, path));
    }
    expect(getFile(copy, 'src/dir2/f2.c')).toBeUndefined();
    expect(shardIn(copy.files, 'src/dir2/f2.c').get('src/dir2/f2.c')?.hash).toBeNull();
  });

  it('puts every file in the shard shardOf names', () => {
    const copy = roundTrip(buildState());
    copy.files.forEach((group, g) => group.forEach((shard, i) => {
      for (const path of shard.keys()) expect(shardOf(path)).toBe(g * SHARD_GROUP + i);
    }));
  });

  it('writes files as compact tuples, tombstones included', () => {
    const original = buildState();
    const data = serializeState(original);
    expect(data.files).toHaveLength(301); // 300 + 1 added, the tombstone among them
    const tomb = data.files.find(([p]) => p === 'src/dir2/f2.c');
    expect(tomb).toEqual(['src/dir2/f2.c', null, 0, 0, 0, expect.any(Number)]);
    const f1 = data.files.find(([p]) => p === 'src/dir1/f1.c');
    expect(f1).toEqual(['src/dir1/f1.c', 'ffffffffffffffff', 48, 1_700_000_000_123.25, 13, 301]);
    expect(data.lastSeq).toBe(original.lastSeq);
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
  });

  it('publishes a frozen state and keeps folding the same way as the original', () => {
    const original = buildState();
    const copy = roundTrip(original);
    expect(Object.isFrozen(copy)).toBe(true);
    expect(() => { (copy as unknown as { fileCount: number }).fileCount = 0; }).toThrow(TypeError);
    expect(() => (copy.files[0]![0] as Map<string, unknown>).set('x', {})).toThrow();
    const more: JmakeEvent[] = [
      { seq: original.lastSeq + 1, time: 1, type: 'file-removed', data: { path: 'src/dir1/f1.c' } },
      { seq: original.lastSeq + 2, time: 2, type: 'file-added', data: { path: 'src/dir2/f2.c', hash: '1111111111111111', size: 1, mtime: 1, ino: 1 } },
    ];
    expect(view(applyEvents(copy, more))).toEqual(view(applyEvents(original, more)));
  });

  it('a deserialized state is private and writable until frozen', () => {
    const data = JSON.parse(JSON.stringify(serializeState(buildState()))) as SerializedState;
    const draft = deserializeState(data);
    reduceInto(draft, [{ seq: draft.lastSeq + 1, time: 1, type: 'file-removed', data: { path: 'src/dir4/f4.c' } }]);
    expect(draft.fileCount).toBe(299);
    const state = freezeState(draft);
    expect(getFile(state, 'src/dir4/f4.c')).toBeUndefined();
  });

  it('round-trips the empty state', () => {
    const empty = initialState();
    const copy = roundTrip(empty);
    expect(view(copy)).toEqual(view(empty));
    expect(copy.files).toHaveLength(empty.files.length);
  });
});
