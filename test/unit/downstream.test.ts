import { describe, expect, it } from 'vitest';
import { DownstreamIndex } from '../../src/graph/downstream.js';

describe('DownstreamIndex', () => {
  // lib.a <- a.o, b.o; app <- main.o, lib.a; tool <- t.o; gen <- (nothing), a.o <- gen
  const deps: Record<string, string[]> = {
    'gen': [], 'a.o': ['gen'], 'b.o': [], 'main.o': [], 't.o': [], 'lib.a': ['a.o', 'b.o'], 'app': ['main.o', 'lib.a', 'outside'], 'tool': ['t.o'],
  };
  const order = ['gen', 'a.o', 'b.o', 'main.o', 't.o', 'lib.a', 'app', 'tool'];
  const index = new DownstreamIndex(order, (id) => deps[id]!);

  it('gives the jobs and everything downstream of them, in the topological order', () => {
    expect(index.closure(['b.o'])).toEqual(['b.o', 'lib.a', 'app']);
    expect(index.closure(['gen'])).toEqual(['gen', 'a.o', 'lib.a', 'app']);
    expect(index.closure(['app', 't.o'])).toEqual(['t.o', 'app', 'tool']);
    expect(index.closure([])).toEqual([]);
  });

  it('ignores jobs outside the order, and a dependency outside it links nothing', () => {
    expect(index.closure(['outside', 'nope'])).toEqual([]);
    expect(index.closure(['main.o', 'main.o'])).toEqual(['main.o', 'app']);
  });
});
