import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { CompileCache, type Inputs } from '../../src/cache/store.js';
import { normalizeArgv, primaryKey } from '../../src/cache/keys.js';
import { loadHasher, type Hasher } from '../../src/util/hash.js';
import { filesEndingWith } from '../helpers/files.js';

let hasher: Hasher;
const dirs: string[] = [];
beforeAll(async () => { hasher = await loadHasher(); });
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'jmake-cache-unit-'));
  dirs.push(dir);
  return dir;
}

/** A project dir with a compiled "object" and its depfile, as a compile leaves them. */
function compiled(root: string, name: string, bytes: string): { output: string; outputHash: string; outputSize: number; depfile: string } {
  mkdirSync(join(root, 'build'), { recursive: true });
  const output = join(root, 'build', `${name}.o`);
  const depfile = `${output}.d`;
  writeFileSync(output, bytes);
  writeFileSync(depfile, `build/${name}.o: src/${name}.cpp ${root}/include/a.h /usr/include/stdio.h\n`);
  return { output, outputHash: hasher.hashBytes(Buffer.from(bytes)), outputSize: Buffer.byteLength(bytes), depfile };
}

const hashes = (table: Record<string, string>) => (path: string) => table[path] ?? null;

/** Where a restore puts `output`, copied first into the temp folder beside it (as the builder does). */
const restoreTo = (output: string, depfile: string | null, root: string) => ({ output, tmp: join(dirname(output), '.jmake-tmp', basename(output)), depfile, root });

describe('CompileCache', () => {
  it('restores what was stored when every input has the same content, with the depfile moved to the new root', async () => {
    const cacheDir = temp();
    const a = temp();
    const cache = new CompileCache(cacheDir, hasher, 1e9);
    const inputs: Inputs = [['src/x.cpp', 'h1'], ['include/a.h', 'h2']];
    await cache.store('p1', inputs, { ...compiled(a, 'x', 'OBJECT BYTES'), log: 'x.cpp:1:1: warning: w\n', root: a });

    const b = temp();
    const hit = await cache.lookup('p1', hashes({ 'src/x.cpp': 'h1', 'include/a.h': 'h2' }));
    expect(hit).toMatchObject({ inputs, log: 'x.cpp:1:1: warning: w\n' });
    const output = join(b, 'build', 'x.o');
    expect(await cache.restore(hit!, restoreTo(output, `${output}.d`, b))).toBe(true);
    expect(readFileSync(output, 'utf8')).toBe('OBJECT BYTES');
    expect(readFileSync(`${output}.d`, 'utf8')).toBe(`build/x.o: src/x.cpp ${b}/include/a.h /usr/include/stdio.h\n`);
    // Copied through the temp path it was given (the unwatched temp folder), nothing left there.
    expect(readdirSync(join(b, 'build')).sort()).toEqual(['.jmake-tmp', 'x.o', 'x.o.d']);
    expect(readdirSync(join(b, 'build', '.jmake-tmp'))).toEqual([]);
    expect(cache.counts).toEqual({ hits: 1, misses: 0, stored: 1 });
  });

  it('misses when an input changed, and keeps one entry per input set under one primary key', async () => {
    const cache = new CompileCache(temp(), hasher, 1e9);
    const root = temp();
    await cache.store('p1', [['src/x.cpp', 'h1'], ['a.h', 'old']], { ...compiled(root, 'x', 'OLD'), log: '', root });
    expect(await cache.lookup('p1', hashes({ 'src/x.cpp': 'h1', 'a.h': 'new' }))).toBeNull();
    expect(await cache.lookup('p2', hashes({ 'src/x.cpp': 'h1', 'a.h': 'old' }))).toBeNull();
    await cache.store('p1', [['src/x.cpp', 'h1'], ['a.h', 'new']], { ...compiled(root, 'x', 'NEW'), log: '', root });
    const out = join(root, 'restored.o');
    for (const [header, content] of [['old', 'OLD'], ['new', 'NEW']] as const) {
      const hit = await cache.lookup('p1', hashes({ 'src/x.cpp': 'h1', 'a.h': header }));
      expect(await cache.restore(hit!, restoreTo(out, null, root))).toBe(true);
      expect(readFileSync(out, 'utf8')).toBe(content);
    }
  });

  it('detects a corrupt entry by its hash, removes it, and leaves the output alone', async () => {
    const cacheDir = temp();
    const cache = new CompileCache(cacheDir, hasher, 1e9);
    const root = temp();
    await cache.store('p1', [['x', 'h']], { ...compiled(root, 'x', 'GOOD BYTES'), log: '', root });
    const objects = filesEndingWith(cacheDir, '.o');
    expect(objects).toHaveLength(1);
    writeFileSync(objects[0]!, 'GOOD BYTEZ'); // same size, one byte flipped
    const out = join(root, 'out.o');
    writeFileSync(out, 'PREVIOUS');
    const hit = await cache.lookup('p1', hashes({ x: 'h' }));
    expect(await cache.restore(hit!, restoreTo(out, null, root))).toBe(false);
    expect(readFileSync(out, 'utf8')).toBe('PREVIOUS');
    expect(filesEndingWith(cacheDir, '.o')).toEqual([]);
    expect(await cache.lookup('p1', hashes({ x: 'h' }))).toBeNull();
  });

  it('treats an unreadable manifest or meta as a miss', async () => {
    const cacheDir = temp();
    const cache = new CompileCache(cacheDir, hasher, 1e9);
    const root = temp();
    await cache.store('p1', [['x', 'h']], { ...compiled(root, 'x', 'B'), log: '', root });
    for (const meta of filesEndingWith(cacheDir, '.meta')) writeFileSync(meta, '{not json');
    expect(await cache.lookup('p1', hashes({ x: 'h' }))).toBeNull();
    for (const manifest of filesEndingWith(cacheDir, '.json')) writeFileSync(manifest, '\u0000\u0001');
    expect(await cache.lookup('p1', hashes({ x: 'h' }))).toBeNull();
  });

  it('evicts the least recently used entries once over its size', async () => {
    const cacheDir = temp();
    const root = temp();
    const cache = new CompileCache(cacheDir, hasher, 4000); // three entries fit (~1.15 kB each), four do not
    const big = 'x'.repeat(1000);
    for (const name of ['a', 'b', 'c']) await cache.store(`p-${name}`, [[name, 'h']], { ...compiled(root, name, big), log: '', root });
    // Use a and c again (b is then the least recently used), then store d: the cache is over its size.
    const metas = filesEndingWith(cacheDir, '.meta');
    const old = new Date(Date.now() - 60_000);
    for (const m of metas) utimesSync(m, old, old);
    for (const name of ['a', 'c']) {
      const hit = await cache.lookup(`p-${name}`, hashes({ [name]: 'h' }));
      expect(await cache.restore(hit!, restoreTo(join(root, 'r.o'), null, root))).toBe(true);
    }
    await cache.store('p-d', [['d', 'h']], { ...compiled(root, 'd', big), log: '', root });
    expect(await cache.lookup('p-b', hashes({ b: 'h' }))).toBeNull();
    for (const name of ['a', 'c', 'd']) expect(await cache.lookup(`p-${name}`, hashes({ [name]: 'h' }))).not.toBeNull();
    expect((await cache.stats()).bytes).toBeLessThanOrEqual(4000 * 0.9);
  });

  it('lets several writers store the same entry at once', async () => {
    const cacheDir = temp();
    const root = temp();
    const writers = Array.from({ length: 8 }, () => new CompileCache(cacheDir, hasher, 1e9));
    const from = { ...compiled(root, 'x', 'SAME'), log: '', root };
    await Promise.all(writers.map((w) => w.store('p1', [['x', 'h']], from)));
    const stats = await writers[0]!.stats();
    expect(stats.entries).toBe(1);
    expect(filesEndingWith(cacheDir, '.tmp')).toEqual([]);
    const hit = await writers[1]!.lookup('p1', hashes({ x: 'h' }));
    expect(await writers[1]!.restore(hit!, restoreTo(join(root, 'r.o'), null, root))).toBe(true);
  });

  it('clean removes every entry and says what it removed', async () => {
    const cacheDir = temp();
    const root = temp();
    const cache = new CompileCache(cacheDir, hasher, 1e9);
    await cache.store('p1', [['x', 'h']], { ...compiled(root, 'x', '12345'), log: '', root });
    expect(await cache.clean()).toMatchObject({ entries: 1 });
    expect(existsSync(cache.dir)).toBe(false);
    expect((await cache.stats()).entries).toBe(0);
  });
});

describe('primaryKey', () => {
  const hash = (text: string) => hasher.hashBytes(Buffer.from(text));
  const parts = { tool: 'clang++|14', argv: ['clang++', '-I/home/a/proj/include', '-c', 'src/x.cpp'], root: '/home/a/proj', sourceHash: 'abc' };

  it('is the same for another checkout of the same sources', () => {
    expect(normalizeArgv(parts.argv, parts.root)).toEqual(['clang++', '-I{root}/include', '-c', 'src/x.cpp']);
    const other = { ...parts, argv: ['clang++', '-I/tmp/b/include', '-c', 'src/x.cpp'], root: '/tmp/b' };
    expect(primaryKey(other, hash)).toBe(primaryKey(parts, hash));
  });

  it('holds the root when the object records it (debug info without a prefix map)', () => {
    const debug = { ...parts, argv: [...parts.argv, '-g'] };
    const elsewhere = (p: typeof parts) => ({ ...p, argv: p.argv.map((a) => a.replace('/home/a/proj', '/tmp/b')), root: '/tmp/b' });
    expect(primaryKey(elsewhere(debug), hash)).not.toBe(primaryKey(debug, hash));
    const mapped = { ...debug, argv: [...debug.argv, '-ffile-prefix-map=/home/a/proj=.'] };
    expect(primaryKey(elsewhere(mapped), hash)).toBe(primaryKey(mapped, hash));
    const noDebug = { ...parts, argv: [...parts.argv, '-g0'] };
    expect(primaryKey(elsewhere(noDebug), hash)).toBe(primaryKey(noDebug, hash));
  });

  it('differs with the tool, the command line or the source', () => {
    const base = primaryKey(parts, hash);
    expect(primaryKey({ ...parts, tool: 'clang++|15' }, hash)).not.toBe(base);
    expect(primaryKey({ ...parts, argv: [...parts.argv, '-O2'] }, hash)).not.toBe(base);
    expect(primaryKey({ ...parts, sourceHash: 'abd' }, hash)).not.toBe(base);
  });
});
