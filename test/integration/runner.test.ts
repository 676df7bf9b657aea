import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { ProcessRunner, type ProcessRunnerOptions } from '../../src/scheduler/runner.js';
import { waitFor } from '../helpers/wait.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

// Every test runs twice: tools started by execa, and by jmake-spawn (compiled into a private cache).
const xdgCache = mkdtempSync(join(tmpdir(), 'jmake-runner-xdg-'));
const runners: ProcessRunner[] = [];
afterAll(async () => {
  await Promise.all(runners.map((r) => r.close()));
  rmSync(xdgCache, { recursive: true, force: true });
});
const nativeLog: string[] = [];
const variants: [string, Omit<ProcessRunnerOptions, 'tempDir'>][] = [
  ['execa', {}],
  ['jmake-spawn', { native: { env: { ...process.env, XDG_CACHE_HOME: xdgCache }, log: (m) => nativeLog.push(m) } }],
];

const never = new AbortController().signal;
const hasClang = (() => { try { execaSync('clang', ['--version']); return true; } catch { return false; } })();
if (!hasClang) console.warn('skipping the response-file test: clang is not installed (CI installs it)');

describe.each(variants)('ProcessRunner (real processes, tools started by %s)', (variant, options) => {
  const newRunner = (extra: Pick<ProcessRunnerOptions, 'tempDir'> = {}) => {
    const runner = new ProcessRunner({ tempDir: xdgCache, ...options, ...extra });
    runners.push(runner);
    return runner;
  };
  afterEach(() => {
    // The helper must have been built and used, not silently replaced by execa.
    if (variant === 'jmake-spawn') expect(nativeLog).toEqual([]);
  });

  // clang: gcc's driver hands every option to cc1 in one environment variable (COLLECT_GCC_OPTIONS),
  // which the kernel caps at 128 kB however the driver got them.
  it.skipIf(!hasClang)('passes a command line over 100 kB through a response file and renames the output', async () => {
    dir = mkdtempSync(join(tmpdir(), 'jmake-runner-'));
    writeFileSync(join(dir, 'x.c'), 'int x(void) { return DEF_1 + DEF_4999; }\n');
    const defines = Array.from({ length: 5000 }, (_, i) => `-DDEF_${i}=${i}`).concat(Array.from({ length: 3000 }, (_, i) => `-DPADDING_${i}_${'x'.repeat(24)}`));
    expect(defines.join(' ').length).toBeGreaterThan(100_000);
    const out = join(dir, 'x.o');
    const result = await newRunner().run({
      argv: ['clang', ...defines, '-c', 'x.c', '-o', `${out}.jmake-tmp`], cwd: dir, env: process.env,
      outputs: [{ tmp: `${out}.jmake-tmp`, final: out }],
    }, never);
    expect(result).toMatchObject({ exitCode: 0, spawnError: null });
    expect(existsSync(out)).toBe(true);
    expect(existsSync(`${out}.jmake-tmp`)).toBe(false);
    expect(existsSync(`${out}.jmake-tmp.rsp`)).toBe(false);
  });

  it('writes each run\'s own command line into the response file, also when one argument of many changed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'jmake-runner-'));
    // A tool that copies the response file it was given to its output (named on the file's last line).
    const tool = join(dir, 'copy-rsp');
    writeFileSync(tool, '#!/bin/sh\nf="${1#@}"\nout=$(tail -n 1 "$f")\ncp "$f" "$out"\n', { mode: 0o755 });
    const out = join(dir, 'rsp-copy.txt');
    const runner = newRunner();
    const objects = Array.from({ length: 5000 }, (_, i) => `obj/file_${i}_${'x'.repeat(20)}.o`);
    const runWith = async (args: string[]) => {
      const result = await runner.run({ argv: [tool, ...args, `${out}.jmake-tmp`], cwd: dir, env: process.env, outputs: [{ tmp: `${out}.jmake-tmp`, final: out }] }, never);
      expect(result).toMatchObject({ exitCode: 0, spawnError: null });
      expect(readFileSync(out, 'utf8')).toBe([...args, `${out}.jmake-tmp`].join('\n'));
    };
    await runWith(objects);
    await runWith(objects.map((o, i) => (i === 2500 ? 'obj/edited.o' : o)));
    await runWith([...objects]);
    await runWith([...objects]); // the same command line again: the text kept from the last run
  });

  it('reports a tool that does not exist without retrying, and a tool that wrote nothing as a failure', async () => {
    dir = mkdtempSync(join(tmpdir(), 'jmake-runner-'));
    const missing = await newRunner().run({ argv: ['/nonexistent/cc', '-c', 'x.c'], cwd: dir, env: process.env, outputs: [] }, never);
    expect(missing.spawnError).toBe('ENOENT');
    expect(missing.exitCode).toBeNull();
    const out = join(dir, 'never.o');
    const silent = await newRunner().run({ argv: ['true'], cwd: dir, env: process.env, outputs: [{ tmp: `${out}.jmake-tmp`, final: out }] }, never);
    expect(silent.exitCode).toBe(1);
    expect(silent.output).toMatch(/did not write/);
  });

  it('moves the previous output aside, puts the new one in place, then removes the old one; puts it back when the tool wrote nothing', async () => {
    dir = mkdtempSync(join(tmpdir(), 'jmake-runner-'));
    const out = join(dir, 'app');
    // As the builder lays them out: the temp file and the aside in a temp folder beside the output.
    const tmp = join(dir, '.jmake-tmp', 'app');
    const aside = `${tmp}.jmake-old`;
    const spec = (script: string) => ({
      argv: ['sh', '-c', script], cwd: dir, env: process.env, root: dir,
      outputs: [{ tmp, final: out, aside }],
    });
    writeFileSync(out, 'previous');
    const runner = newRunner();
    const replaced = await runner.run(spec(`echo new > '${tmp}'`), never); // the temp folder is made first
    expect(replaced).toMatchObject({ exitCode: 0, spawnError: null });
    expect(readFileSync(out, 'utf8')).toBe('new\n');
    await waitFor(() => !existsSync(aside), { what: 'the previous output to be removed' });
    // A stale aside (a crash between the two renames) is replaced, not trusted or kept.
    writeFileSync(aside, 'stale');
    expect((await runner.run(spec(`echo newer > '${tmp}'`), never)).exitCode).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('newer\n');
    await waitFor(() => !existsSync(aside), { what: 'the stale aside to be removed' });
    // A tool that exits 0 without writing fails, and the output it should have replaced stays.
    const silent = await runner.run(spec('true'), never);
    expect(silent.exitCode).toBe(1);
    expect(silent.output).toMatch(/did not write/);
    expect(readFileSync(out, 'utf8')).toBe('newer\n');
    expect(existsSync(aside)).toBe(false);
  });

  it('refuses a temp folder that is a link out of the project, before the tool runs', async () => {
    dir = mkdtempSync(join(tmpdir(), 'jmake-runner-'));
    const root = join(dir, 'project');
    const outside = join(dir, 'outside');
    mkdirSync(join(root, 'build'), { recursive: true });
    mkdirSync(outside);
    symlinkSync(outside, join(root, 'build', '.jmake-tmp'));
    const tmp = join(root, 'build', '.jmake-tmp', 'a.o');
    const refused = await newRunner().run({
      argv: ['sh', '-c', `echo a > '${tmp}'`], cwd: root, env: process.env, root,
      outputs: [{ tmp, final: join(root, 'build', 'a.o'), aside: `${tmp}.jmake-old` }],
    }, never);
    expect(refused.exitCode).toBe(1);
    expect(refused.output).toMatch(/\.jmake-tmp/);
    expect(readdirSync(outside)).toEqual([]);
    expect(existsSync(join(root, 'build', 'a.o'))).toBe(false);
  });

  it('says when the tool exited 0, before its output is in place (the next job may start then); not when it failed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'jmake-runner-'));
    const out = join(dir, 'a.o');
    const spec = (script: string) => ({ argv: ['sh', '-c', script], cwd: dir, env: process.env, outputs: [{ tmp: `${out}.jmake-tmp`, final: out }] });
    const seen: string[] = [];
    const exited = () => seen.push(existsSync(out) ? 'in place' : existsSync(`${out}.jmake-tmp`) ? 'not yet in place' : 'nothing');
    const runner = newRunner();
    expect((await runner.run(spec(`echo obj > '${out}.jmake-tmp'`), never, exited)).exitCode).toBe(0);
    expect(seen).toEqual(['not yet in place']);
    expect(readFileSync(out, 'utf8')).toBe('obj\n');
    expect((await runner.run(spec(`echo half > '${out}.jmake-tmp'; exit 1`), never, exited)).exitCode).toBe(1);
    expect(seen).toEqual(['not yet in place']);
  });

  it('starts the tool from jmake-spawn when it is on, else from this process', async () => {
    dir = mkdtempSync(join(tmpdir(), 'jmake-runner-'));
    const result = await newRunner().run({ argv: ['sh', '-c', 'echo $PPID'], cwd: dir, env: process.env, outputs: [] }, never);
    const parent = Number(result.output.trim());
    if (variant === 'execa') expect(parent).toBe(process.pid);
    else expect(parent).not.toBe(process.pid);
    expect(parent).toBeGreaterThan(0);
  });

  it('removes what a failed tool half-wrote', async () => {
    dir = mkdtempSync(join(tmpdir(), 'jmake-runner-'));
    const out = join(dir, 'half.o');
    const result = await newRunner().run({
      argv: ['sh', '-c', `echo partial > '${out}.jmake-tmp'; exit 3`], cwd: dir, env: process.env,
      outputs: [{ tmp: `${out}.jmake-tmp`, final: out }],
    }, never);
    expect(result.exitCode).toBe(3);
    expect(existsSync(`${out}.jmake-tmp`)).toBe(false);
    expect(existsSync(out)).toBe(false);
  });

  it('captures stdout and stderr interleaved as written, bounds a flood, and leaves no output file behind once closed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'jmake-runner-'));
    const logs = mkdtempSync(join(dir, 'tmp-'));
    const env = process.env;
    const runner = newRunner({ tempDir: logs });
    const mixed = await runner.run({ argv: ['sh', '-c', 'echo out1; echo err1 >&2; echo out2; printf "err2 ü" >&2; exit 4'], cwd: dir, env, outputs: [] }, never);
    expect(mixed).toMatchObject({ exitCode: 4, output: 'out1\nerr1\nout2\nerr2 ü' });
    const flood = await runner.run({ argv: ['sh', '-c', 'yes jmake | head -c 600000 >&2'], cwd: dir, env, outputs: [] }, never);
    expect(flood.exitCode).toBe(0);
    expect(flood.output.length).toBeLessThan(300 * 1024);
    expect(flood.output.startsWith('jmake\njmake\n')).toBe(true);
    expect(flood.output.endsWith('[output truncated]\n')).toBe(true);
    // The next job's output is its own, not the end of the flood (jmake-spawn reuses the file).
    const small = await runner.run({ argv: ['sh', '-c', 'echo small'], cwd: dir, env, outputs: [] }, never);
    expect(small.output).toBe('small\n');
    // One private folder: execa's files go when each job is done; jmake-spawn keeps one file for
    // the next job; closing the runner removes the folder.
    const folders = readdirSync(logs);
    expect(folders).toEqual([expect.stringMatching(/^jmake-job-output-/)]);
    expect(readdirSync(join(logs, folders[0]!))).toHaveLength(variant === 'jmake-spawn' ? 1 : 0);
    await runner.close();
    expect(readdirSync(logs)).toEqual([]);
  });
});

