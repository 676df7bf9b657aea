import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { crcHex } from '../../events/codec.js';
import { SNAPSHOT_FORMAT_VERSION, readSnapshot, writeSnapshot, type Snapshot } from '../../events/snapshot.js';

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'jmake-snapshot-test-'));
  path = join(dir, 'snapshot.json');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface S { readonly files: [string, number][]; readonly note: string }
const snapshot: Snapshot<S> = { seq: 42, offset: 1234, stateVersion: 1, state: { files: [['src/ä.c', 1]], note: 'héllo 😀' } };

/** Write a snapshot file by hand: header line plus body. */
function writeRaw(body: string, header?: string): void {
  const bytes = Buffer.from(body, 'utf8');
  writeFileSync(path, `${header ?? `jmake-snapshot 1 ${crcHex(bytes)} ${bytes.length}`}\n${body}\n`);
}

describe('writeSnapshot / readSnapshot', () => {
  it('round-trips and returns the body length in bytes', () => {
    const bytes = writeSnapshot(path, snapshot);
    const json = JSON.stringify(snapshot);
    expect(bytes).toBe(Buffer.byteLength(json));
    expect(readFileSync(path, 'utf8')).toBe(`jmake-snapshot ${SNAPSHOT_FORMAT_VERSION} ${crcHex(json)} ${bytes}\n${json}\n`);
    expect(readSnapshot<S>(path, 1)).toEqual({ ok: true, snapshot });
    expect(readdirSync(dir)).toEqual(['snapshot.json']); // no temporary file left
    expect(existsSync(`${path}.tmp`)).toBe(false);
  });

  it('replaces an older snapshot', () => {
    writeSnapshot(path, snapshot);
    writeSnapshot(path, { ...snapshot, seq: 43 });
    const read = readSnapshot<S>(path, 1);
    expect(read.ok && read.snapshot.seq).toBe(43);
  });

  it('reports a missing file', () => {
    expect(readSnapshot(path, 1)).toEqual({ ok: false, reason: 'no snapshot' });
  });

  it('rejects a bad header', () => {
    writeFileSync(path, '');
    expect(readSnapshot(path, 1)).toEqual({ ok: false, reason: 'bad snapshot header' });
    writeFileSync(path, '{"seq":1}\n');
    expect(readSnapshot(path, 1)).toEqual({ ok: false, reason: 'bad snapshot header' });
    writeRaw('{}', 'jmake-snapshot 1 XYZ 2');
    expect(readSnapshot(path, 1)).toEqual({ ok: false, reason: 'bad snapshot header' });
    writeFileSync(path, 'jmake-snapshot 1 00000000 0'); // no LF at all
    expect(readSnapshot(path, 1)).toEqual({ ok: false, reason: 'bad snapshot header' });
  });

  it('rejects another format version', () => {
    const body = JSON.stringify(snapshot);
    writeRaw(body, `jmake-snapshot 2 ${crcHex(body)} ${Buffer.byteLength(body)}`);
    expect(readSnapshot(path, 1)).toEqual({ ok: false, reason: 'snapshot format 2' });
  });

  it('rejects a damaged or truncated body', () => {
    writeSnapshot(path, snapshot);
    const bytes = readFileSync(path);
    const at = bytes.indexOf('"seq":42') + 6;
    const damaged = Buffer.from(bytes);
    damaged[at] = '5'.charCodeAt(0);
    writeFileSync(path, damaged);
    expect(readSnapshot(path, 1)).toEqual({ ok: false, reason: 'snapshot checksum mismatch' });
    writeFileSync(path, bytes.subarray(0, bytes.length - 10));
    expect(readSnapshot(path, 1)).toEqual({ ok: false, reason: 'snapshot checksum mismatch' });
  });

  it('rejects invalid JSON under a good checksum', () => {
    writeRaw('{"seq":');
    expect(readSnapshot(path, 1)).toEqual({ ok: false, reason: 'snapshot JSON invalid' });
  });

  it('rejects another state version', () => {
    writeSnapshot(path, { ...snapshot, stateVersion: 2 });
    expect(readSnapshot(path, 1)).toEqual({ ok: false, reason: 'snapshot state version 2' });
  });

  it('rejects invalid seq or offset', () => {
    writeRaw(JSON.stringify({ ...snapshot, seq: '42' }));
    expect(readSnapshot(path, 1)).toEqual({ ok: false, reason: 'snapshot fields invalid' });
    writeRaw(JSON.stringify({ ...snapshot, offset: 1.5 }));
    expect(readSnapshot(path, 1)).toEqual({ ok: false, reason: 'snapshot fields invalid' });
    writeRaw(JSON.stringify({ seq: 1, stateVersion: 1, state: {} }));
    expect(readSnapshot(path, 1)).toEqual({ ok: false, reason: 'snapshot fields invalid' });
  });
});
