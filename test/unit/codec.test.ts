import { describe, expect, it } from 'vitest';
import {
  LOG_FORMAT_VERSION, LOG_HEADER, LOG_MAGIC, crcHex, decodeLine, decodeRecordBytes, encodeRecord,
} from '../../events/codec.js';
import { EVENT_VERSIONS, type JmakeEvent } from '../../events/types.js';

const fileAdded = (seq: number, path = 'src/main.c'): JmakeEvent => ({
  seq, time: 1_700_000_000_000 + seq, type: 'file-added',
  data: { path, hash: '0123456789abcdef', size: 12, mtime: 1.5, ino: 42 },
});

/** A line (without LF) with a correct checksum over arbitrary JSON text. */
const withCrc = (json: string): string => `${crcHex(json)} ${json}`;

describe('header constants', () => {
  it('is "jmake-events 1" plus LF', () => {
    expect(LOG_MAGIC).toBe('jmake-events');
    expect(LOG_FORMAT_VERSION).toBe(1);
    expect(LOG_HEADER).toBe('jmake-events 1\n');
  });
});

describe('crcHex', () => {
  it('is the zlib CRC-32 as 8 lowercase hex digits', () => {
    // The standard CRC-32 check value.
    expect(crcHex('123456789')).toBe('cbf43926');
    expect(crcHex(Buffer.from('123456789'))).toBe('cbf43926');
  });

  it('pads to 8 digits', () => {
    expect(crcHex('')).toBe('00000000');
    for (const s of ['a', 'b', 'xyz', 'jmake', '{}']) expect(crcHex(s)).toMatch(/^[0-9a-f]{8}$/);
  });
});

describe('encodeRecord', () => {
  it('writes <crc> SP <json> LF with the current schema version', () => {
    const event = fileAdded(7);
    const line = encodeRecord(event);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    const json = line.slice(9, -1);
    expect(line[8]).toBe(' ');
    expect(line.slice(0, 8)).toBe(crcHex(json));
    expect(json.startsWith('{"seq":7,')).toBe(true);
    expect(JSON.parse(json)).toEqual({ seq: 7, time: event.time, type: 'file-added', v: EVENT_VERSIONS['file-added'], data: event.data });
  });

  it('never puts a raw LF inside a record, even when data holds one', () => {
    const event: JmakeEvent = { seq: 1, time: 1, type: 'daemon-stopped', data: { pid: 1, instance: 'i', reason: 'line1\nline2\r\n' } };
    const line = encodeRecord(event);
    expect(line.split('\n')).toHaveLength(2);
    const decoded = decodeLine(line.slice(0, -1));
    expect(decoded.ok && decoded.record.data).toEqual(event.data);
  });
});

describe('decodeLine / decodeRecordBytes', () => {
  it('round-trips an encoded record', () => {
    const event = fileAdded(3);
    const decoded = decodeLine(encodeRecord(event).slice(0, -1));
    expect(decoded).toEqual({ ok: true, record: { seq: 3, time: event.time, type: 'file-added', v: 1, data: event.data } });
  });

  it('checks the CRC over UTF-8 bytes (multi-byte text)', () => {
    const event = fileAdded(9, 'src/ünïcødé/日本語/😀.c');
    const line = encodeRecord(event).slice(0, -1);
    const bytes = Buffer.from(line, 'utf8');
    expect(bytes.length).toBeGreaterThan(line.length);
    const decoded = decodeRecordBytes(bytes);
    expect(decoded.ok).toBe(true);
    if (decoded.ok) expect((decoded.record.data as { path: string }).path).toBe('src/ünïcødé/日本語/😀.c');
    // The CRC is of the bytes, not of latin1 text.
    expect(line.slice(0, 8)).toBe(crcHex(bytes.subarray(9)));
  });

  it('reports a checksum mismatch when a byte of the JSON changes', () => {
    const line = encodeRecord(fileAdded(4)).slice(0, -1);
    const bytes = Buffer.from(line);
    const at = bytes.indexOf('main');
    bytes[at] = 'M'.charCodeAt(0);
    expect(decodeRecordBytes(bytes)).toEqual({ ok: false, reason: 'checksum mismatch' });
  });

  it('reports a checksum mismatch when the checksum itself is damaged or uppercase', () => {
    const line = encodeRecord(fileAdded(4)).slice(0, -1);
    const crc = line.slice(0, 8);
    const other = (crc[0] === '0' ? '1' : '0') + crc.slice(1);
    expect(decodeLine(other + line.slice(8))).toEqual({ ok: false, reason: 'checksum mismatch' });
    if (/[a-f]/.test(crc)) expect(decodeLine(crc.toUpperCase() + line.slice(8))).toEqual({ ok: false, reason: 'checksum mismatch' });
  });

  it('reports a malformed record when too short or the separator is missing', () => {
    expect(decodeLine('')).toEqual({ ok: false, reason: 'malformed record' });
    expect(decodeLine('abcdef12 ')).toEqual({ ok: false, reason: 'malformed record' });
    const line = encodeRecord(fileAdded(1)).slice(0, -1);
    expect(decodeLine(line.slice(0, 8) + '_' + line.slice(9))).toEqual({ ok: false, reason: 'malformed record' });
    expect(decodeLine(line.slice(1))).toEqual({ ok: false, reason: 'malformed record' });
  });

  it('reports invalid JSON under a correct checksum', () => {
    expect(decodeLine(withCrc('{"seq":1,'))).toEqual({ ok: false, reason: 'invalid JSON' });
  });

  it('reports missing or invalid fields', () => {
    const good = { seq: 1, time: 2, type: 'file-added', v: 1, data: {} };
    expect(decodeLine(withCrc(JSON.stringify(good))).ok).toBe(true);
    const bad: unknown[] = [
      null, 5, '"str"', [],
      { ...good, seq: 0 }, { ...good, seq: -1 }, { ...good, seq: 1.5 }, { ...good, seq: '1' },
      { ...good, time: '2' }, { ...good, type: 3 }, { ...good, v: 0 }, { ...good, v: 1.1 },
    ];
    for (const value of bad) {
      const json = typeof value === 'string' ? value : JSON.stringify(value);
      expect(decodeLine(withCrc(json)), json).toEqual({ ok: false, reason: 'record fields missing' });
    }
    const { data: _data, ...noData } = good;
    expect(decodeLine(withCrc(JSON.stringify(noData)))).toEqual({ ok: false, reason: 'record fields missing' });
    // data may be null, but must be present
    expect(decodeLine(withCrc(JSON.stringify({ ...good, data: null }))).ok).toBe(true);
  });
});
