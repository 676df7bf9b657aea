/**
 * Snapshots: the folded state at some seq, so start-up replays only the log's tail.
 *
 * ## Format (version 1), `.jmake/snapshot.json`
 *
 *   line 1:  "jmake-snapshot 1 <crc> <bytes>" LF
 *   line 2:  <json> LF    {"seq":N,"offset":BYTES,"stateVersion":S,"state":{...}}
 *
 * <crc> is the CRC-32 of line 2's JSON bytes (8 hex digits) and <bytes> its length. `offset` is
 * where the record after `seq` starts in events.log. A snapshot is written to a temporary file,
 * fsynced and renamed into place, so a reader sees a whole old one or a whole new one. One that
 * fails any check is ignored (the log is replayed from the start): a snapshot is a cache, the log
 * is the truth.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { crcHex } from './codec.js';

export const SNAPSHOT_FORMAT_VERSION = 1;

export interface Snapshot<S> {
  readonly seq: number;
  readonly offset: number;
  readonly stateVersion: number;
  readonly state: S;
}

export function writeSnapshot<S>(path: string, snapshot: Snapshot<S>): number {
  const json = JSON.stringify(snapshot);
  const body = Buffer.from(json, 'utf8');
  const head = `jmake-snapshot ${SNAPSHOT_FORMAT_VERSION} ${crcHex(body)} ${body.length}\n`;
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    try {
      writeSync(fd, head);
      let written = 0;
      while (written < body.length) written += writeSync(fd, body, written, body.length - written);
      writeSync(fd, '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true }); // a half-written temp would only hold on to the space a full disk lacks
    throw err;
  }
  return body.length;
}

export type SnapshotRead<S> =
  | { readonly ok: true; readonly snapshot: Snapshot<S> }
  | { readonly ok: false; readonly reason: string };

export function readSnapshot<S>(path: string, stateVersion: number): SnapshotRead<S> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return { ok: false, reason: 'no snapshot' };
  }
  const nl = bytes.indexOf(10);
  const m = nl > 0 ? /^jmake-snapshot (\d+) ([0-9a-f]{8}) (\d+)$/.exec(bytes.toString('latin1', 0, nl)) : null;
  if (!m) return { ok: false, reason: 'bad snapshot header' };
  if (Number(m[1]) !== SNAPSHOT_FORMAT_VERSION) return { ok: false, reason: `snapshot format ${m[1]}` };
  const body = bytes.subarray(nl + 1, nl + 1 + Number(m[3]));
  if (body.length !== Number(m[3]) || crcHex(body) !== m[2]) return { ok: false, reason: 'snapshot checksum mismatch' };
  let value: Snapshot<S>;
  try {
    value = JSON.parse(body.toString('utf8')) as Snapshot<S>;
  } catch {
    return { ok: false, reason: 'snapshot JSON invalid' };
  }
  if (value.stateVersion !== stateVersion) return { ok: false, reason: `snapshot state version ${value.stateVersion}` };
  if (!Number.isSafeInteger(value.seq) || !Number.isSafeInteger(value.offset)) return { ok: false, reason: 'snapshot fields invalid' };
  return { ok: true, snapshot: value };
}
