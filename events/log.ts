/**
 * The append-only event log, `.jmake/events.log`.
 *
 * ## Format (version 1)
 *
 *   header:  "jmake-events 1" LF
 *   record:  <crc> SP <json> LF          (one per event, see events/codec.ts)
 *
 *   <json>   {"seq":N,"time":MS,"type":"file-changed","v":1,"data":{...}}
 *   <crc>    CRC-32 (zlib) of <json>'s UTF-8 bytes, 8 lowercase hex digits
 *
 * - `seq` starts at 1 and strictly increases along the file. It is never reused or renumbered:
 *   compaction drops whole records and keeps the rest byte for byte.
 * - `v` is the schema version of that event type when it was written; readers upcast
 *   (events/upcast.ts). The header's number is the version of this framing, not of the events.
 * - The file is only ever appended to, by one process (the daemon holding the project lock),
 *   with one write(2) per batch of events on an O_APPEND descriptor.
 *
 * ## Crash safety
 * - An append is acknowledged to clients only after write(2) returned for all its bytes. A failed
 *   or short write is cut back off (ftruncate), so no half record stays behind for a later read.
 * - fdatasync: the daemon calls `sync()` after config events, when a build that ran jobs ends, on shutdown, and
 *   at most one second after any other append (see daemon/recorder.ts). A power loss can therefore
 *   lose up to the last second of watcher events, which the start-up reconcile re-derives from the
 *   tree; it cannot lose a config change or a finished build's outcome.
 * - At open, the records after the resume point are checked (LF-terminated, checksum, JSON, seq
 *   increasing). At the first bad one the rest of the file is a torn or corrupt tail: its bytes are
 *   saved beside the log (`events.log.bad-<offset>-<time>`, nothing is thrown away), the log is cut
 *   at the last good record, and the recovery is reported, never fatal. Sequence numbers continue
 *   above any seq still readable on a complete line of the cut tail, so a number that may have been
 *   shown is never reused.
 *
 * ## Reading
 * Records are sorted by seq, so `readPage({since})` binary-searches line starts by byte offset and
 * reads forward: no index, no whole-file scan. A page is bounded in records and bytes (small frames).
 */
import {
  closeSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readSync, renameSync, writeFileSync, writeSync,
} from 'node:fs';
import { JmakeError, isErrno } from '../src/errors.js';
import { LOG_HEADER, LOG_MAGIC, LOG_FORMAT_VERSION, decodeRecordBytes, encodeRecord, type LogRecord } from './codec.js';
import type { JmakeEvent, NewEvent } from './types.js';

const CHUNK = 1 << 20;
const HEADER_BYTES = Buffer.byteLength(LOG_HEADER);

export interface Recovery {
  readonly offset: number;
  readonly truncatedBytes: number;
  readonly reason: string;
  /** Where the cut bytes were saved. */
  readonly savedTo: string | null;
}

export interface OpenOptions {
  readonly path: string;
  /** Start checking and replaying here (from a snapshot) instead of at the first record. */
  readonly resumeAt?: { readonly offset: number; readonly seq: number } | undefined;
  /** Told, before the first record, whether `resumeAt` fit (false: records start from the first). */
  readonly onStart?: ((resumed: boolean) => void) | undefined;
  /** Every good record after the resume point, in order. */
  readonly onRecord?: ((record: LogRecord, offset: number) => void) | undefined;
  readonly now?: () => number;
}

export interface OpenResult {
  readonly log: EventLog;
  readonly recovery: Recovery | null;
  /** False when `resumeAt` did not fit this file and the whole log was replayed instead. */
  readonly resumed: boolean;
  readonly recordsRead: number;
}

export interface PageQuery {
  /** Records with seq > since. */
  readonly since?: number;
  readonly types?: readonly string[] | undefined;
  readonly limit?: number;
  /** Stop once this many bytes of matching records were collected. */
  readonly maxBytes?: number;
  /** Stop once this many bytes were scanned (keeps a filtered page cheap). */
  readonly maxScanBytes?: number;
}

export interface Page {
  readonly records: LogRecord[];
  /** Continue with `since: next`; null when the end of the log was reached. */
  readonly next: number | null;
}

export interface CompactionResult {
  readonly recordsBefore: number;
  readonly recordsAfter: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
}

export class EventLog {
  private fd: number;
  private _size: number;
  private _lastSeq: number;
  private _records: number;

  private constructor(readonly path: string, fd: number, size: number, lastSeq: number, records: number) {
    this.fd = fd;
    this._size = size;
    this._lastSeq = lastSeq;
    this._records = records;
  }

  get lastSeq(): number { return this._lastSeq; }
  get size(): number { return this._size; }
  /** Records in the file (an estimate after a resumed open: the snapshot's part is not counted). */
  get records(): number { return this._records; }

  static open(options: OpenOptions): OpenResult {
    const now = options.now ?? Date.now;
    const fd = openSync(options.path, 'a+', 0o644);
    try {
      let size = fstatSync(fd).size;
      const headerRecovery = ensureHeader(fd, options.path, size, now);
      if (headerRecovery || size === 0) size = HEADER_BYTES;
      let resumed = false;
      let start = HEADER_BYTES;
      let prevSeq = 0;
      if (options.resumeAt && resumeFits(fd, size, options.resumeAt)) {
        resumed = true;
        start = options.resumeAt.offset;
        prevSeq = options.resumeAt.seq;
      }
      options.onStart?.(resumed);
      const scan = scanRecords(fd, start, size, prevSeq, options.onRecord);
      let recovery = headerRecovery;
      if (scan.badOffset !== null) {
        const savedTo = saveTail(fd, options.path, scan.badOffset, size, now);
        ftruncateSync(fd, scan.badOffset);
        fdatasyncSync(fd);
        recovery = { offset: scan.badOffset, truncatedBytes: size - scan.badOffset, reason: scan.badReason, savedTo };
        size = scan.badOffset;
      }
      const lastSeq = Math.max(scan.lastSeq, scan.salvagedMaxSeq);
      const log = new EventLog(options.path, fd, size, lastSeq, scan.records);
      return { log, recovery, resumed, recordsRead: scan.records };
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /**
   * Number and time the events, then write them with one write(2). Returns the recorded events.
   * On a write error the file is cut back to where it was and a JmakeError is thrown.
   */
  append(events: readonly NewEvent[], time: number): JmakeEvent[] {
    if (events.length === 0) return [];
    const recorded: JmakeEvent[] = [];
    let seq = this._lastSeq;
    let text = '';
    for (const event of events) {
      const full = { seq: ++seq, time, type: event.type, data: event.data } as JmakeEvent;
      recorded.push(full);
      text += encodeRecord(full);
    }
    const bytes = Buffer.from(text, 'utf8');
    const before = this._size;
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written);
    } catch (err) {
      try { ftruncateSync(this.fd, before); } catch { /* the error below is the one to report */ }
      throw new JmakeError('log-write-failed', `cannot append to ${this.path}: ${(err as Error).message}`, 1,
        isErrno(err, 'ENOSPC') ? 'free some disk space' : undefined);
    }
    this._size += bytes.length;
    this._lastSeq = seq;
    this._records += events.length;
    return recorded;
  }

  /** fdatasync: make every appended record durable. */
  sync(): void {
    fdatasyncSync(this.fd);
  }

  close(): void {
    if (this.fd < 0) return;
    try { fdatasyncSync(this.fd); } finally {
      closeSync(this.fd);
      this.fd = -1;
    }
  }

  /** Byte offset of the first record with seq > since (the log's size if none). */
  offsetAfter(since: number): number {
    let lo = HEADER_BYTES;
    let hi = this._size;
    while (lo < hi) {
      const mid = this.lineStartAtOrAfter(lo + Math.floor((hi - lo) / 2), lo);
      if (mid >= hi) break; // only the line starting at lo is left
      const line = this.readLineAt(mid);
      const seq = line ? peekSeq(line.bytes) : null;
      if (seq === null || !line) break; // damaged line: the linear scan below copes
      if (seq <= since) lo = line.next; else hi = mid;
    }
    // At most a few lines remain between lo and the answer.
    while (lo < this._size) {
      const line = this.readLineAt(lo);
      if (!line) return this._size;
      const seq = peekSeq(line.bytes);
      if (seq !== null && seq > since) return lo;
      lo = line.next;
    }
    return this._size;
  }

  readPage(query: PageQuery = {}): Page {
    const since = query.since ?? 0;
    const limit = query.limit ?? 1000;
    const maxBytes = query.maxBytes ?? 512 * 1024;
    const maxScan = query.maxScanBytes ?? 8 * CHUNK;
    const types = query.types && query.types.length > 0 ? new Set(query.types) : null;
    const records: LogRecord[] = [];
    let bytes = 0;
    let lastExamined = since;
    let offset = this.offsetAfter(since);
    const scanStart = offset;
    while (offset < this._size) {
      if (records.length >= limit || bytes >= maxBytes || offset - scanStart >= maxScan) {
        return { records, next: lastExamined };
      }
      const line = this.readLineAt(offset);
      if (!line) break;
      offset = line.next;
      const decoded = decodeRecordBytes(line.bytes);
      if (!decoded.ok) continue;
      lastExamined = decoded.record.seq;
      if (types && !types.has(decoded.record.type)) continue;
      records.push(decoded.record);
      bytes += line.bytes.length;
    }
    return { records, next: null };
  }

  /**
   * Rewrite the log keeping only the records `keep` accepts, plus the newest one, byte for byte
   * (so seq and checksums are unchanged), or as the event `keep` returns in its place (same seq:
   * a patch written out in full when what it patches is dropped). `keep` sees every record, in
   * order. Written to a temporary file, fsynced, then renamed over the log: a crash at any point
   * leaves either the old or the new log, both valid.
   */
  compact(keep: (record: LogRecord) => boolean | JmakeEvent): CompactionResult {
    const tmp = `${this.path}.compact`;
    const out = openSync(tmp, 'w', 0o644);
    let kept = 0;
    let total = 0;
    let outBytes = HEADER_BYTES;
    try {
      writeSync(out, LOG_HEADER);
      const pending: Buffer[] = [];
      let pendingBytes = 0;
      forEachLine(this.fd, HEADER_BYTES, this._size, (bytes) => {
        total++;
        const decoded = decodeRecordBytes(bytes);
        // The newest record always stays: it carries lastSeq, so numbers are never handed out twice.
        if (!decoded.ok) return true;
        const verdict = keep(decoded.record);
        const last = decoded.record.seq === this._lastSeq;
        if (!(last || verdict)) return true;
        kept++;
        const line = typeof verdict === 'object' ? Buffer.from(encodeRecord(verdict).slice(0, -1)) : bytes;
        pending.push(line, NEWLINE);
        pendingBytes += line.length + 1;
        if (pendingBytes >= CHUNK) {
          outBytes += writeAll(out, Buffer.concat(pending));
          pending.length = 0;
          pendingBytes = 0;
        }
        return true;
      });
      if (pending.length > 0) outBytes += writeAll(out, Buffer.concat(pending));
      fdatasyncSync(out);
    } finally {
      closeSync(out);
    }
    const bytesBefore = this._size;
    renameSync(tmp, this.path);
    closeSync(this.fd);
    this.fd = openSync(this.path, 'a+', 0o644);
    this._size = outBytes;
    this._records = kept;
    return { recordsBefore: total, recordsAfter: kept, bytesBefore, bytesAfter: outBytes };
  }

  private lineStartAtOrAfter(pos: number, floor: number): number {
    if (pos <= floor) return floor;
    // The byte before a line start is LF.
    const buf = Buffer.allocUnsafe(64 * 1024);
    let at = pos - 1;
    while (at < this._size) {
      const n = readSync(this.fd, buf, 0, Math.min(buf.length, this._size - at), at);
      if (n <= 0) break;
      const nl = buf.subarray(0, n).indexOf(10);
      if (nl >= 0) return at + nl + 1;
      at += n;
    }
    return this._size;
  }

  private readLineAt(offset: number): { bytes: Buffer; next: number } | null {
    let buf = Buffer.allocUnsafe(4096);
    let filled = 0;
    while (offset + filled < this._size) {
      if (filled === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 4);
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
      }
      const n = readSync(this.fd, buf, filled, Math.min(buf.length - filled, this._size - offset - filled), offset + filled);
      if (n <= 0) break;
      const nl = buf.subarray(filled, filled + n).indexOf(10);
      filled += n;
      if (nl >= 0) {
        const end = filled - n + nl;
        return { bytes: Buffer.from(buf.subarray(0, end)), next: offset + end + 1 };
      }
    }
    return null;
  }
}

const NEWLINE = Buffer.from('\n');

function writeAll(fd: number, bytes: Buffer): number {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
  return written;
}

/** `{"seq":N,` is always the start of a record's JSON: read N without parsing the record. */
function peekSeq(line: Buffer): number | null {
  const head = line.toString('latin1', 0, Math.min(line.length, 40));
  const m = /^[0-9a-f]{8} \{"seq":(\d+),/.exec(head);
  return m ? Number(m[1]) : null;
}

function ensureHeader(fd: number, path: string, size: number, now: () => number): Recovery | null {
  if (size === 0) {
    writeSync(fd, LOG_HEADER);
    fdatasyncSync(fd);
    return null;
  }
  const head = Buffer.alloc(Math.min(size, 64));
  readSync(fd, head, 0, head.length, 0);
  const text = head.toString('latin1');
  if (text.startsWith(LOG_HEADER)) return null;
  const m = new RegExp(`^${LOG_MAGIC} (\\d+)\n`).exec(text);
  if (m && Number(m[1]) > LOG_FORMAT_VERSION) {
    throw new JmakeError('log-format-newer',
      `${path} is in event-log format ${m[1]}; this jmake reads format ${LOG_FORMAT_VERSION}`, 1,
      'use the newer jmake, or move .jmake/ aside to start a fresh history');
  }
  // A torn header (crash while creating the file) or a file that is not ours: keep its bytes.
  const savedTo = saveTail(fd, path, 0, size, now);
  ftruncateSync(fd, 0);
  writeSync(fd, LOG_HEADER);
  fdatasyncSync(fd);
  return { offset: 0, truncatedBytes: size, reason: 'unreadable header', savedTo };
}

function resumeFits(fd: number, size: number, at: { offset: number; seq: number }): boolean {
  if (at.offset < HEADER_BYTES || at.offset > size) return false;
  const before = Buffer.alloc(1);
  readSync(fd, before, 0, 1, at.offset - 1);
  if (before[0] !== 10) return false;
  // The record just before the resume point must be the snapshot's last one: a log cut or replaced
  // under the snapshot can still have a line start there (or end exactly there).
  if (seqEndingAt(fd, at.offset) !== at.seq) return false;
  if (at.offset === size) return true;
  const head = Buffer.alloc(Math.min(64, size - at.offset));
  readSync(fd, head, 0, head.length, at.offset);
  const seq = peekSeq(head);
  return seq !== null && seq > at.seq;
}

/** Seq of the record whose LF is at `offset - 1` (0 for the header), null if unreadable. */
function seqEndingAt(fd: number, offset: number): number | null {
  if (offset === HEADER_BYTES) return 0;
  const buf = Buffer.allocUnsafe(64 * 1024);
  let end = offset - 1;
  for (;;) {
    const from = Math.max(HEADER_BYTES - 1, end - buf.length); // the header's LF bounds the search
    const n = readSync(fd, buf, 0, end - from, from);
    const nl = buf.subarray(0, n).lastIndexOf(10);
    if (nl >= 0) {
      const start = from + nl + 1;
      const head = Buffer.alloc(Math.min(64, offset - 1 - start));
      readSync(fd, head, 0, head.length, start);
      return peekSeq(head);
    }
    if (from <= HEADER_BYTES - 1 || n <= 0) return null;
    end = from;
  }
}

interface ScanResult {
  records: number;
  lastSeq: number;
  badOffset: number | null;
  badReason: string;
  salvagedMaxSeq: number;
}

function scanRecords(
  fd: number, start: number, end: number, prevSeq: number,
  onRecord: ((record: LogRecord, offset: number) => void) | undefined,
): ScanResult {
  const result: ScanResult = { records: 0, lastSeq: prevSeq, badOffset: null, badReason: '', salvagedMaxSeq: 0 };
  const stoppedAt = forEachLine(fd, start, end, (bytes, offset) => {
    const decoded = decodeRecordBytes(bytes);
    if (!decoded.ok || decoded.record.seq <= result.lastSeq) {
      result.badOffset = offset;
      result.badReason = decoded.ok ? `seq ${decoded.record.seq} after ${result.lastSeq}` : decoded.reason;
      return false;
    }
    result.records++;
    result.lastSeq = decoded.record.seq;
    onRecord?.(decoded.record, offset);
    return true;
  });
  if (result.badOffset === null && stoppedAt < end) {
    result.badOffset = stoppedAt;
    result.badReason = 'torn record (no line end)';
  }
  if (result.badOffset !== null) {
    // Complete lines behind the damage may have been acknowledged to a client before the crash:
    // any seq still readable there stays reserved (a torn last line was never acknowledged).
    forEachLine(fd, result.badOffset, end, (bytes) => {
      const decoded = decodeRecordBytes(bytes);
      const seq = decoded.ok ? decoded.record.seq : peekSeq(bytes);
      if (seq !== null) result.salvagedMaxSeq = Math.max(result.salvagedMaxSeq, seq);
      return true;
    });
  }
  return result;
}

/**
 * Calls `visit` with each LF-terminated line in [start, end) (without the LF) until it returns
 * false. Returns the offset after the last complete line visited: `end` unless a line was torn
 * or the visitor stopped.
 */
function forEachLine(fd: number, start: number, end: number, visit: (bytes: Buffer, offset: number) => boolean): number {
  let buf = Buffer.allocUnsafe(CHUNK);
  let bufStart = start; // file offset of buf[0]
  let filled = 0;
  let pos = 0; // next unvisited byte in buf
  for (;;) {
    const nl = buf.indexOf(10, pos);
    if (nl >= 0 && nl < filled) {
      if (!visit(buf.subarray(pos, nl), bufStart + pos)) return bufStart + pos;
      pos = nl + 1;
      continue;
    }
    // Need more bytes: move the partial line to the front (grow if a single line fills the buffer).
    const remaining = filled - pos;
    if (bufStart + filled >= end) return bufStart + pos;
    if (remaining === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, pos, filled);
      buf = bigger;
    } else if (pos > 0) {
      buf.copy(buf, 0, pos, filled);
    }
    bufStart += pos;
    filled = remaining;
    pos = 0;
    const n = readSync(fd, buf, filled, Math.min(buf.length - filled, end - bufStart - filled), bufStart + filled);
    if (n <= 0) return bufStart;
    filled += n;
  }
}

function saveTail(fd: number, path: string, from: number, to: number, now: () => number): string | null {
  if (to <= from) return null;
  const target = `${path}.bad-${from}-${now()}`;
  const bytes = Buffer.alloc(to - from);
  readSync(fd, bytes, 0, bytes.length, from);
  writeFileSync(target, bytes, { mode: 0o644 });
  return target;
}
