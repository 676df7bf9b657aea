import { describe, expect, it } from 'vitest';
import { planReconcile, type KnownFile, type StatFacts } from '../../src/watcher/reconcile.js';

const st = (size: number, mtime = 100, ino = 1): StatFacts => ({ size, mtime, ino });
const known = (size: number, mtime = 100, ino = 1): KnownFile => ({ size, mtime, ino, hash: 'h'.repeat(16) });

describe('planReconcile', () => {
  const knownFiles: [string, KnownFile][] = [
    ['src/a.c', known(10)],
    ['src/b.c', known(20)],
    ['src/c.c', known(30)],
    ['src/d.c', known(40)],
    ['src/sub/e.c', known(50)],
    ['include/x.h', known(60)],
    ['srcx/y.c', known(70)],
  ];

  it('hashes new files and files whose size, mtime or inode differ; counts the rest unchanged', () => {
    const seen = new Map<string, StatFacts>([
      ['src/a.c', st(10)], // unchanged
      ['src/b.c', st(21)], // size
      ['src/c.c', st(30, 101)], // mtime
      ['src/d.c', st(40, 100, 2)], // inode
      ['src/sub/e.c', st(50)],
      ['include/x.h', st(60)],
      ['srcx/y.c', st(70)],
      ['src/new.c', st(1)], // new
    ]);
    const plan = planReconcile(seen, knownFiles);
    expect(plan.toHash.sort()).toEqual(['src/b.c', 'src/c.c', 'src/d.c', 'src/new.c']);
    expect(plan.removed).toEqual([]);
    expect(plan.unchanged).toBe(4);
  });

  it('reports known files missing from disk as removed', () => {
    const seen = new Map<string, StatFacts>([['src/a.c', st(10)]]);
    const plan = planReconcile(seen, knownFiles);
    expect(plan.removed.sort()).toEqual(['include/x.h', 'src/b.c', 'src/c.c', 'src/d.c', 'src/sub/e.c', 'srcx/y.c']);
    expect(plan.toHash).toEqual([]);
    expect(plan.unchanged).toBe(1);
  });

  it('only removes known files under the scanned prefix (by whole segment)', () => {
    const seen = new Map<string, StatFacts>([['src/a.c', st(10)], ['src/new.c', st(5)]]);
    const plan = planReconcile(seen, knownFiles, { prefix: 'src' });
    expect(plan.removed.sort()).toEqual(['src/b.c', 'src/c.c', 'src/d.c', 'src/sub/e.c']);
    expect(plan.removed).not.toContain('srcx/y.c');
    expect(plan.removed).not.toContain('include/x.h');
    expect(plan.toHash).toEqual(['src/new.c']);
    expect(plan.unchanged).toBe(1);
  });

  it('a prefix naming a single file scopes to that file', () => {
    const plan = planReconcile(new Map(), knownFiles, { prefix: 'src/a.c' });
    expect(plan).toEqual({ toHash: [], removed: ['src/a.c'], unchanged: 0 });
  });

  it('a seen file outside a prefix with a known twin elsewhere is still treated as new', () => {
    // known is filtered to the prefix, so a path outside it looks unknown
    const plan = planReconcile(new Map([['include/x.h', st(60)]]), knownFiles, { prefix: 'src/sub' });
    expect(plan.toHash).toEqual(['include/x.h']);
    expect(plan.removed).toEqual(['src/sub/e.c']);
  });

  it('rehashAll hashes every seen file', () => {
    const seen = new Map<string, StatFacts>([['src/a.c', st(10)], ['src/b.c', st(20)]]);
    const plan = planReconcile(seen, knownFiles, { rehashAll: true, prefix: 'src' });
    expect(plan.toHash.sort()).toEqual(['src/a.c', 'src/b.c']);
    expect(plan.unchanged).toBe(0);
    expect(plan.removed.sort()).toEqual(['src/c.c', 'src/d.c', 'src/sub/e.c']);
  });

  it('works with an empty tree and empty state, and accepts any iterable', () => {
    expect(planReconcile(new Map(), [])).toEqual({ toHash: [], removed: [], unchanged: 0 });
    function* gen(): Generator<[string, KnownFile]> { yield ['a', known(1)]; }
    expect(planReconcile(new Map([['a', st(1)]]), gen())).toEqual({ toHash: [], removed: [], unchanged: 1 });
  });

  it('every seen path lands in exactly one of toHash or unchanged', () => {
    const seen = new Map<string, StatFacts>();
    for (let i = 0; i < 100; i++) seen.set(`f${i}`, st(i % 3, 100 + (i % 2)));
    const k: [string, KnownFile][] = [];
    for (let i = 0; i < 150; i += 2) k.push([`f${i}`, known(i % 3, 100)]);
    const plan = planReconcile(seen, k);
    expect(plan.toHash.length + plan.unchanged).toBe(seen.size);
    expect(new Set(plan.toHash).size).toBe(plan.toHash.length);
    expect(plan.removed.sort()).toEqual(Array.from({ length: 25 }, (_, j) => `f${100 + 2 * j}`).sort());
  });
});
