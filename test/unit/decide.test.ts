import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeReason, jobKey, whyRun, whyRunOutputOnly, type DecideContext, type OutputState, type Reason } from '../../src/graph/decide.js';
import type { PlannedJob } from '../../src/graph/plan.js';
import type { JobRecord } from '../../src/state/state.js';

const job: PlannedJob = {
  id: 'build/obj/src/a.c.o', kind: 'compile', target: 'app', tool: 'cc',
  argv: ['/usr/bin/gcc', '-c', 'src/a.c', '-o', 'build/obj/src/.jmake-tmp/a.c.o'], cosmeticArgs: ['-fdiagnostics-color=always'],
  output: 'build/obj/src/a.c.o', tmpOutput: 'build/obj/src/.jmake-tmp/a.c.o', depfile: 'build/obj/src/a.c.o.d', source: 'src/a.c', deps: [], priority: 0,
};

const record: JobRecord = {
  kind: 'compile', status: 'succeeded', key: 'k', tool: 'tool-1', argvHash: 'argv-1',
  inputs: [['src/a.c', 'hash-a'], ['src/a.h', 'hash-h']],
  output: { path: 'build/obj/src/a.c.o', hash: 'out', size: 10, mtime: 1, ino: 2 }, diagnostics: [], seq: 5, build: 4, exitCode: 0, durationMs: 12, error: null,
};

interface World {
  force?: boolean;
  tool?: string;
  argv?: string;
  files?: Record<string, string | null>;
  output?: OutputState;
}

/** A context where everything matches `record` unless the world says otherwise. */
function ctx(world: World = {}): DecideContext {
  const files: Record<string, string | null> = { 'src/a.c': 'hash-a', 'src/a.h': 'hash-h', ...world.files };
  return {
    force: world.force ?? false,
    toolId: () => world.tool ?? 'tool-1',
    argvHash: () => world.argv ?? 'argv-1',
    currentHash: (path) => (path in files ? files[path]! : null),
    outputState: () => world.output ?? 'ok',
  };
}

describe('whyRun', () => {
  it('is null when the job is up to date', () => {
    expect(whyRun(job, record, ctx())).toBeNull();
  });

  it('forced beats everything, even a missing record', () => {
    expect(whyRun(job, record, ctx({ force: true }))).toEqual({ kind: 'forced' });
    expect(whyRun(job, undefined, ctx({ force: true }))).toEqual({ kind: 'forced' });
  });

  it('new when there is no record', () => {
    expect(whyRun(job, undefined, ctx())).toEqual({ kind: 'new' });
  });

  it('failed when the last run failed, before a tool or command change', () => {
    const failed: JobRecord = { ...record, status: 'failed' };
    expect(whyRun(job, failed, ctx())).toEqual({ kind: 'failed' });
    expect(whyRun(job, failed, ctx({ tool: 'tool-2', argv: 'argv-2' }))).toEqual({ kind: 'failed' });
  });

  it('tool when the tool identity changed, naming both, before a command change', () => {
    expect(whyRun(job, record, ctx({ tool: 'tool-2' }))).toEqual({ kind: 'tool', from: 'tool-1', to: 'tool-2' });
    expect(whyRun(job, record, ctx({ tool: 'tool-2', argv: 'argv-2' }))).toEqual({ kind: 'tool', from: 'tool-1', to: 'tool-2' });
  });

  it('command when the argv hash changed, before an input change', () => {
    expect(whyRun(job, record, ctx({ argv: 'argv-2' }))).toEqual({ kind: 'command' });
    expect(whyRun(job, record, ctx({ argv: 'argv-2', files: { 'src/a.c': 'new' } }))).toEqual({ kind: 'command' });
  });

  it('input when an input changed, naming the first one in record order', () => {
    expect(whyRun(job, record, ctx({ files: { 'src/a.h': 'hash-h2' } }))).toEqual({ kind: 'input', path: 'src/a.h', from: 'hash-h', to: 'hash-h2' });
    expect(whyRun(job, record, ctx({ files: { 'src/a.h': 'x', 'src/a.c': 'y' } }))).toEqual({ kind: 'input', path: 'src/a.c', from: 'hash-a', to: 'y' });
  });

  it('looks at the suspects first: the one that changed is named without reading the inputs before it', () => {
    const read: string[] = [];
    const world = ctx({ files: { 'src/a.c': 'new-a', 'src/a.h': 'new-h' } });
    const watching = { ...world, currentHash: (path: string) => { read.push(path); return world.currentHash(path); } };
    expect(whyRun(job, record, watching, [[1, 'src/a.h']])).toEqual({ kind: 'input', path: 'src/a.h', from: 'hash-h', to: 'new-h' });
    expect(read).toEqual(['src/a.h']);
  });

  it('passes over a suspect at a position that holds another path, and over one that did not change', () => {
    const world = ctx({ files: { 'src/a.h': 'new-h' } });
    expect(whyRun(job, record, world, [[0, 'src/a.h'], [7, 'src/a.h'], [0, 'src/a.c']])).toEqual({ kind: 'input', path: 'src/a.h', from: 'hash-h', to: 'new-h' });
    expect(whyRun(job, record, ctx(), [[0, 'src/a.c'], [1, 'src/a.h']])).toBeNull();
  });

  it('input with to = null when an input is gone, before the output check', () => {
    expect(whyRun(job, record, ctx({ files: { 'src/a.h': null }, output: 'missing' }))).toEqual({ kind: 'input', path: 'src/a.h', from: 'hash-h', to: null });
  });

  it('output when the output is missing or modified', () => {
    expect(whyRun(job, record, ctx({ output: 'missing' }))).toEqual({ kind: 'output', state: 'missing' });
    expect(whyRun(job, record, ctx({ output: 'modified' }))).toEqual({ kind: 'output', state: 'modified' });
  });

  it('passes the job and the record to the context', () => {
    const seen: unknown[] = [];
    const context: DecideContext = {
      force: false,
      toolId: (j) => { seen.push(['tool', j.id]); return 'tool-1'; },
      argvHash: (j) => { seen.push(['argv', j.id]); return 'argv-1'; },
      currentHash: (p) => { seen.push(['hash', p]); return p === 'src/a.c' ? 'hash-a' : 'hash-h'; },
      outputState: (j, r) => { seen.push(['output', j.id, r.seq]); return 'ok'; },
    };
    expect(whyRun(job, record, context)).toBeNull();
    expect(seen).toEqual([['tool', job.id], ['argv', job.id], ['hash', 'src/a.c'], ['hash', 'src/a.h'], ['output', job.id, 5]]);
  });

  it('a record without inputs only checks the output', () => {
    expect(whyRun(job, { ...record, inputs: [] }, ctx({ files: { 'src/a.c': null } }))).toBeNull();
  });
});

describe('whyRunOutputOnly (inputs known unchanged)', () => {
  it('looks at the output only', () => {
    const changedInputs = ctx({ files: { 'src/a.c': 'new' }, argv: 'argv-2' });
    expect(whyRunOutputOnly(job, record, changedInputs)).toBeNull();
    expect(whyRunOutputOnly(job, record, ctx({ output: 'modified', files: { 'src/a.c': 'new' } }))).toEqual({ kind: 'output', state: 'modified' });
    expect(whyRunOutputOnly(job, record, ctx({ output: 'missing' }))).toEqual({ kind: 'output', state: 'missing' });
  });

  it('judges in full without a succeeded record', () => {
    expect(whyRunOutputOnly(job, undefined, ctx())).toEqual({ kind: 'new' });
    expect(whyRunOutputOnly(job, { ...record, status: 'failed' }, ctx())).toEqual({ kind: 'failed' });
  });
});

describe('describeReason', () => {
  it.each<[Reason, string]>([
    [{ kind: 'forced' }, 'forced (--force)'],
    [{ kind: 'new' }, 'never built'],
    [{ kind: 'failed' }, 'failed last time'],
    [{ kind: 'tool', from: 'gcc-12.2.0', to: 'gcc-13.1.0' }, 'the tool changed (gcc-12.2.0 -> gcc-13.1.0)'],
    [{ kind: 'tool', from: '0123456789abcdef0123', to: 'fedcba9876543210fedc' }, 'the tool changed (0123456789ab -> fedcba987654)'],
    [{ kind: 'command' }, 'the command line changed'],
    [{ kind: 'input', path: 'src/a.h', from: 'aaaaaaaaaaaaaaaa', to: 'bbbbbbbbbbbbbbbb' }, 'input src/a.h changed (aaaaaaaaaaaa -> bbbbbbbbbbbb)'],
    [{ kind: 'input', path: 'src/a.h', from: 'short', to: 'other' }, 'input src/a.h changed (short -> other)'],
    [{ kind: 'input', path: 'src/gone.h', from: 'aaaaaaaaaaaaaaaa', to: null }, 'input src/gone.h is gone'],
    [{ kind: 'output', state: 'missing' }, 'its output is missing'],
    [{ kind: 'output', state: 'modified' }, 'its output was modified'],
  ])('%j', (reason, text) => {
    expect(describeReason(reason)).toBe(text);
  });
});

describe('jobKey', () => {
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  const inputs: [string, string][] = [['src/a.c', 'h1'], ['src/a.h', 'h2']];
  const base = jobKey('tool', 'argv', inputs, sha);

  it('is stable for the same parts', () => {
    expect(jobKey('tool', 'argv', inputs.map(([p, h]) => [p, h] as const), sha)).toBe(base);
  });

  it('is the hash of the parts', () => {
    const seen: string[] = [];
    expect(jobKey('T', 'A', [['p', 'h']], (text) => { seen.push(text); return 'H'; })).toBe('H');
    expect(seen).toEqual(['T\u0000A\u0000p\u0001h']);
  });

  it('changes when any part changes', () => {
    const variants = [
      jobKey('tool2', 'argv', inputs, sha),
      jobKey('tool', 'argv2', inputs, sha),
      jobKey('tool', 'argv', [['src/a.c', 'h1'], ['src/a.h', 'h3']], sha),
      jobKey('tool', 'argv', [['src/a.c', 'h1'], ['src/b.h', 'h2']], sha),
      jobKey('tool', 'argv', [['src/a.c', 'h1']], sha),
      jobKey('tool', 'argv', [...inputs, ['src/c.h', 'h4']], sha),
      jobKey('tool', 'argv', [], sha),
    ];
    for (const v of variants) expect(v).not.toBe(base);
    expect(new Set(variants).size).toBe(variants.length);
  });

  it('does not confuse a path with a hash or the tool with the command', () => {
    expect(jobKey('ab', 'c', [], sha)).not.toBe(jobKey('a', 'bc', [], sha));
    expect(jobKey('t', 'a', [['x', 'yz']], sha)).not.toBe(jobKey('t', 'a', [['xy', 'z']], sha));
  });
});
