import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHasher, type Hasher } from '../../src/util/hash.js';

let hasher: Hasher;
let dir: string;
beforeAll(async () => {
  hasher = await loadHasher();
  dir = mkdtempSync(join(tmpdir(), 'jmake-hash-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bytes that differ at every offset, so a chunk read at the wrong place or left over changes the hash. */
function content(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return bytes;
}

describe('hashFileSync', () => {
  // Read whole up to 256 KiB, streamed through one reused 1 MiB buffer above: both give the hash of the bytes.
  it.each([0, 1, 4096, 256 * 1024, 256 * 1024 + 1, 1024 * 1024, 2_595_504])('hashes a file of %i bytes as its content', (size) => {
    const bytes = content(size, size % 251);
    const path = join(dir, `f${size}`);
    writeFileSync(path, bytes);
    expect(hasher.hashFileSync(path, size)).toBe(hasher.hashBytes(bytes));
    expect(hasher.hashFileSync(path)).toBe(hasher.hashBytes(bytes));
  });

  it('gives a smaller file streamed after a bigger one its own hash (nothing of the earlier file is left in the buffer)', () => {
    const big = content(3 * 1024 * 1024 + 17, 1);
    const small = content(300 * 1024, 2);
    writeFileSync(join(dir, 'big'), big);
    writeFileSync(join(dir, 'small'), small);
    expect(hasher.hashFileSync(join(dir, 'big'), big.length)).toBe(hasher.hashBytes(big));
    expect(hasher.hashFileSync(join(dir, 'small'), small.length)).toBe(hasher.hashBytes(small));
    expect(hasher.hashFileSync(join(dir, 'small'), small.length)).not.toBe(hasher.hashFileSync(join(dir, 'big'), big.length));
  });
});
