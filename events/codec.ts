/**
 * One event-log record <-> one line of text. Pure: no I/O. The file format is specified in
 * events/log.ts; this module is the record part of it:
 *
 *   <crc> SP <json> LF
 *
 * where <json> is `{"seq":N,"time":MS,"type":"kebab-name","v":SCHEMA,"data":{...}}` (JSON never
 * contains a raw LF) and <crc> is the CRC-32 (zlib polynomial) of <json>'s UTF-8 bytes as eight
 * lowercase hex digits.
 */
import { crc32 } from 'node:zlib';
import { EVENT_VERSIONS, type JmakeEvent } from './types.js';

export const LOG_MAGIC = 'jmake-events';
export const LOG_FORMAT_VERSION = 1;
export const LOG_HEADER = `${LOG_MAGIC} ${LOG_FORMAT_VERSION}\n`;

/** A decoded record before upcasting: `v` may be older than the current schema. */
export interface LogRecord {
  readonly seq: number;
  readonly time: number;
  readonly type: string;
  readonly v: number;
  readonly data: unknown;
}

export type DecodeResult =
  | { readonly ok: true; readonly record: LogRecord }
  | { readonly ok: false; readonly reason: string };

export function crcHex(text: string | Uint8Array): string {
  return crc32(text).toString(16).padStart(8, '0');
}

export function encodeRecord(event: JmakeEvent): string {
  const json = JSON.stringify({ seq: event.seq, time: event.time, type: event.type, v: EVENT_VERSIONS[event.type], data: event.data });
  return `${crcHex(json)} ${json}\n`;
}

/** Decode one line, without its trailing LF. */
export function decodeLine(line: string): DecodeResult {
  return decodeRecordBytes(Buffer.from(line, 'utf8'));
}

/** Decode one record from its bytes (the line without LF): the checksum is over bytes, not text. */
export function decodeRecordBytes(bytes: Buffer): DecodeResult {
  if (bytes.length < 10 || bytes[8] !== 0x20) return { ok: false, reason: 'malformed record' };
  const json = bytes.subarray(9);
  if (crcHex(json) !== bytes.toString('latin1', 0, 8)) return { ok: false, reason: 'checksum mismatch' };
  let value: unknown;
  try {
    value = JSON.parse(json.toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid JSON' };
  }
  if (!isRecordShape(value)) return { ok: false, reason: 'record fields missing' };
  return { ok: true, record: value };
}

function isRecordShape(value: unknown): value is LogRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return Number.isSafeInteger(r.seq) && (r.seq as number) > 0
    && typeof r.time === 'number'
    && typeof r.type === 'string'
    && Number.isSafeInteger(r.v) && (r.v as number) > 0
    && 'data' in r;
}
