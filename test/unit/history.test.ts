import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { crcHex, encodeRecord } from '../../events/codec.js';
import { EventLog } from '../../events/log.js';
import { writeSnapshot } from '../../events/snapshot.js';
import type { JmakeEvent, NewEvent } from '../../events/types.js';
import { openHistory, type History } from '../../src/daemon/history.js';
import type { Logger } from '../../src/daemon/logger.js';
import { projectPaths, type ProjectPaths } from '../../src/project/paths.js';
import { applyEvents } from '../../src/state/reducer.js';
import { getFile } from '../../src/state/selectors.js';
import { serializeState } from '../../src/state/serialize.js';
import { STATE_VERSION, initialState, type ProjectState } from '../../src/state/state.js';

const CLOCK = () => 1_700_000_000_000;

let base: string;
let paths: ProjectPaths;
let messages: string[];
let logger: Logger;
let open: EventLog[];

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'jmake-history-test-'));
  paths = projectPaths(base);
  mkdirSync(paths.stateDir);
  messages = [];
  logger = { log: (tag, message) => { messages.push(`[${tag}] ${message}`); } };
  open = [];
});

afterEach(() => {
  for (const log of open) log.close();
  rmSync(base, { recursive: true, force: true });
});

function history(): History {
  const h = openHistory(paths, CLOCK, logger);
  open.push(h.log);
  return h;
}

const file = (path: string, hash: string, type: 'file-added' | 'file-changed' = 'file-added'): NewEvent =>
  ({ type, data: { path, hash, size: 1, mtime: 2, ino: 3 } });

function batch1(): NewEvent[] {
  const events: NewEvent[] = [];
  for (let i = 0; i < 50; i++) events.push(file(`src/f${i}.c`, `${i}`.padStart(16, 'a')));
  events.push({ type: 'config-loaded', data: { hash: 'c1', config: { daemon: { settle_ms: 5 } }, changed: ['daemon.settle_ms'] } });
  events.push({ type: 'daemon-started', data: { pid: 1, instance: 'one', version: '0.1.0', protocol: 1 } });
  return events;
}

function batch2(): NewEvent[] {
  return [
    file('src/f1.c', 'bbbbbbbbbbbbbbbb', 'file-changed'),
    { type: 'file-removed', data: { path: 'src/f2.c' } },
    file('src/new.c', 'cccccccccccccccc'),
    { type: 'daemon-stopped', data: { pid: 1, instance: 'one', reason: 'idle' } },
    { type: 'config-changed', data: { hash: 'c2', config: { daemon: { settle_ms: 9 } }, changed: ['daemon.settle_ms'] } },
    { type: 'watcher-rescan', data: { reason: 'start', scanned: 51, changed: 2, durationMs: 1 } },
    { type: 'file-removed', data: { path: 'src/f3.c' } },
    file('src/f3.c', 'dddddddddddddddd'),
  ];
}

function view(state: ProjectState): unknown {
  const files = state.files.flatMap((shard) => [...shard.entries()]).sort(([a], [b]) => (a < b ? -1 : 1));
  const { files: _f, ...rest } = state;
  return { ...rest, files };
}

/**
 * Writes batch1, a snapshot of the state after it, then batch2.
 * Returns the expected final state, folded in memory.
 */
function buildProject(): { expected: ProjectState; snapSeq: number; snapOffset: number; total: number } {
  const { log } = EventLog.open({ path: paths.eventLog, now: CLOCK });
  const first = log.append(batch1(), 1000);
  let state = applyEvents(initialState(), first);
  const snapSeq = log.lastSeq;
  const snapOffset = log.size;
  writeSnapshot(paths.snapshot, {
    seq: snapSeq, offset: snapOffset, stateVersion: STATE_VERSION, state: { ...serializeState(state), logRecords: first.length },
  });
  const second = log.append(batch2(), 2000);
  state = applyEvents(state, second);
  log.close();
  return { expected: state, snapSeq, snapOffset, total: first.length + second.length };
}

describe('openHistory', () => {
  it('starts empty on a fresh project', () => {
    const h = history();
    expect(h.fromSnapshot).toBe(false);
    expect(h.replayed).toBe(0);
    expect(h.logRecords).toBe(0);
    expect(h.recovery).toBeNull();
    expect(view(h.state)).toEqual(view(initialState()));
    expect(Object.isFrozen(h.state)).toBe(true);
  });

  it('snapshot + tail gives the same state as a full replay', () => {
    const { expected, total } = buildProject();
    const fromSnap = history();
    expect(fromSnap.fromSnapshot).toBe(true);
    expect(fromSnap.replayed).toBe(batch2().length);
    expect(fromSnap.logRecords).toBe(total);
    expect(fromSnap.skipped).toBe(0);
    expect(fromSnap.recovery).toBeNull();
    expect(fromSnap.log.lastSeq).toBe(total);
    const snapView = view(fromSnap.state);
    fromSnap.log.close();

    renameSync(paths.snapshot, `${paths.snapshot}.away`);
    const full = history();
    expect(full.fromSnapshot).toBe(false);
    expect(full.replayed).toBe(total);
    expect(full.logRecords).toBe(total);
    expect(view(full.state)).toEqual(snapView);
    expect(view(full.state)).toEqual(view(expected));
    expect(full.state.fileCount).toBe(50);
    expect(getFile(full.state, 'src/f1.c')?.hash).toBe('bbbbbbbbbbbbbbbb');
    expect(getFile(full.state, 'src/f2.c')).toBeUndefined();
    expect(full.state.config.values).toEqual({ daemon: { settle_ms: 9 } });
    expect(full.state.daemon?.stoppedAt).toBe(2000);
    expect(Object.isFrozen(full.state)).toBe(true);
    expect(messages.some((m) => m.includes('snapshot ignored'))).toBe(false); // a missing snapshot is normal
  });

  it('uses a snapshot at the very end of the log (nothing to replay)', () => {
    const { log } = EventLog.open({ path: paths.eventLog, now: CLOCK });
    const recorded = log.append(batch1(), 1);
    const state = applyEvents(initialState(), recorded);
    writeSnapshot(paths.snapshot, { seq: log.lastSeq, offset: log.size, stateVersion: STATE_VERSION, state: { ...serializeState(state), logRecords: 52 } });
    log.close();
    const h = history();
    expect(h.fromSnapshot).toBe(true);
    expect(h.replayed).toBe(0);
    expect(h.logRecords).toBe(52);
    expect(view(h.state)).toEqual(view(state));
    expect(h.log.append([file('x.c', 'eeeeeeeeeeeeeeee')], 3)[0]?.seq).toBe(53);
  });

  it('trusts the snapshot for what it covers (only the tail is replayed)', () => {
    const { expected, snapSeq, snapOffset } = buildProject();
    // A snapshot whose state differs from the log's head proves the head was not replayed.
    const marked = applyEvents(initialState(), [{ seq: snapSeq, time: 1, type: 'log-recovered', data: { truncatedBytes: 0, offset: 0, reason: 'marker' } }]);
    writeSnapshot(paths.snapshot, { seq: snapSeq, offset: snapOffset, stateVersion: STATE_VERSION, state: serializeState(marked) });
    const h = history();
    expect(h.fromSnapshot).toBe(true);
    expect(h.state.logRecoveries).toBe(1);
    expect(h.state.lastSeq).toBe(expected.lastSeq);
    expect(h.logRecords).toBe(batch2().length); // no logRecords in that snapshot
  });

  it('falls back to a full replay when the snapshot does not fit the log', () => {
    const { expected, snapSeq, snapOffset, total } = buildProject();
    // offset in the middle of a line
    const wrong = applyEvents(initialState(), [{ seq: snapSeq, time: 1, type: 'log-recovered', data: { truncatedBytes: 0, offset: 0, reason: 'wrong' } }]);
    writeSnapshot(paths.snapshot, { seq: snapSeq, offset: snapOffset + 7, stateVersion: STATE_VERSION, state: serializeState(wrong) });
    const h = history();
    expect(h.fromSnapshot).toBe(false);
    expect(h.replayed).toBe(total);
    expect(h.logRecords).toBe(total);
    expect(view(h.state)).toEqual(view(expected));
    expect(h.state.logRecoveries).toBe(0);
    expect(messages.some((m) => m.includes('does not fit'))).toBe(true);
    expect(h.log.lastSeq).toBe(total);
  });

  it('falls back when the snapshot is from another log (record at offset is not after its seq)', () => {
    const { expected, snapSeq, snapOffset, total } = buildProject();
    const state = applyEvents(initialState(), [{ seq: snapSeq + 100, time: 1, type: 'file-added', data: { path: 'ghost.c', hash: 'x', size: 1, mtime: 1, ino: 1 } }]);
    writeSnapshot(paths.snapshot, { seq: snapSeq + 100, offset: snapOffset, stateVersion: STATE_VERSION, state: serializeState(state) });
    const h = history();
    expect(h.fromSnapshot).toBe(false);
    expect(h.replayed).toBe(total);
    expect(getFile(h.state, 'ghost.c')).toBeUndefined();
    expect(view(h.state)).toEqual(view(expected));
  });

  it('falls back when the log is shorter than the snapshot says', () => {
    const { snapOffset } = buildProject();
    const bytes = readFileSync(paths.eventLog);
    writeFileSync(paths.eventLog, bytes.subarray(0, snapOffset - 1).toString('latin1').replace(/[^\n]*$/, ''), 'latin1');
    const h = history();
    expect(h.fromSnapshot).toBe(false);
    expect(h.recovery).toBeNull();
    expect(h.state.lastSeq).toBe(batch1().length - 1);
    expect(h.state.lastSeq).toBe(h.log.lastSeq);
  });

  it('ignores a damaged snapshot, says so, and replays everything', () => {
    const { expected, total } = buildProject();
    const bytes = readFileSync(paths.snapshot);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0x01;
    writeFileSync(paths.snapshot, bytes);
    const h = history();
    expect(h.fromSnapshot).toBe(false);
    expect(h.replayed).toBe(total);
    expect(view(h.state)).toEqual(view(expected));
    expect(messages.some((m) => m.includes('snapshot ignored: snapshot checksum mismatch'))).toBe(true);
  });

  it('ignores a snapshot of another state version', () => {
    const { expected, snapSeq, snapOffset } = buildProject();
    writeSnapshot(paths.snapshot, { seq: snapSeq, offset: snapOffset, stateVersion: STATE_VERSION + 1, state: {} });
    const h = history();
    expect(h.fromSnapshot).toBe(false);
    expect(view(h.state)).toEqual(view(expected));
  });

  it('recovers a torn tail and reports it', () => {
    const { expected, total } = buildProject();
    const size = readFileSync(paths.eventLog).length;
    appendFileSync(paths.eventLog, '0123abcd {"seq":99,"ti');
    const h = history();
    expect(h.fromSnapshot).toBe(true);
    expect(h.recovery).toMatchObject({ offset: size, reason: 'torn record (no line end)', truncatedBytes: 22 });
    expect(view(h.state)).toEqual(view(expected));
    expect(h.log.append([file('n.c', 'ffffffffffffffff')], 1)[0]?.seq).toBe(total + 1);
  });

  it('keeps the recovery and the reserved seqs when the snapshot does not fit a damaged log', () => {
    const { snapSeq, snapOffset, total } = buildProject();
    writeSnapshot(paths.snapshot, { seq: snapSeq, offset: snapOffset + 3, stateVersion: STATE_VERSION, state: serializeState(initialState()) });
    // damage the second-to-last record: the last one stays well-formed behind it
    const text = readFileSync(paths.eventLog, 'utf8');
    const lines = text.split('\n');
    const victim = lines.length - 3;
    lines[victim] = lines[victim]!.replace('"data"', '"dATa"');
    writeFileSync(paths.eventLog, lines.join('\n'));
    const h = history();
    expect(h.fromSnapshot).toBe(false);
    expect(h.recovery).not.toBeNull();
    expect(h.recovery?.reason).toBe('checksum mismatch');
    expect(h.replayed).toBe(total - 2);
    expect(h.state.lastSeq).toBe(total - 2);
    // seq `total` was well-formed in the cut tail: it must not be handed out again
    expect(h.log.lastSeq).toBe(total);
    expect(h.log.append([file('n.c', 'ffffffffffffffff')], 1)[0]?.seq).toBe(total + 1);
  });

  it('skips records of unknown types or newer versions but keeps them in the log', () => {
    const { log } = EventLog.open({ path: paths.eventLog, now: CLOCK });
    log.append([file('a.c', 'aaaaaaaaaaaaaaaa')], 1);
    log.close();
    const future = (seq: number, type: string, v: number) => {
      const json = JSON.stringify({ seq, time: 1, type, v, data: {} });
      return `${crcHex(json)} ${json}\n`;
    };
    appendFileSync(paths.eventLog, future(2, 'frobnicated', 1) + future(3, 'file-added', 99)
      + encodeRecord({ seq: 4, time: 1, type: 'file-added', data: { path: 'b.c', hash: 'b', size: 1, mtime: 1, ino: 1 } } as JmakeEvent));
    const h = history();
    expect(h.skipped).toBe(2);
    expect(h.replayed).toBe(4);
    expect(h.recovery).toBeNull();
    expect(h.state.fileCount).toBe(2);
    expect(h.state.lastSeq).toBe(4);
    expect(h.log.lastSeq).toBe(4);
    expect(messages.some((m) => m.includes('2 records of unknown or newer types'))).toBe(true);
    expect(h.log.readPage().records.map((r) => r.type)).toEqual(['file-added', 'frobnicated', 'file-added', 'file-added']);
  });

  it('replays more records than one replay batch', () => {
    const { log } = EventLog.open({ path: paths.eventLog, now: CLOCK });
    const events: NewEvent[] = [];
    for (let i = 0; i < 10_000; i++) events.push(file(`f${i % 3000}.c`, `${i}`.padStart(16, '0'), i < 3000 ? 'file-added' : 'file-changed'));
    const recorded = log.append(events, 1);
    log.close();
    const expected = view(applyEvents(initialState(), recorded));
    const h = history();
    expect(h.replayed).toBe(10_000);
    expect(h.state.fileCount).toBe(3000);
    expect(h.state.lastSeq).toBe(10_000);
    expect(view(h.state)).toEqual(expected);
    h.log.close();

    // the same through the fallback path (a snapshot that does not fit)
    writeSnapshot(paths.snapshot, { seq: 5, offset: 20, stateVersion: STATE_VERSION, state: serializeState(initialState()) });
    const fallback = history();
    expect(fallback.fromSnapshot).toBe(false);
    expect(fallback.replayed).toBe(10_000);
    expect(fallback.logRecords).toBe(10_000);
    expect(view(fallback.state)).toEqual(expected);
  });
});
