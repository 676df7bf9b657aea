import { describe, expect, it } from 'vitest';
import { checkJobGraph, findCycle, type UserJobSpec } from '../../src/jobs/graph.js';
import { RETRY_BASE_MS, RETRY_MAX_MS, retryDelay } from '../../src/jobs/retry.js';
import { readUserJobs } from '../../src/jobs/spec.js';
import { configLookup, expandArgs, templatesIn } from '../../src/jobs/templates.js';

const job = (id: string, more: Partial<UserJobSpec> = {}): UserJobSpec => ({
  id, run: ['true'], dependsOn: [], priority: 0, inputs: [], outputs: [], env: {}, cwd: null, timeoutMs: null, retries: 0, retryOn: [], ...more,
});
const build = { targets: new Map([['app', 'build/bin/app'], ['core', 'build/lib/libcore.a']]), outputs: new Set(['build/bin/app', 'build/lib/libcore.a', 'build/obj/src/a.c.o']) };

describe('templates in run', () => {
  const lookup = configLookup(
    { project: { name: 'demo' }, compile: { flags: ['-O2', '-g'], defines: { A: '1' } }, jobs: [{ id: 'x' }] },
    { 'project.root': '/home/me/demo', config_path: '/home/me/demo/jmake.toml', 'compile.output_dir': 'build', 'discovery.files': ['src/a.c', 'src/b c.c'] },
  );

  it('expands names, keys of jmake.toml, and a whole-argument list into one argument per item, never through a shell', () => {
    expect(expandArgs('gen', ['python3', '{{project.root}}/gen.py', '--name={{ project.name }}', '{{discovery.files}}', '--out', '{{compile.output_dir}}/gen', '$(rm -rf /); `x`'], lookup)).toEqual({
      ok: true, argv: ['python3', '/home/me/demo/gen.py', '--name=demo', 'src/a.c', 'src/b c.c', '--out', 'build/gen', '$(rm -rf /); `x`'],
    });
    expect(expandArgs('cc', ['{{compile.flags}}', '{{config_path}}'], lookup)).toEqual({ ok: true, argv: ['-O2', '-g', '/home/me/demo/jmake.toml'] });
  });

  it('refuses unknown names, tables, and a list inside a longer argument, naming the job', () => {
    expect(expandArgs('gen', ['{{project.nmae}}'], lookup)).toEqual({ ok: false, message: 'job "gen": unknown template {{project.nmae}} (use project.root, config_path, compile.output_dir, discovery.files or a key of jmake.toml)' });
    expect(expandArgs('gen', ['{{compile.defines}}'], lookup)).toMatchObject({ ok: false, message: expect.stringContaining('unknown template {{compile.defines}}') });
    expect(expandArgs('gen', ['--files={{discovery.files}}'], lookup)).toEqual({ ok: false, message: 'job "gen": {{discovery.files}} is a list; a list must be a whole argument ("{{discovery.files}}"), one argument per item' });
    expect(templatesIn(['a{{x}}b{{ y.z }}', 'c'])).toEqual(['x', 'y.z']);
  });
});

describe('the graph of [[jobs]]', () => {
  it('orders by dependencies, then priority, then declaration; resolves build, targets and outputs', () => {
    const g = checkJobGraph([
      job('report', { dependsOn: ['test', 'lint'] }),
      job('lint', { priority: 1 }),
      job('gen'),
      job('test', { dependsOn: ['build', 'gen'], priority: 5 }),
      job('size', { dependsOn: ['core', './build/obj/src/a.c.o'] }),
    ], build);
    expect(g.errors).toEqual([]);
    expect(g.order).toEqual(['lint', 'gen', 'test', 'report', 'size']);
    expect(g.deps.get('test')).toEqual({ jobs: ['gen'], buildJobs: ['build/bin/app', 'build/lib/libcore.a'] });
    expect(g.deps.get('size')).toEqual({ jobs: [], buildJobs: ['build/lib/libcore.a', 'build/obj/src/a.c.o'] });
  });

  it('names a cycle with its members, and refuses duplicate, built-in and target ids and unknown dependencies', () => {
    const cyclic = checkJobGraph([job('a', { dependsOn: ['c'] }), job('b', { dependsOn: ['a'] }), job('c', { dependsOn: ['b'] }), job('d')], build);
    expect(cyclic.errors).toEqual(['jobs depend on each other in a cycle: a -> c -> b -> a']);
    expect(cyclic.order).toEqual([]);
    const bad = checkJobGraph([job('x'), job('x'), job('build'), job('app'), job('y', { dependsOn: ['nothing'] })], build);
    expect(bad.errors).toEqual([
      'two jobs have the id "x"',
      'job id "build" is the name of a built-in job; choose another',
      'job id "app" is also a target\'s name; choose another',
      'job "y" depends on "nothing", which is no job, target or build output',
    ]);
    expect(findCycle(['s'], (id) => (id === 's' ? ['s'] : []))).toEqual(['s', 's']);
  });
});

describe('retries', () => {
  it('happen only when asked, for the listed exit codes, with doubling backoff, never after a cancel or a timeout', () => {
    const fail = (attempt: number, exitCode: number | null = 1) => ({ attempt, exitCode, cancelled: false, timedOut: false });
    expect(retryDelay({ retries: 0, retryOn: [] }, fail(0))).toBeNull();
    expect([0, 1, 2].map((a) => retryDelay({ retries: 3, retryOn: [] }, fail(a)))).toEqual([RETRY_BASE_MS, RETRY_BASE_MS * 2, RETRY_BASE_MS * 4]);
    expect(retryDelay({ retries: 3, retryOn: [] }, fail(3))).toBeNull();
    expect(retryDelay({ retries: 100, retryOn: [] }, fail(20))).toBe(RETRY_MAX_MS);
    expect(retryDelay({ retries: 2, retryOn: [75] }, fail(0, 1))).toBeNull();
    expect(retryDelay({ retries: 2, retryOn: [75] }, fail(0, 75))).toBe(RETRY_BASE_MS);
    expect(retryDelay({ retries: 2, retryOn: [] }, { attempt: 0, exitCode: 1, cancelled: true, timedOut: false })).toBeNull();
    expect(retryDelay({ retries: 2, retryOn: [] }, { attempt: 0, exitCode: null, cancelled: false, timedOut: true })).toBeNull();
    expect(retryDelay({ retries: 2, retryOn: [] }, fail(0, 0))).toBeNull();
  });
});

describe('readUserJobs', () => {
  it('reads [[jobs]] with defaults, and leaves out entries without an id or a command', () => {
    expect(readUserJobs({
      jobs: [
        { id: 'gen', run: ['python3', 'gen.py'], inputs: ['gen.py'], outputs: ['src/gen/table.h'], timeout: '10m', retries: 2, retry_on: [75], env: { A: 'b', N: 1 }, priority: 3, depends_on: ['lint'] },
        { id: 'lint', run: ['true'], cwd: 'tools', timeout: 30 },
        { run: ['no id'] }, { id: 'no-run' }, 'junk',
      ],
    })).toEqual([
      job('gen', { run: ['python3', 'gen.py'], inputs: ['gen.py'], outputs: ['src/gen/table.h'], timeoutMs: 600_000, retries: 2, retryOn: [75], env: { A: 'b' }, priority: 3, dependsOn: ['lint'] }),
      job('lint', { cwd: 'tools', timeoutMs: 30_000 }),
    ]);
    expect(readUserJobs({})).toEqual([]);
  });
});
