import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOG_HEADER, crcHex, decodeRecordBytes, encodeRecord, type LogRecord } from '../../events/codec.js';
import { EventLog, type OpenOptions, type OpenResult, type PageQuery } from '../../events/log.js';
import type { JmakeEvent, NewEvent } from '../../events/types.js';
import { JmakeError } from '../../src/errors.js';

const HEADER_BYTES = Buffer.byteLength(LOG_HEADER);
const NOW = 1_700_000_123_456;

let dir: string;
let logPath: string;
let logs: EventLog[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'jmake-log-test-'));
  logPath = join(dir, 'events.log');
  logs = [];
});

afterEach(() => {
  for (const log of logs) log.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(options: Partial<OpenOptions> = {}): OpenResult {
  const result = EventLog.open({ path: logPath, now: () => NOW, ...options });
  logs.push(result.log);
  return result;
}

function fileEvent(path: string, type: 'file-added' | 'file-changed' = 'file-added', hash = '0123456789abcdef'): NewEvent {
  return { type, data: { path, hash, size: path.length, mtime: 1000.25, ino: 7 } };
}

/** A mix of event types: file events, rescans and config events. */
function mixedEvents(n: number): NewEvent[] {
  const events: NewEvent[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 5 === 3) events.push({ type: 'watcher-rescan', data: { reason: `r${i}`, scanned: i, changed: 1, durationMs: 2 } });
    else if (i % 7 === 6) events.push({ type: 'config-changed', data: { hash: `h${i}`, config: { i }, changed: ['i'] } });
    else events.push(fileEvent(`src/file-${i}.c`, i % 2 ? 'file-changed' : 'file-added'));
  }
  return events;
}

/** Byte offset of every record line in the file, in order, with its bytes (without LF). */
function lines(path = logPath): { offset: number; bytes: Buffer }[] {
  const bytes = readFileSync(path);
  const out: { offset: number; bytes: Buffer }[] = [];
  let at = HEADER_BYTES;
  while (at < bytes.length) {
    const nl = bytes.indexOf(10, at);
    if (nl < 0) break;
    out.push({ offset: at, bytes: bytes.subarray(at, nl) });
    at = nl + 1;
  }
  return out;
}

function readAll(log: EventLog, query: Omit<PageQuery, 'since'> = {}): { records: LogRecord[]; pages: number } {
  const records: LogRecord[] = [];
  let since = 0;
  let pages = 0;
  for (;;) {
    const page = log.readPage({ ...query, since });
    pages++;
    records.push(...page.records);
    if (page.next === null) break;
    expect(page.next).toBeGreaterThanOrEqual(since);
    since = page.next;
    if (pages > 10_000) throw new Error('paging does not terminate');
  }
  return { records, pages };
}

const seqs = (records: readonly { seq: number }[]): number[] => records.map((r) => r.seq);
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('EventLog: open and header', () => {
  it('creates a missing file with just the header', () => {
    const { log, recovery, resumed, recordsRead } = open();
    expect(readFileSync(logPath, 'utf8')).toBe(LOG_HEADER);
    expect(log.size).toBe(HEADER_BYTES);
    expect(log.lastSeq).toBe(0);
    expect(log.records).toBe(0);
    expect(recovery).toBeNull();
    expect(resumed).toBe(false);
    expect(recordsRead).toBe(0);
    expect(log.readPage()).toEqual({ records: [], next: null });
  });

  it('gives an existing empty file a header', () => {
    writeFileSync(logPath, '');
    const { log, recovery } = open();
    expect(recovery).toBeNull();
    expect(readFileSync(logPath, 'utf8')).toBe(LOG_HEADER);
    expect(log.size).toBe(HEADER_BYTES);
    expect(log.append([fileEvent('a.c')], 5)[0]?.seq).toBe(1);
  });

  it('refuses a log in a newer format with log-format-newer and leaves it alone', () => {
    const content = 'jmake-events 2\nsomething from the future\n';
    writeFileSync(logPath, content);
    let error: unknown;
    try {
      open();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(JmakeError);
    expect((error as JmakeError).code).toBe('log-format-newer');
    expect((error as JmakeError).message).toContain('format 2');
    expect(readFileSync(logPath, 'utf8')).toBe(content);
    expect(readdirSync(dir)).toEqual(['events.log']);
  });

  it('refuses a much newer format too (multi-digit version)', () => {
    writeFileSync(logPath, 'jmake-events 12\n');
    expect(() => open()).toThrow(expect.objectContaining({ code: 'log-format-newer' }));
  });

  it('moves a foreign file aside and starts a fresh log', () => {
    const foreign = 'this is not an event log\nat all\n';
    writeFileSync(logPath, foreign);
    const { log, recovery } = open();
    expect(recovery).not.toBeNull();
    expect(recovery!.offset).toBe(0);
    expect(recovery!.truncatedBytes).toBe(Buffer.byteLength(foreign));
    expect(recovery!.reason).toBe('unreadable header');
    expect(recovery!.savedTo).toBe(`${logPath}.bad-0-${NOW}`);
    expect(readFileSync(recovery!.savedTo!, 'utf8')).toBe(foreign);
    expect(readFileSync(logPath, 'utf8')).toBe(LOG_HEADER);
    expect(log.size).toBe(HEADER_BYTES);
    expect(log.lastSeq).toBe(0);
    const [first] = log.append([fileEvent('a.c')], 1);
    expect(first?.seq).toBe(1);
    log.close();
    const again = open();
    expect(again.recovery).toBeNull();
    expect(seqs(again.log.readPage().records)).toEqual([1]);
  });

  it('treats a torn header (crash while creating the file) as unreadable', () => {
    writeFileSync(logPath, 'jmake-ev');
    const { recovery, log } = open();
    expect(recovery?.reason).toBe('unreadable header');
    expect(recovery?.truncatedBytes).toBe(8);
    expect(readFileSync(recovery!.savedTo!, 'utf8')).toBe('jmake-ev');
    expect(log.size).toBe(HEADER_BYTES);
  });

  it('treats an older or missing-LF header as unreadable, not as newer', () => {
    writeFileSync(logPath, 'jmake-events 0\n');
    expect(open().recovery?.reason).toBe('unreadable header');
  });
});

describe('EventLog: append and reopen', () => {
  it('numbers and times appended events and writes one line each', () => {
    const { log } = open();
    const recorded = log.append([fileEvent('a.c'), fileEvent('b.c', 'file-changed')], 111);
    expect(recorded).toEqual([
      { seq: 1, time: 111, ...fileEvent('a.c') },
      { seq: 2, time: 111, ...fileEvent('b.c', 'file-changed') },
    ]);
    const more = log.append([fileEvent('c.c')], 222);
    expect(more[0]).toMatchObject({ seq: 3, time: 222 });
    expect(log.lastSeq).toBe(3);
    expect(log.records).toBe(3);
    expect(log.size).toBe(statSync(logPath).size);
    const text = readFileSync(logPath, 'utf8');
    expect(text).toBe(LOG_HEADER + [...recorded, ...more].map((e) => encodeRecord(e)).join(''));
  });

  it('ignores an empty batch', () => {
    const { log } = open();
    const size = log.size;
    expect(log.append([], 1)).toEqual([]);
    expect(log.size).toBe(size);
    expect(log.lastSeq).toBe(0);
  });

  it('reopens with the same records and lastSeq', () => {
    const first = open().log;
    const recorded = [...first.append(mixedEvents(10), 10), ...first.append(mixedEvents(5), 20)];
    const before = first.readPage();
    const size = first.size;
    first.close();

    const seen: { seq: number; offset: number }[] = [];
    const { log, recovery, recordsRead, resumed } = open({ onRecord: (r, offset) => seen.push({ seq: r.seq, offset }) });
    expect(recovery).toBeNull();
    expect(resumed).toBe(false);
    expect(recordsRead).toBe(15);
    expect(log.records).toBe(15);
    expect(log.lastSeq).toBe(15);
    expect(log.size).toBe(size);
    expect(log.readPage()).toEqual(before);
    expect(before.records.map((r) => ({ seq: r.seq, time: r.time, type: r.type, data: r.data })))
      .toEqual(recorded.map((e) => ({ seq: e.seq, time: e.time, type: e.type, data: e.data })));
    // onRecord sees every record with its line start
    expect(seen).toEqual(lines().map((l, i) => ({ seq: i + 1, offset: l.offset })));
    // and numbering continues
    expect(log.append([fileEvent('z.c')], 30)[0]?.seq).toBe(16);
  });

  it('handles records larger than the read chunk (1 MiB) and many lines across chunk borders', () => {
    const { log } = open();
    const big = 'd/'.repeat(800_000) + 'huge.c'; // > 1.5 MB of JSON
    log.append([fileEvent('small.c')], 1);
    log.append([fileEvent(big)], 2);
    const many: NewEvent[] = [];
    for (let i = 0; i < 3000; i++) many.push(fileEvent(`dir-${i}/${'x'.repeat(400)}.c`));
    log.append(many, 3);
    log.append([fileEvent('last.c')], 4);
    const lastSeq = log.lastSeq;
    log.close();

    const reopened = open();
    expect(reopened.recovery).toBeNull();
    expect(reopened.recordsRead).toBe(3003);
    expect(reopened.log.lastSeq).toBe(lastSeq);
    const page = reopened.log.readPage({ since: 1, limit: 1 });
    expect((page.records[0]?.data as { path: string }).path).toBe(big);
    expect(page.next).toBe(2);
    expect(seqs(readAll(reopened.log, { limit: 500 }).records)).toEqual(range(1, 3003));
    const l = lines();
    for (const k of [0, 1, 2, 1500, 3001, 3002, 3003]) expect(reopened.log.offsetAfter(k)).toBe(l[k]?.offset ?? reopened.log.size);
  });
});

describe('EventLog: recovery', () => {
  function writeRecords(n: number): { size: number; offsets: number[] } {
    const { log } = open();
    log.append(mixedEvents(n), 50);
    const size = log.size;
    log.close();
    return { size, offsets: lines().map((l) => l.offset) };
  }

  it('cuts a torn tail (partial last line without LF) and saves its bytes', () => {
    const { size } = writeRecords(3);
    const torn = encodeRecord({ seq: 4, time: 1, ...fileEvent('torn.c') } as JmakeEvent).slice(0, 30);
    appendFileSync(logPath, torn);

    const { log, recovery, recordsRead } = open();
    expect(recovery).toEqual({
      offset: size, truncatedBytes: Buffer.byteLength(torn), reason: 'torn record (no line end)', savedTo: `${logPath}.bad-${size}-${NOW}`,
    });
    expect(readFileSync(recovery!.savedTo!, 'utf8')).toBe(torn);
    expect(statSync(logPath).size).toBe(size);
    expect(log.size).toBe(size);
    expect(recordsRead).toBe(3);
    expect(log.lastSeq).toBe(3);
    expect(log.append([fileEvent('next.c')], 60)[0]?.seq).toBe(4);
    log.close();
    const again = open();
    expect(again.recovery).toBeNull();
    expect(seqs(again.log.readPage().records)).toEqual([1, 2, 3, 4]);
  });

  it('cuts a whole last record that lost only its LF (it was never acknowledged)', () => {
    const { size } = writeRecords(2);
    const line = encodeRecord({ seq: 3, time: 1, ...fileEvent('nolf.c') } as JmakeEvent);
    appendFileSync(logPath, line.slice(0, -1));
    const { log, recovery } = open();
    expect(recovery?.offset).toBe(size);
    expect(recovery?.reason).toBe('torn record (no line end)');
    expect(log.lastSeq).toBe(2);
  });

  it('cuts a corrupted last record (CRC fails) and saves its bytes', () => {
    const { size, offsets } = writeRecords(4);
    const bytes = readFileSync(logPath);
    const lastStart = offsets[3]!;
    const flipAt = bytes.indexOf('"seq"', lastStart) + 20; // inside the JSON
    bytes[flipAt] = bytes[flipAt]! ^ 0x01;
    bytes[flipAt + 1] = bytes[flipAt + 1]! ^ 0x02;
    expect(bytes.subarray(lastStart, size - 1).includes(10)).toBe(false);
    writeFileSync(logPath, bytes);

    const { log, recovery } = open();
    expect(recovery).toEqual({
      offset: lastStart, truncatedBytes: size - lastStart, reason: 'checksum mismatch', savedTo: `${logPath}.bad-${lastStart}-${NOW}`,
    });
    expect(readFileSync(recovery!.savedTo!).equals(bytes.subarray(lastStart))).toBe(true);
    expect(statSync(logPath).size).toBe(lastStart);
    expect(log.records).toBe(3);
    expect(seqs(log.readPage().records)).toEqual([1, 2, 3]);
    // the damaged line was complete (it may have been acknowledged) and its seq is still
    // readable: that number stays reserved
    expect(log.lastSeq).toBe(4);
    expect(log.append([fileEvent('n.c')], 1)[0]?.seq).toBe(5);
    log.close();
    expect(seqs(open().log.readPage().records)).toEqual([1, 2, 3, 5]);
  });

  it('continues numbering above well-formed records found behind the damage (no seq reuse)', () => {
    const { size, offsets } = writeRecords(6);
    const bytes = readFileSync(logPath);
    const badStart = offsets[2]!; // record 3
    const crcChar = bytes[badStart]!;
    bytes[badStart] = crcChar === 0x30 ? 0x31 : 0x30;
    writeFileSync(logPath, bytes);

    const { log, recovery, recordsRead } = open();
    expect(recovery?.offset).toBe(badStart);
    expect(recovery?.truncatedBytes).toBe(size - badStart);
    expect(recovery?.reason).toBe('checksum mismatch');
    expect(readFileSync(recovery!.savedTo!).equals(bytes.subarray(badStart))).toBe(true);
    expect(recordsRead).toBe(2);
    expect(log.records).toBe(2);
    // records 4..6 were well-formed: their numbers stay reserved
    expect(log.lastSeq).toBe(6);
    const [next] = log.append([fileEvent('after.c')], 99);
    expect(next?.seq).toBe(7);
    log.close();
    const again = open();
    expect(again.recovery).toBeNull();
    expect(seqs(again.log.readPage().records)).toEqual([1, 2, 7]);
    expect(again.log.lastSeq).toBe(7);
  });

  it('reserves well-formed seqs behind a torn record in the middle too', () => {
    writeRecords(2);
    const text = readFileSync(logPath, 'utf8');
    const rec = (seq: number, path: string) => encodeRecord({ seq, time: 1, ...fileEvent(path) } as JmakeEvent);
    writeFileSync(logPath, text + 'garbage line\n' + rec(10, 'x.c') + rec(11, 'y.c').slice(0, 20));
    const { log, recovery } = open();
    expect(recovery?.offset).toBe(Buffer.byteLength(text));
    expect(recovery?.reason).toBe('malformed record');
    expect(log.lastSeq).toBe(10);
    expect(log.append([fileEvent('z.c')], 1)[0]?.seq).toBe(11);
  });

  it('cuts at a record whose seq does not increase', () => {
    const { size, offsets } = writeRecords(3);
    const bytes = readFileSync(logPath);
    const dup = bytes.subarray(offsets[1]!, offsets[2]!); // record 2 with its LF
    appendFileSync(logPath, dup);
    const { log, recovery } = open();
    expect(recovery?.offset).toBe(size);
    expect(recovery?.reason).toBe('seq 2 after 3');
    expect(recovery?.truncatedBytes).toBe(dup.length);
    expect(log.lastSeq).toBe(3);
  });

  it('reports invalid JSON under a good checksum', () => {
    const { size } = writeRecords(1);
    const json = '{"seq":2,"time":1,';
    appendFileSync(logPath, `${crcHex(json)} ${json}\n`);
    const { recovery, log } = open();
    expect(recovery?.offset).toBe(size);
    expect(recovery?.reason).toBe('invalid JSON');
    expect(log.records).toBe(1);
    // the complete line still names seq 2: reserved
    expect(log.lastSeq).toBe(2);
    expect(log.append([fileEvent('n.c')], 1)[0]?.seq).toBe(3);
  });

  it('does not overwrite an earlier saved tail when the same offset is cut again later', () => {
    const { size } = writeRecords(2);
    appendFileSync(logPath, 'torn-1');
    const first = open({ now: () => 1000 });
    first.log.close();
    appendFileSync(logPath, 'torn-2');
    const second = open({ now: () => 2000 });
    expect(first.recovery?.savedTo).not.toBe(second.recovery?.savedTo);
    expect(readFileSync(first.recovery!.savedTo!, 'utf8')).toBe('torn-1');
    expect(readFileSync(second.recovery!.savedTo!, 'utf8')).toBe('torn-2');
    expect(second.recovery?.offset).toBe(size);
  });
});

describe('EventLog: readPage', () => {
  const N = 40;
  let log: EventLog;
  let all: LogRecord[];

  beforeEach(() => {
    const opened = open();
    opened.log.append(mixedEvents(N), 1000);
    opened.log.close();
    log = open().log;
    all = log.readPage({ limit: 10_000 }).records;
  });

  it('returns every record in order by default, with next null', () => {
    expect(seqs(all)).toEqual(range(1, N));
    expect(log.readPage()).toEqual({ records: all, next: null });
  });

  it('returns records with seq > since', () => {
    expect(seqs(log.readPage({ since: 0 }).records)).toEqual(range(1, N));
    expect(seqs(log.readPage({ since: 17 }).records)).toEqual(range(18, N));
    expect(log.readPage({ since: N - 1 }).records.map((r) => r.seq)).toEqual([N]);
    expect(log.readPage({ since: N })).toEqual({ records: [], next: null });
    expect(log.readPage({ since: N + 100 })).toEqual({ records: [], next: null });
  });

  it('filters by types (an empty list means all)', () => {
    const page = log.readPage({ types: ['watcher-rescan', 'config-changed'] });
    expect(page.next).toBeNull();
    expect(page.records).toEqual(all.filter((r) => r.type === 'watcher-rescan' || r.type === 'config-changed'));
    expect(page.records.length).toBeGreaterThan(3);
    expect(log.readPage({ types: [] }).records).toEqual(all);
    expect(log.readPage({ types: ['no-such-type'] })).toEqual({ records: [], next: null });
  });

  it('bounds a page by limit and gives a next cursor', () => {
    const page = log.readPage({ limit: 7 });
    expect(seqs(page.records)).toEqual(range(1, 7));
    expect(page.next).toBe(7);
    const second = log.readPage({ since: page.next!, limit: 7 });
    expect(seqs(second.records)).toEqual(range(8, 14));
    // a limit that ends exactly at the end of the log reports the end
    expect(log.readPage({ since: N - 3, limit: 3 })).toEqual({ records: all.slice(N - 3), next: null });
  });

  it('bounds a page by maxBytes (at least one record per page)', () => {
    const one = log.readPage({ maxBytes: 1 });
    expect(seqs(one.records)).toEqual([1]);
    expect(one.next).toBe(1);
    const lineBytes = lines().map((l) => l.bytes.length);
    const budget = lineBytes[0]! + lineBytes[1]! + 1;
    const page = log.readPage({ maxBytes: budget });
    // stops once the collected bytes reach the budget: 3 records (the third crosses it)
    expect(seqs(page.records)).toEqual([1, 2, 3]);
    expect(page.next).toBe(3);
  });

  const pagings: [string, Omit<PageQuery, 'since'>][] = [
    ['limit 1', { limit: 1 }],
    ['limit 3', { limit: 3 }],
    ['limit 39', { limit: 39 }],
    ['maxBytes 1', { maxBytes: 1 }],
    ['maxBytes 300', { maxBytes: 300 }],
    ['maxScanBytes 1', { maxScanBytes: 1 }],
    ['maxScanBytes 500', { maxScanBytes: 500 }],
    ['limit 2 + maxBytes 200', { limit: 2, maxBytes: 200 }],
  ];

  for (const [name, query] of pagings) {
    it(`pages through everything exactly once (${name})`, () => {
      const { records, pages } = readAll(log, query);
      expect(records).toEqual(all);
      expect(pages).toBeGreaterThan(1);
    });

    it(`pages through a type filter exactly once (${name})`, () => {
      const types = ['file-changed', 'config-changed'];
      const { records } = readAll(log, { ...query, types });
      expect(records).toEqual(all.filter((r) => types.includes(r.type)));
    });
  }

  it('makes progress with a filtered page that matches nothing within the scan budget', () => {
    const page = log.readPage({ types: ['config-changed'], maxScanBytes: 1 });
    expect(page.records).toEqual([]);
    expect(page.next).toBe(1);
  });
});

describe('EventLog: offsetAfter', () => {
  it('finds the first record with seq > since for every since', () => {
    const { log } = open();
    // varying line lengths so the binary search lands mid-line
    const events: NewEvent[] = [];
    for (let i = 0; i < 300; i++) events.push(fileEvent(`p${i}/${'y'.repeat((i * 37) % 200)}.c`));
    log.append(events, 1);
    const l = lines();
    expect(log.offsetAfter(0)).toBe(HEADER_BYTES); // first
    expect(log.offsetAfter(0)).toBe(l[0]!.offset);
    expect(log.offsetAfter(150)).toBe(l[150]!.offset); // middle
    expect(log.offsetAfter(299)).toBe(l[299]!.offset); // last
    expect(log.offsetAfter(300)).toBe(log.size); // after last
    expect(log.offsetAfter(10_000)).toBe(log.size);
    for (let since = 0; since <= 300; since++) expect(log.offsetAfter(since)).toBe(l[since]?.offset ?? log.size);
  });

  it('works on an empty log and on a single record', () => {
    const { log } = open();
    expect(log.offsetAfter(0)).toBe(HEADER_BYTES);
    expect(log.offsetAfter(5)).toBe(HEADER_BYTES);
    log.append([fileEvent('only.c')], 1);
    expect(log.offsetAfter(0)).toBe(HEADER_BYTES);
    expect(log.offsetAfter(1)).toBe(log.size);
  });
});

describe('EventLog: compaction', () => {
  it('keeps the chosen records byte for byte with their seq, and the log reopens and pages', () => {
    const { log } = open();
    log.append(mixedEvents(30), 5);
    const before = lines().map((l) => Buffer.from(l.bytes));
    const sizeBefore = log.size;
    const keep = (r: LogRecord) => r.seq % 3 === 0 || r.seq === 30;
    const result = log.compact(keep);
    const kept = range(1, 30).filter((s) => s % 3 === 0 || s === 30);
    expect(result).toEqual({
      recordsBefore: 30, recordsAfter: kept.length, bytesBefore: sizeBefore, bytesAfter: statSync(logPath).size,
    });
    expect(existsSync(`${logPath}.compact`)).toBe(false);
    const text = readFileSync(logPath);
    expect(text.subarray(0, HEADER_BYTES).toString()).toBe(LOG_HEADER);
    const after = lines();
    expect(after.map((l) => l.bytes.toString())).toEqual(kept.map((s) => before[s - 1]!.toString()));
    expect(log.size).toBe(text.length);
    expect(log.records).toBe(kept.length);
    expect(log.lastSeq).toBe(30);
    // in-process reads work on the new file
    expect(seqs(log.readPage().records)).toEqual(kept);
    expect(seqs(log.readPage({ since: 10, limit: 2 }).records)).toEqual([12, 15]);
    for (let since = 0; since <= 31; since++) {
      const idx = kept.findIndex((s) => s > since);
      expect(log.offsetAfter(since)).toBe(idx < 0 ? log.size : after[idx]!.offset);
    }
    // appends continue numbering
    expect(log.append([fileEvent('new.c')], 6)[0]?.seq).toBe(31);
    log.close();

    const again = open();
    expect(again.recovery).toBeNull();
    expect(again.recordsRead).toBe(kept.length + 1);
    expect(again.log.lastSeq).toBe(31);
    expect(seqs(readAll(again.log, { limit: 2 }).records)).toEqual([...kept, 31]);
    const rescans = readAll(again.log, { types: ['watcher-rescan'], limit: 1 }).records;
    expect(rescans.every((r) => r.type === 'watcher-rescan' && r.seq % 3 === 0)).toBe(true);
    expect(seqs(rescans)).toEqual(kept.filter((s) => [4, 9, 14, 19, 24, 29].includes(s)));
    for (const r of again.log.readPage().records.slice(0, -1)) {
      const line = before[r.seq - 1]!;
      const decoded = decodeRecordBytes(line);
      expect(decoded.ok && decoded.record).toEqual(r);
    }
  });

  it('keeps the newest record even when nothing else is wanted, so seq numbers are never reused', () => {
    const { log } = open();
    log.append(mixedEvents(5), 1);
    const result = log.compact(() => false);
    expect(result.recordsAfter).toBe(1);
    expect(log.readPage().records.map((r) => r.seq)).toEqual([5]);
    log.close();
    const again = open();
    expect(again.recovery).toBeNull();
    expect(again.recordsRead).toBe(1);
    expect(again.log.lastSeq).toBe(5);
    expect(again.log.append(mixedEvents(1), 2)[0]!.seq).toBe(6);
    again.log.close();
  });
});

describe('EventLog: resumeAt', () => {
  function fill(n: number): { offsets: number[]; size: number } {
    const { log } = open();
    log.append(mixedEvents(n), 1);
    const size = log.size;
    log.close();
    return { offsets: lines().map((l) => l.offset), size };
  }

  it('skips earlier records: onRecord sees only the tail', () => {
    const { offsets } = fill(10);
    const seen: { seq: number; offset: number }[] = [];
    const { log, resumed, recordsRead, recovery } = open({
      resumeAt: { offset: offsets[6]!, seq: 6 },
      onRecord: (r, offset) => seen.push({ seq: r.seq, offset }),
    });
    expect(resumed).toBe(true);
    expect(recovery).toBeNull();
    expect(seen).toEqual([7, 8, 9, 10].map((seq) => ({ seq, offset: offsets[seq - 1]! })));
    expect(recordsRead).toBe(4);
    expect(log.lastSeq).toBe(10);
    expect(log.append([fileEvent('x.c')], 2)[0]?.seq).toBe(11);
  });

  it('resumes at the end of the file with nothing to replay', () => {
    const { size } = fill(4);
    const seen: number[] = [];
    const { log, resumed, recordsRead } = open({ resumeAt: { offset: size, seq: 4 }, onRecord: (r) => seen.push(r.seq) });
    expect(resumed).toBe(true);
    expect(seen).toEqual([]);
    expect(recordsRead).toBe(0);
    expect(log.lastSeq).toBe(4);
    expect(log.append([fileEvent('x.c')], 2)[0]?.seq).toBe(5);
  });

  it('replays everything when the resume point does not fit the file', () => {
    const { offsets, size } = fill(5);
    const misfits = [
      { offset: offsets[2]! + 3, seq: 2 }, // mid-line
      { offset: offsets[2]!, seq: 3 }, // the record there is not after seq
      { offset: offsets[2]!, seq: 9 },
      { offset: 0, seq: 0 }, // inside the header
      { offset: size + 10, seq: 5 }, // beyond the end
    ];
    for (const resumeAt of misfits) {
      const seen: number[] = [];
      const opened = open({ resumeAt, onRecord: (r) => seen.push(r.seq) });
      expect(opened.resumed, JSON.stringify(resumeAt)).toBe(false);
      expect(seen).toEqual([1, 2, 3, 4, 5]);
      expect(opened.recordsRead).toBe(5);
      expect(opened.log.lastSeq).toBe(5);
      opened.log.close();
    }
  });

  it('still recovers a torn tail after the resume point', () => {
    const { offsets, size } = fill(5);
    appendFileSync(logPath, 'half a rec');
    const seen: number[] = [];
    const { recovery, resumed, log } = open({ resumeAt: { offset: offsets[3]!, seq: 3 }, onRecord: (r) => seen.push(r.seq) });
    expect(resumed).toBe(true);
    expect(seen).toEqual([4, 5]);
    expect(recovery).toMatchObject({ offset: size, truncatedBytes: 10, reason: 'torn record (no line end)' });
    expect(log.lastSeq).toBe(5);
  });
});
