/**
 * [compile] launcher: every compile goes through it (a wrapper script that logs its arguments, and
 * a real ccache when installed), links do not, compile_commands.json shows the compiler alone, and
 * turning it on rebuilds nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execa, execaSync } from 'execa';
import { createProject, disposeAll } from '../helpers/project.js';

afterEach(disposeAll);

function ccacheProblem(): string | null {
  try {
    execaSync('ccache', ['--version']);
    return null;
  } catch {
    return 'ccache is not installed (.ci/run installs it)';
  }
}
const noCcache = ccacheProblem();
if (noCcache) console.warn(`skipping the ccache test: ${noCcache}`);

interface Job { id: string; kind: string; status: string }

/** `launcher = [command]` in the existing [compile] table. */
function addLauncher(config: string, command: string): void {
  const text = readFileSync(config, 'utf8');
  if (!text.includes('[compile]\n')) throw new Error(`no [compile] table in ${config}`);
  writeFileSync(config, text.replace('[compile]\n', `[compile]\nlauncher = ["${command}"]\n`));
}

describe('[compile] launcher', () => {
  it('runs every compile through the launcher, not links; compile_commands.json shows the compiler; no rebuild when it is turned on', async () => {
    const p = await createProject('multi');
    const first = await p.json(['build']);
    expect(first.ok).toBe(true);

    mkdirSync(p.path('tools'));
    const log = p.path('launcher.log');
    writeFileSync(p.path('tools/wrap.sh'), `#!/bin/sh\nprintf '%s\\n' "$*" >> "${log}"\nexec "$@"\n`);
    chmodSync(p.path('tools/wrap.sh'), 0o755);
    addLauncher(p.path('jmake.toml'), './tools/wrap.sh');

    // Not part of the key: everything is still up to date.
    const noop = await p.json(['build']);
    expect(noop).toMatchObject({ ok: true, jobsRun: 0 });

    const forced = await p.json(['build', '--force', '--no-cache']);
    expect(forced.ok).toBe(true);
    const compiles = forced.jobs.filter((j: Job) => j.kind === 'compile');
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(compiles.length);
    const compdb = JSON.parse(readFileSync(p.path('compile_commands.json'), 'utf8')) as { arguments: string[] }[];
    const compilers = new Set(compdb.map((e) => e.arguments[0]));
    for (const line of lines) expect(compilers.has(line.split(' ')[0]!)).toBe(true);
    expect(lines.every((l) => / -c /.test(l))).toBe(true); // compiles only: the link did not go through it
    expect(compdb.every((e) => !e.arguments.some((a) => a.includes('wrap.sh')))).toBe(true);
    expect((await execa(p.path('build/bin/multi'))).exitCode).toBe(0);
  });

  it.skipIf(noCcache !== null)('works with a real ccache: the second compile of the same source is a ccache hit', async () => {
    const p = await createProject('hello');
    appendFileSync(p.path('jmake.toml'), '\n[cache]\nenabled = false\n'); // jmake's own cache would hide ccache
    addLauncher(p.path('jmake.toml'), 'ccache');
    const env = { ...p.env, CCACHE_DIR: p.path('.ccache-test'), CCACHE_NOHASHDIR: '1' };
    // The daemon's environment is the one a job gets: start it with CCACHE_DIR set.
    expect((await p.run(['daemon', 'start'], { env })).code).toBe(0);
    expect((await p.json(['build'])).ok).toBe(true);
    await p.run(['clean']);
    expect((await p.json(['build'])).ok).toBe(true);
    const stats = (await execa('ccache', ['--print-stats'], { env })).stdout;
    const count = (name: string) => Number(new RegExp(`^${name}\\t(\\d+)$`, 'm').exec(stats)?.[1] ?? 0);
    expect(count('direct_cache_hit') + count('preprocessed_cache_hit')).toBe(2);
    expect(count('cache_miss')).toBe(2);
    expect((await execa(p.path('build/bin/hello'))).stdout).toBe('hello from jmake');
  });
});
