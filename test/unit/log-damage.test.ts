/**
 * Reliability suite, item 2: log damage, at the codec level (real files in temp dirs, no daemon).
 *
 * This file is the one place where each listed damage case is checked, end to end through
 * `EventLog.open` (events/log.ts) and start-up replay `openHistory` (src/daemon/history.ts):
 *
 *   1. truncation at every byte offset of the last record
 *   2. a flipped byte in the middle of the log (several positions of a middle record)
 *   3. a missing snapshot
 *   4. a snapshot newer than the log, and one older
 *   5. a log / record / snapshot from a future schema version
 *
 * The property under test everywhere: each case either recovers with a report or refuses with a
 * typed, clear error; nothing crashes, and no earlier record is lost without saying so.
 *
 * What jmake does (asserted below):
 * - A damaged tail (torn, flipped byte, bad seq) is cut at the first bad record: its bytes are saved
 *   in `events.log.bad-<offset>-<time>`, and `OpenResult.recovery` / `History.recovery` says where,
 *   how many bytes, and why (the daemon logs it and records a `log-recovered` event). Every record
 *   before the damage is kept and replayed. Good records *behind* the damage are not replayed: they
 *   are part of the cut bytes (kept in the .bad file), and their seqs stay reserved.
 * - A snapshot is a cache: missing, damaged, of another version, or not fitting the log (the log
 *   was cut or replaced under it) means a full replay, reported in the daemon log.
 * - A newer log format is refused (`log-format-newer`) and the file is left alone; records of a
 *   newer event version are kept in the log but not applied, and the report names type and version.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOG_HEADER, crcHex, decodeRecordBytes, type LogRecord } from '../../events/codec.js';
import { EventLog, type OpenResult } from '../../events/log.js';
import { SNAPSHOT_FORMAT_VERSION, writeSnapshot } from '../../events/snapshot.js';
import { EVENT_VERSIONS, type JmakeEvent, type NewEvent } from '../../events/types.js';
import { openHistory, type History } from '../../src/daemon/history.js';
import type { Logger } from '../../src/daemon/logger.js';
import { JmakeError } from '../../src/errors.js';
import { projectPaths, type ProjectPaths } from '../../src/project/paths.js';
import { applyEvents } from '../../src/state/reducer.js';
import { getFile } from '../../src/state/selectors.js';
import { serializeState } from '../../src/state/serialize.js';
import { STATE_VERSION, initialState, type ProjectState } from '../../src/state/state.js';

const NOW = 1_700_000_123_456;
const CLOCK = (): number => NOW;
const HEADER_BYTES = Buffer.byteLength(LOG_HEADER);

let base: string;
let messages: string[];
let logger: Logger;
let openLogs: EventLog[];

// fdatasync is a no-op on tmpfs: the every-offset loops stay fast on a busy disk.
const TMP = existsSync('/dev/shm') && statSync('/dev/shm').isDirectory() ? '/dev/shm' : tmpdir();

beforeEach(() => {
  base = mkdtempSync(join(TMP, 'jmake-log-damage-'));
  messages = [];
  logger = { log: (tag, message) => { messages.push(`[${tag}] ${message}`); } };
  openLogs = [];
});

afterEach(() => {
  for (const log of openLogs) log.close();
  rmSync(base, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// helpers

function project(name: string): ProjectPaths {
  const root = join(base, name);
  const paths = projectPaths(root);
  mkdirSync(paths.stateDir, { recursive: true });
  return paths;
}

function openLog(path: string, onRecord?: (r: LogRecord) => void): OpenResult {
  const result = EventLog.open({ path, onRecord, now: CLOCK });
  openLogs.push(result.log);
  return result;
}

function history(paths: ProjectPaths): History {
  const h = openHistory(paths, CLOCK, logger);
  openLogs.push(h.log);
  return h;
}

function closeAll(): void {
  for (const log of openLogs.splice(0)) log.close();
}

const file = (path: string, hash: string, type: 'file-added' | 'file-changed' = 'file-added'): NewEvent =>
  ({ type, data: { path, hash, size: path.length, mtime: 1000.25, ino: 7 } });

const UNICODE = 'src/ünï-€-𝄞.c';

/** A realistic mix; the last record holds multi-byte UTF-8 so a cut can split a character. */
function events(): NewEvent[] {
  const out: NewEvent[] = [
    { type: 'config-loaded', data: { hash: 'c1', config: { daemon: { settle_ms: 5 } }, changed: ['daemon.settle_ms'] } },
    { type: 'daemon-started', data: { pid: 11, instance: 'one', version: '0.1.0', protocol: 1 } },
  ];
  for (let i = 0; i < 6; i++) out.push(file(`src/f${i}.c`, `${i}`.padStart(16, 'a')));
  out.push(
    file(UNICODE, 'cccccccccccccccc'),
    file('src/f1.c', 'bbbbbbbbbbbbbbbb', 'file-changed'),
    { type: 'file-removed', data: { path: 'src/f2.c' } },
    { type: 'watcher-rescan', data: { reason: 'start', scanned: 7, changed: 2, durationMs: 1 } },
    { type: 'config-changed', data: { hash: 'c2', config: { daemon: { settle_ms: 9 } }, changed: ['daemon.settle_ms'] } },
    { type: 'file-removed', data: { path: UNICODE } },
  );
  return out;
}

const EXTRA = file('src/after.c', 'dddddddddddddddd');

interface Written {
  recorded: JmakeEvent[];
  /** Start of every record line, in order. */
  offsets: number[];
  size: number;
  bytes: Buffer;
  /** Where a snapshot was taken (after `snapshotAfter` records), if one was. */
  snapshot: { seq: number; offset: number } | null;
}

/** One append (one write(2)) per event, like a daemon recording as things happen. */
function writeLog(paths: ProjectPaths, list: NewEvent[] = events(), snapshotAfter: number | null = null): Written {
  const { log } = EventLog.open({ path: paths.eventLog, now: CLOCK });
  const recorded: JmakeEvent[] = [];
  const offsets: number[] = [];
  let snapshot: Written['snapshot'] = null;
  list.forEach((event, i) => {
    if (snapshotAfter === i) snapshot = takeSnapshot(paths, recorded, log.size);
    offsets.push(log.size);
    recorded.push(...log.append([event], 1000 + i));
  });
  if (snapshotAfter === list.length) snapshot = takeSnapshot(paths, recorded, log.size);
  const size = log.size;
  log.close();
  return { recorded, offsets, size, bytes: readFileSync(paths.eventLog), snapshot };
}

function takeSnapshot(paths: ProjectPaths, folded: JmakeEvent[], offset: number): { seq: number; offset: number } {
  const state = fold(folded);
  const seq = state.lastSeq;
  writeSnapshot(paths.snapshot, { seq, offset, stateVersion: STATE_VERSION, state: { ...serializeState(state), logRecords: folded.length } });
  return { seq, offset };
}

const fold = (list: readonly JmakeEvent[]): ProjectState => applyEvents(initialState(), list);

/** A record as the codec gives it back. */
const asRecord = (e: JmakeEvent): LogRecord => ({ seq: e.seq, time: e.time, type: e.type, v: EVENT_VERSIONS[e.type], data: e.data });

/** Canonical JSON of the whole state (files and jobs sorted, keys sorted): equal digests, equal states. */
function digest(state: ProjectState): string {
  const s = serializeState(state);
  const byFirst = <T extends readonly unknown[]>(a: T, b: T): number => (String(a[0]) < String(b[0]) ? -1 : 1);
  return JSON.stringify(canon({ ...s, files: [...s.files].sort(byFirst), jobs: [...s.jobs].sort(byFirst) }));
}

function canon(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canon);
  if (value instanceof Map) throw new Error('digest: unexpected Map');
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canon((value as Record<string, unknown>)[k])]));
  }
  return value;
}

function readAll(log: EventLog): LogRecord[] {
  const out: LogRecord[] = [];
  let since = 0;
  for (let pages = 0; pages < 1000; pages++) {
    const page = log.readPage({ since });
    out.push(...page.records);
    if (page.next === null) return out;
    since = page.next;
  }
  throw new Error('paging does not terminate');
}

/** Seqs of the complete, well-formed lines in a saved tail. */
function decodableSeqs(bytes: Buffer): number[] {
  const seqs: number[] = [];
  let at = 0;
  for (;;) {
    const nl = bytes.indexOf(10, at);
    if (nl < 0) return seqs;
    const decoded = decodeRecordBytes(bytes.subarray(at, nl));
    if (decoded.ok) seqs.push(decoded.record.seq);
    at = nl + 1;
  }
}

function badFiles(paths: ProjectPaths): string[] {
  return readdirSync(paths.stateDir).filter((n) => n.startsWith('events.log.bad-'));
}

const snapshotMessages = (): string[] => messages.filter((m) => m.includes('snapshot'));

// ---------------------------------------------------------------------------------------------

describe('1. truncation at every byte offset of the last record', () => {
  it('EventLog.open: keeps every earlier record, cuts and saves the torn tail, reports it, appends after', () => {
    const src = writeLog(project('source'));
    const lastStart = src.offsets.at(-1)!;
    const earlier = src.recorded.slice(0, -1);
    expect(src.size - lastStart).toBeGreaterThan(80); // a real loop, not a token one
    let torn = 0;
    for (let cut = lastStart; cut <= src.size; cut++) {
      const label = `cut at ${cut} (${cut - lastStart} bytes of the last record)`;
      const paths = project(`raw-${cut}`);
      writeFileSync(paths.eventLog, src.bytes.subarray(0, cut));
      const seen: LogRecord[] = [];
      const { log, recovery, recordsRead } = openLog(paths.eventLog, (r) => seen.push(r));
      const whole = cut === src.size;
      const kept = whole ? src.recorded : earlier;

      // earlier records: same seqs, same data, in order
      expect(seen, label).toEqual(kept.map(asRecord));
      expect(recordsRead, label).toBe(kept.length);
      expect(readAll(log), label).toEqual(kept.map(asRecord));

      if (cut === lastStart || whole) {
        // a clean record boundary: nothing is damaged, nothing to report
        expect(recovery, label).toBeNull();
        expect(badFiles(paths), label).toEqual([]);
      } else {
        torn++;
        const savedTo = `${paths.eventLog}.bad-${lastStart}-${NOW}`;
        expect(recovery, label).toEqual({ offset: lastStart, truncatedBytes: cut - lastStart, reason: 'torn record (no line end)', savedTo });
        expect(readFileSync(savedTo).equals(src.bytes.subarray(lastStart, cut)), label).toBe(true);
      }
      expect(statSync(paths.eventLog).size, label).toBe(whole ? src.size : lastStart);
      expect(log.size, label).toBe(whole ? src.size : lastStart);
      // a torn last line (no LF) was never acknowledged: its number is free again
      expect(log.lastSeq, label).toBe(kept.length);

      const [appended] = log.append([EXTRA], 5000);
      expect(appended?.seq, label).toBe(kept.length + 1);
      closeAll();
      const again = openLog(paths.eventLog);
      expect(again.recovery, label).toBeNull();
      expect(readAll(again.log), label).toEqual([...kept, appended!].map(asRecord));
      closeAll();
    }
    expect(torn).toBe(src.size - lastStart - 1);
  });

  it('openHistory (snapshot before the last record): state of every earlier record, recovery reported', () => {
    const src = writeLog(project('source'), events(), 5);
    const snapshotBytes = readFileSync(projectPaths(join(base, 'source')).snapshot);
    const lastStart = src.offsets.at(-1)!;
    const earlier = src.recorded.slice(0, -1);
    const earlierDigest = digest(fold(earlier));
    const wholeDigest = digest(fold(src.recorded));
    for (let cut = lastStart; cut <= src.size; cut++) {
      const label = `cut at ${cut}`;
      const paths = project(`hist-${cut}`);
      writeFileSync(paths.eventLog, src.bytes.subarray(0, cut));
      writeFileSync(paths.snapshot, snapshotBytes);
      const whole = cut === src.size;
      const h = history(paths);
      expect(h.fromSnapshot, label).toBe(true);
      expect(h.replayed, label).toBe((whole ? src.recorded.length : earlier.length) - 5);
      expect(digest(h.state), label).toBe(whole ? wholeDigest : earlierDigest);
      if (cut === lastStart || whole) expect(h.recovery, label).toBeNull();
      else expect(h.recovery, label).toMatchObject({ offset: lastStart, truncatedBytes: cut - lastStart, reason: 'torn record (no line end)' });

      const kept = whole ? src.recorded : earlier;
      const [appended] = h.log.append([EXTRA], 5000);
      expect(appended?.seq, label).toBe(kept.length + 1);
      closeAll();
      const again = history(paths);
      expect(again.recovery, label).toBeNull();
      expect(digest(again.state), label).toBe(digest(fold([...kept, appended!])));
      closeAll();
    }
    expect(snapshotMessages()).toEqual([]); // the snapshot fit every time
  });
});

describe('2. a flipped byte in the middle of the log', () => {
  // Record index 6 (seq 7) of 13: six good records before it, six good ones behind it.
  const VICTIM = 6;

  interface Flip { name: string; at: (line: Buffer) => number; to: (byte: number) => number; reasons: string[] }
  const json = (line: Buffer, needle: string): number => line.indexOf(needle, 9);
  const flips: Flip[] = [
    { name: 'first checksum digit', at: () => 0, to: (b) => b ^ 0x01, reasons: ['checksum mismatch'] },
    { name: 'last checksum digit', at: () => 7, to: (b) => b ^ 0x01, reasons: ['checksum mismatch'] },
    { name: 'checksum digit to a non-hex byte', at: () => 3, to: () => 0x7a /* z */, reasons: ['checksum mismatch'] },
    { name: 'separator between checksum and JSON', at: () => 8, to: (b) => b ^ 0x01, reasons: ['malformed record'] },
    { name: 'opening brace of the JSON', at: () => 9, to: (b) => b ^ 0x01, reasons: ['checksum mismatch'] },
    { name: 'the seq number', at: (l) => json(l, '"seq":') + 6, to: (b) => b ^ 0x01, reasons: ['checksum mismatch'] },
    { name: 'the type name', at: (l) => json(l, '"type":') + 9, to: (b) => b ^ 0x20, reasons: ['checksum mismatch'] },
    { name: 'inside the data', at: (l) => json(l, '"path":') + 10, to: (b) => b ^ 0x04, reasons: ['checksum mismatch'] },
    { name: 'high bit inside the data (invalid UTF-8)', at: (l) => json(l, '"hash":') + 9, to: (b) => b ^ 0x80, reasons: ['checksum mismatch'] },
    { name: 'last byte of the JSON', at: (l) => l.length - 1, to: (b) => b ^ 0x01, reasons: ['checksum mismatch'] },
    { name: 'a JSON byte becomes a line end (splits the record)', at: (l) => json(l, '"data":'), to: () => 0x0a, reasons: ['checksum mismatch'] },
    { name: 'the record\'s line end (joins it with the next)', at: (l) => l.length, to: () => 0x20, reasons: ['checksum mismatch'] },
  ];

  for (const flip of flips) {
    it(`${flip.name}: recovers at that record, keeps everything before it, reports and saves the rest`, () => {
      const src = writeLog(project('source'));
      const n = src.recorded.length;
      const start = src.offsets[VICTIM]!;
      const line = src.bytes.subarray(start, src.offsets[VICTIM + 1]! - 1);
      const pos = start + flip.at(line);
      expect(pos).toBeGreaterThanOrEqual(start);
      expect(pos).toBeLessThanOrEqual(start + line.length);
      const damaged = Buffer.from(src.bytes);
      damaged[pos] = flip.to(damaged[pos]!);
      expect(damaged[pos]).not.toBe(src.bytes[pos]);
      const before = src.recorded.slice(0, VICTIM);

      // -- the log layer
      const paths = project('raw');
      writeFileSync(paths.eventLog, damaged);
      const seen: LogRecord[] = [];
      const { log, recovery } = openLog(paths.eventLog, (r) => seen.push(r));
      expect(seen).toEqual(before.map(asRecord)); // no earlier record lost
      expect(recovery).not.toBeNull();
      expect(recovery!.offset).toBe(start);
      expect(flip.reasons).toContain(recovery!.reason);
      expect(recovery!.truncatedBytes).toBe(src.size - start);
      // What was lost is reported (offset, bytes, reason) and kept: the .bad file holds every cut
      // byte, and the good records behind the damage still decode from it.
      expect(recovery!.savedTo).toBe(`${paths.eventLog}.bad-${start}-${NOW}`);
      const saved = readFileSync(recovery!.savedTo!);
      expect(saved.equals(damaged.subarray(start))).toBe(true);
      const behind = decodableSeqs(saved);
      for (let seq = VICTIM + 3; seq <= n; seq++) expect(behind).toContain(seq);
      expect(behind).not.toContain(VICTIM + 1); // the damaged record itself does not decode
      expect(statSync(paths.eventLog).size).toBe(start);
      // seqs readable behind the damage may have been shown to a client: never handed out again
      expect(log.lastSeq).toBe(n);
      const [appended] = log.append([EXTRA], 5000);
      expect(appended?.seq).toBe(n + 1);
      closeAll();
      const again = openLog(paths.eventLog);
      expect(again.recovery).toBeNull();
      expect(readAll(again.log)).toEqual([...before, appended!].map(asRecord));
      closeAll();

      // -- start-up replay: the state of the records before the damage, with the recovery
      const hp = project('hist');
      writeFileSync(hp.eventLog, damaged);
      const h = history(hp);
      expect(h.recovery).toMatchObject({ offset: start, truncatedBytes: src.size - start });
      expect(h.replayed).toBe(VICTIM);
      expect(h.state.lastSeq).toBe(VICTIM);
      expect(digest(h.state)).toBe(digest(fold(before)));
      expect(h.log.lastSeq).toBe(n);
    });
  }

  it('a flip in the header: refused when it reads as a newer format, else the whole file is moved aside and reported', () => {
    const src = writeLog(project('source'));
    const cases = [
      { pos: HEADER_BYTES - 2, to: 0x33 /* "3": a newer format */, refused: true },
      { pos: HEADER_BYTES - 2, to: 0x30 /* "0" */, refused: false },
      { pos: 0, to: 0x4a /* "J" */, refused: false },
      { pos: HEADER_BYTES - 1, to: 0x20 /* the LF */, refused: false },
    ];
    for (const [i, c] of cases.entries()) {
      const paths = project(`header-${i}`);
      const damaged = Buffer.from(src.bytes);
      damaged[c.pos] = c.to;
      writeFileSync(paths.eventLog, damaged);
      if (c.refused) {
        expect(() => openLog(paths.eventLog)).toThrow(expect.objectContaining({ code: 'log-format-newer' }));
        expect(readFileSync(paths.eventLog).equals(damaged)).toBe(true); // untouched
        expect(badFiles(paths)).toEqual([]);
        continue;
      }
      const { recovery, log } = openLog(paths.eventLog);
      expect(recovery).toEqual({ offset: 0, truncatedBytes: src.size, reason: 'unreadable header', savedTo: `${paths.eventLog}.bad-0-${NOW}` });
      // every record is in the saved file, byte for byte: reported, never silently gone
      expect(readFileSync(recovery!.savedTo!).equals(damaged)).toBe(true);
      expect(log.lastSeq).toBe(0);
      closeAll();
    }
  });

  it('a flip before the snapshot\'s resume point is not seen at open (state comes from the snapshot); a full replay finds and reports it', () => {
    const paths = project('p');
    const src = writeLog(paths, events(), 9);
    const expected = digest(fold(src.recorded));
    const damaged = Buffer.from(src.bytes);
    const start = src.offsets[3]!;
    damaged[start + 20] = damaged[start + 20]! ^ 0x01;
    writeFileSync(paths.eventLog, damaged);

    // By design only the records after the resume point are checked at open: the state of the
    // damaged record is already in the snapshot, so nothing is lost from the state.
    const h = history(paths);
    expect(h.fromSnapshot).toBe(true);
    expect(h.recovery).toBeNull();
    expect(digest(h.state)).toBe(expected);
    closeAll();

    // Without the snapshot the log is the only truth: the damage is found, cut and reported.
    rmSync(paths.snapshot);
    const full = history(paths);
    expect(full.fromSnapshot).toBe(false);
    expect(full.recovery).toMatchObject({ offset: start, reason: 'checksum mismatch', truncatedBytes: src.size - start });
    expect(digest(full.state)).toBe(digest(fold(src.recorded.slice(0, 3))));
    expect(readFileSync(full.recovery!.savedTo!).equals(damaged.subarray(start))).toBe(true);
  });
});

describe('3. a missing snapshot', () => {
  it('a full replay gives the same state as snapshot + tail, and says nothing about the snapshot', () => {
    const paths = project('p');
    const src = writeLog(paths, events(), 8);
    const expected = digest(fold(src.recorded));

    const fromSnapshot = history(paths);
    expect(fromSnapshot.fromSnapshot).toBe(true);
    expect(fromSnapshot.replayed).toBe(src.recorded.length - 8);
    expect(digest(fromSnapshot.state)).toBe(expected);
    closeAll();

    rmSync(paths.snapshot);
    const full = history(paths);
    expect(full.fromSnapshot).toBe(false);
    expect(full.replayed).toBe(src.recorded.length);
    expect(full.logRecords).toBe(fromSnapshot.logRecords);
    expect(full.recovery).toBeNull();
    expect(digest(full.state)).toBe(expected);
    expect(full.state.lastSeq).toBe(fromSnapshot.state.lastSeq);
    expect(full.log.lastSeq).toBe(src.recorded.length);
    expect(getFile(full.state, 'src/f1.c')?.hash).toBe('bbbbbbbbbbbbbbbb');
    expect(getFile(full.state, 'src/f2.c')).toBeUndefined();
    expect(snapshotMessages()).toEqual([]); // a missing snapshot is normal, not a warning
    expect(full.log.append([EXTRA], 5000)[0]?.seq).toBe(src.recorded.length + 1);
  });
});

describe('4. a snapshot newer or older than the log', () => {
  const fellBack = (): boolean => messages.some((m) => m.includes('snapshot does not fit the log; replaying the whole log'));

  function expectFullReplay(paths: ProjectPaths, h: History, kept: readonly JmakeEvent[]): void {
    expect(h.fromSnapshot).toBe(false);
    expect(h.replayed).toBe(kept.length);
    expect(h.logRecords).toBe(kept.length);
    expect(digest(h.state)).toBe(digest(fold(kept)));
    expect(h.state.lastSeq).toBe(kept.at(-1)?.seq ?? 0);
    expect(fellBack()).toBe(true);
    // and what is appended next is applied (a trusted newer snapshot would make the reducer
    // ignore every seq up to its own)
    const [next] = h.log.append([EXTRA], 5000);
    expect(next?.seq).toBe(h.state.lastSeq + 1);
    closeAll();
    rmSync(paths.snapshot); // (the daemon writes a new one before long)
    const again = history(paths);
    expect(getFile(again.state, 'src/after.c')?.hash).toBe('dddddddddddddddd');
    expect(again.state.lastSeq).toBe(next!.seq);
  }

  it('newer: the log was cut at a record boundary below the snapshot (offset past the end)', () => {
    const paths = project('p');
    const src = writeLog(paths, events(), events().length);
    writeFileSync(paths.eventLog, src.bytes.subarray(0, src.offsets[9]));
    const h = history(paths);
    expect(h.recovery).toBeNull();
    expectFullReplay(paths, h, src.recorded.slice(0, 9));
  });

  it('newer: the log was cut inside a record below the snapshot (full replay and a torn-tail recovery)', () => {
    const paths = project('p');
    const src = writeLog(paths, events(), events().length);
    writeFileSync(paths.eventLog, src.bytes.subarray(0, src.offsets[9]! + 25));
    const h = history(paths);
    expect(h.recovery).toMatchObject({ offset: src.offsets[9], truncatedBytes: 25, reason: 'torn record (no line end)' });
    expectFullReplay(paths, h, src.recorded.slice(0, 9));
  });

  it('newer: the snapshot\'s seq is past the log\'s last record though its offset is the log\'s size', () => {
    // e.g. the log was replaced by another one that happens to have that many bytes
    const paths = project('p');
    const src = writeLog(paths);
    const other = fold([...src.recorded, ...src.recorded.map((e) => ({ ...e, seq: e.seq + src.recorded.length }))]);
    writeSnapshot(paths.snapshot, {
      seq: 2 * src.recorded.length, offset: src.size, stateVersion: STATE_VERSION, state: { ...serializeState(other), logRecords: 2 * src.recorded.length },
    });
    expectFullReplay(paths, history(paths), src.recorded);
  });

  it('newer: the log was replaced by another, longer one and the snapshot\'s offset lands on one of its record starts', () => {
    const paths = project('p');
    // the snapshot's log: 12 records, snapshot after 8
    const old = writeLog(project('old'), events().slice(0, 12), 8);
    writeFileSync(paths.snapshot, readFileSync(projectPaths(join(base, 'old')).snapshot));
    // the replacement: other events, one of whose records starts exactly at the snapshot's offset
    const built = fitTo(old.snapshot!.offset);
    for (let i = 0; i < 5; i++) built.push(file(`other/tail${i}.c`, 'ffffffffffffffff'));
    const fresh = writeLog(paths, built);
    expect(fresh.offsets).toContain(old.snapshot!.offset);
    const at = fresh.offsets.indexOf(old.snapshot!.offset);
    expect(fresh.recorded[at]!.seq).toBeGreaterThan(old.snapshot!.seq); // the next-record check alone passes
    expectFullReplay(paths, history(paths), fresh.recorded);
  });

  it('older: the snapshot is behind the log; the tail replay gives the state of a full replay', () => {
    const paths = project('p');
    const src = writeLog(paths, events(), 4);
    const expected = digest(fold(src.recorded));
    const h = history(paths);
    expect(h.fromSnapshot).toBe(true);
    expect(h.replayed).toBe(src.recorded.length - 4);
    expect(h.logRecords).toBe(src.recorded.length);
    expect(h.recovery).toBeNull();
    expect(digest(h.state)).toBe(expected);
    expect(snapshotMessages()).toEqual([]);
    closeAll();
    rmSync(paths.snapshot);
    const full = history(paths);
    expect(full.fromSnapshot).toBe(false);
    expect(digest(full.state)).toBe(expected);
  });

  it('older: a snapshot of the empty state at the header resumes from the first record', () => {
    const paths = project('p');
    const src = writeLog(paths, events(), 0);
    const h = history(paths);
    expect(h.fromSnapshot).toBe(true);
    expect(h.replayed).toBe(src.recorded.length);
    expect(digest(h.state)).toBe(digest(fold(src.recorded)));
  });

  it('older and a torn tail: the tail after the snapshot is replayed up to the damage and the cut reported', () => {
    const paths = project('p');
    const src = writeLog(paths, events(), 4);
    writeFileSync(paths.eventLog, src.bytes.subarray(0, src.size - 3));
    const h = history(paths);
    expect(h.fromSnapshot).toBe(true);
    expect(h.recovery).toMatchObject({ offset: src.offsets.at(-1), reason: 'torn record (no line end)' });
    expect(digest(h.state)).toBe(digest(fold(src.recorded.slice(0, -1))));
  });
});

/** Short records of another log (more of them than the snapshot's), the last ending exactly at `offset` (its path padded to fit). */
function fitTo(offset: number): NewEvent[] {
  const lineLength = (e: NewEvent, seq: number): number =>
    Buffer.byteLength(`${crcHex('')} ${JSON.stringify({ seq, time: 1000 + seq - 1, type: e.type, v: 1, data: e.data })}\n`);
  const out: NewEvent[] = [];
  let size = HEADER_BYTES;
  for (let i = 0; ; i++) {
    const plain: NewEvent = { type: 'file-removed', data: { path: `o/${i}` } };
    const len = lineLength(plain, i + 1);
    if (offset - size >= 2 * len) {
      out.push(plain);
      size += len;
      continue;
    }
    for (let pad = 0; pad <= 2 * len; pad++) {
      const padded: NewEvent = { type: 'file-removed', data: { path: `o/${i}${'p'.repeat(pad)}` } };
      if (size + lineLength(padded, i + 1) === offset) return [...out, padded];
    }
    throw new Error('fitTo: cannot pad');
  }
}

describe('5. a future schema version', () => {
  it('a log in a newer format is refused with a typed error naming the version, and left untouched', () => {
    const paths = project('p');
    const src = writeLog(paths);
    const future = Buffer.concat([Buffer.from('jmake-events 2\n'), src.bytes.subarray(HEADER_BYTES)]);
    writeFileSync(paths.eventLog, future);
    takeSnapshot(paths, src.recorded, src.size);
    for (const attempt of [() => openLog(paths.eventLog), () => history(paths)]) {
      let error: unknown;
      try { attempt(); } catch (err) { error = err; }
      expect(error).toBeInstanceOf(JmakeError);
      expect((error as JmakeError).code).toBe('log-format-newer');
      expect((error as JmakeError).message).toContain('event-log format 2');
      expect((error as JmakeError).message).toContain(`reads format 1`);
      expect((error as JmakeError).hint).toBeTruthy();
      expect(readFileSync(paths.eventLog).equals(future)).toBe(true); // never silently reused or rewritten
      expect(badFiles(paths)).toEqual([]);
    }
  });

  it('records of a newer event version (or an unknown type) are kept but not applied, the report names them, later records still apply', () => {
    const paths = project('p');
    const list = events();
    const src = writeLog(paths, list.slice(0, 6));
    const raw = (seq: number, type: string, v: number, data: unknown): string => {
      const json = JSON.stringify({ seq, time: 2000, type, v, data });
      return `${crcHex(json)} ${json}\n`;
    };
    const futureData = { path: 'src/future.c', hash: '9999999999999999', size: 1, mtime: 1, ino: 1, shape: 'v2' };
    writeFileSync(paths.eventLog, Buffer.concat([
      src.bytes,
      Buffer.from(raw(7, 'file-changed', 2, futureData) + raw(8, 'frobnicated', 1, {})),
    ]));
    const rest = EventLog.open({ path: paths.eventLog, now: CLOCK });
    expect(rest.recovery).toBeNull(); // framing is fine: nothing is cut
    const after = rest.log.append(list.slice(6), 3000);
    rest.log.close();

    const h = history(paths);
    expect(h.recovery).toBeNull();
    expect(h.skipped).toBe(2);
    expect(h.replayed).toBe(src.recorded.length + 2 + after.length);
    // the refused records changed nothing; everything around them is applied
    expect(digest(h.state)).toBe(digest(fold([...src.recorded, ...after])));
    expect(getFile(h.state, 'src/future.c')).toBeUndefined();
    const report = messages.find((m) => m.includes('records of unknown or newer types were kept but not applied'));
    expect(report).toBeDefined();
    expect(report).toContain('2 records');
    expect(report).toContain('file-changed v2 is newer than this jmake (v1)');
    expect(report).toContain('unknown event type frobnicated');
    // kept in the log, byte for byte, for the newer jmake that wrote them
    const types = readAll(h.log).map((r) => `${r.type}@v${r.v}`);
    expect(types).toContain('file-changed@v2');
    expect(types).toContain('frobnicated@v1');
  });

  it('a snapshot of a newer state version is ignored with a report, and the log replayed in full', () => {
    const paths = project('p');
    const src = writeLog(paths, events(), 8);
    const state = fold(src.recorded.slice(0, 8));
    writeSnapshot(paths.snapshot, {
      seq: src.snapshot!.seq, offset: src.snapshot!.offset, stateVersion: STATE_VERSION + 1, state: { ...serializeState(state), newField: 1 },
    });
    const h = history(paths);
    expect(h.fromSnapshot).toBe(false);
    expect(h.replayed).toBe(src.recorded.length);
    expect(digest(h.state)).toBe(digest(fold(src.recorded)));
    expect(messages).toContain(`[log] snapshot ignored: snapshot state version ${STATE_VERSION + 1}`);
  });

  it('a snapshot file in a newer format is ignored with a report, and the log replayed in full', () => {
    const paths = project('p');
    const src = writeLog(paths, events(), 8);
    const bytes = readFileSync(paths.snapshot);
    const future = Buffer.from(bytes.toString('latin1').replace(`jmake-snapshot ${SNAPSHOT_FORMAT_VERSION} `, `jmake-snapshot ${SNAPSHOT_FORMAT_VERSION + 1} `), 'latin1');
    expect(future.equals(bytes)).toBe(false);
    writeFileSync(paths.snapshot, future);
    const h = history(paths);
    expect(h.fromSnapshot).toBe(false);
    expect(digest(h.state)).toBe(digest(fold(src.recorded)));
    expect(messages).toContain(`[log] snapshot ignored: snapshot format ${SNAPSHOT_FORMAT_VERSION + 1}`);
    expect(existsSync(paths.snapshot)).toBe(true);
  });
});
