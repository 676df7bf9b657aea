import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helperBinary, NativeSpawn, resolveExecutable, type NativeOutcome } from '../../src/scheduler/native-spawn.js';
import { ProcessRunner, type CommandRunner } from '../../src/scheduler/runner.js';
import { createProject, disposeAll } from '../helpers/project.js';
import { waitFor } from '../helpers/wait.js';

// jmake-spawn (src/scheduler/native/jmake-spawn.c) against real processes. Each test gets its own
// cache folder, so the helper is compiled here, with this machine's C compiler.
const base = mkdtempSync(join(tmpdir(), 'jmake-native-spawn-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let count = 0;
const never = new AbortController().signal;

function fresh(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = join(base, `t${++count}`);
  mkdirSync(join(dir, 'cache'), { recursive: true });
  return { dir, env: { ...process.env, XDG_CACHE_HOME: join(dir, 'cache') } };
}

async function open(env: NodeJS.ProcessEnv): Promise<NativeSpawn> {
  const opened = await NativeSpawn.open(env);
  if (!(opened instanceof NativeSpawn)) throw new Error(`jmake-spawn did not open: ${opened.reason}`);
  return opened;
}

afterEach(disposeAll);

/** Pids of the running children of `parent` whose executable's name starts with `prefix` (Linux /proc). */
function childrenRunning(parent: number, prefix: string): { pid: number; exe: string }[] {
  const found: { pid: number; exe: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const exe = readlinkSync(`/proc/${entry}/exe`);
      if (ppid === parent && exe.split('/').pop()!.startsWith(prefix)) found.push({ pid: Number(entry), exe });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('jmake-spawn', () => {
  it('is compiled once into the cache folder and reused by the next daemon', async () => {
    const { env } = fresh();
    const first = await helperBinary(env);
    expect(first).toHaveProperty('path');
    const path = (first as { path: string }).path;
    expect(path.startsWith(join(env.XDG_CACHE_HOME!, 'jmake', 'bin', 'jmake-spawn-'))).toBe(true);
    const built = statSync(path).mtimeMs;
    const second = await helperBinary(env);
    expect(second).toEqual({ path });
    expect(statSync(path).mtimeMs).toBe(built);
    expect(readdirSync(join(env.XDG_CACHE_HOME!, 'jmake', 'bin'))).toHaveLength(1); // no temp file left
  });

  it('runs the exact argv in the given folder with exactly the given environment, stdin empty, stdout and stderr in one file', async () => {
    const { dir, env } = fresh();
    const spawn = await open(env);
    const out = join(dir, 'out.log');
    const script = 'pwd; echo "[$1] [$2]"; echo "only=${ONLY-unset} home=${HOME-unset}"; cat; echo err >&2; exit 7';
    const outcome = await spawn.run('/bin/sh', ['-c', script, 'sh', 'a b', "it's \"quoted\" $x"], dir, { ONLY: 'yes', PATH: '/usr/bin:/bin' }, out, never);
    spawn.close();
    expect(outcome).toEqual({ kind: 'exited', code: 7 });
    expect(readFileSync(out, 'utf8')).toBe(`${dir}\n[a b] [it's "quoted" $x]\nonly=yes home=unset\nerr\n`);
  });

  it('finds a bare name in the job\'s own PATH, as execa does, and reports a missing tool as ENOENT', async () => {
    const { dir, env } = fresh();
    const bin = join(dir, 'tools');
    mkdirSync(bin);
    writeFileSync(join(bin, 'my-cc'), '#!/bin/sh\necho "my-cc $@"\n');
    chmodSync(join(bin, 'my-cc'), 0o755);
    expect(resolveExecutable('my-cc', dir, `/nonexistent:${bin}`)).toBe(join(bin, 'my-cc'));
    expect(resolveExecutable('my-cc', dir, '/usr/bin')).toBeNull();
    expect(resolveExecutable('./tools/my-cc', dir, '')).toBe('./tools/my-cc');
    const spawn = await open(env);
    const out = join(dir, 'out.log');
    expect(await spawn.run('my-cc', ['-c', 'x.c'], dir, { PATH: `${bin}:/usr/bin:/bin` }, out, never)).toEqual({ kind: 'exited', code: 0 });
    expect(readFileSync(out, 'utf8')).toBe('my-cc -c x.c\n');
    expect(await spawn.run('./tools/my-cc', ['rel'], dir, { PATH: '/usr/bin:/bin' }, out, never)).toEqual({ kind: 'exited', code: 0 });
    expect(await spawn.run('my-cc', [], dir, { PATH: '/usr/bin:/bin' }, out, never)).toEqual({ kind: 'spawn-error', code: 'ENOENT' });
    expect(await spawn.run('/nonexistent/cc', [], dir, env, out, never)).toEqual({ kind: 'spawn-error', code: 'ENOENT' });
    writeFileSync(join(bin, 'not-executable'), '#!/bin/sh\n');
    expect(await spawn.run(join(bin, 'not-executable'), [], dir, env, out, never)).toEqual({ kind: 'spawn-error', code: 'EACCES' });
    spawn.close();
  });

  it('reports a tool killed by a signal', async () => {
    const { dir, env } = fresh();
    const spawn = await open(env);
    const outcome = await spawn.run('/bin/sh', ['-c', 'kill -SEGV $$'], dir, env, join(dir, 'out.log'), never);
    spawn.close();
    expect(outcome).toEqual({ kind: 'signalled', signal: 'SIGSEGV' });
  });

  it('cancelling kills the tool\'s whole process group, its children included', async () => {
    const { dir, env } = fresh();
    const spawn = await open(env);
    const pidFile = join(dir, 'grandchild.pid');
    const controller = new AbortController();
    const running = spawn.run('/bin/sh', ['-c', `sleep 60 & echo $! > '${pidFile}'; wait`], dir, env, join(dir, 'out.log'), controller.signal);
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', { timeoutMs: 10_000, what: 'the grandchild to start' });
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(grandchild)).toBe(true);
    controller.abort();
    const outcome: NativeOutcome = await running;
    expect(outcome).toEqual({ kind: 'signalled', signal: 'SIGTERM' });
    await waitFor(() => !alive(grandchild), { timeoutMs: 10_000, what: 'the grandchild to die' });
    spawn.close();
  });

  it('runs many jobs at once and matches each exit to its job', async () => {
    const { dir, env } = fresh();
    const spawn = await open(env);
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) =>
      spawn.run('/bin/sh', ['-c', `sleep 0.0${i % 10}; echo job ${i}; exit ${i}`], dir, env, join(dir, `out-${i}.log`), new AbortController().signal)));
    spawn.close();
    outcomes.forEach((outcome, i) => {
      expect(outcome).toEqual({ kind: 'exited', code: i });
      expect(readFileSync(join(dir, `out-${i}.log`), 'utf8')).toBe(`job ${i}\n`);
    });
  });

  it('when it dies, the job it ran is killed and run again with execa, and so are later jobs', async () => {
    const { dir, env } = fresh();
    const logged: string[] = [];
    const runner = new ProcessRunner({ tempDir: dir, native: { env, log: (m) => logged.push(m) } });
    const first = await runner.run({ argv: ['sh', '-c', 'echo $PPID'], cwd: dir, env, outputs: [] }, never);
    const helper = Number(first.output.trim());
    expect(helper).not.toBe(process.pid);
    const pidFile = join(dir, 'job.pid');
    const marker = join(dir, 'ran-once');
    const script = `if [ -e '${marker}' ]; then echo "again from $PPID"; exit 0; fi; touch '${marker}'; echo $$ > '${pidFile}'; exec sleep 30`;
    const pending = runner.run({ argv: ['sh', '-c', script], cwd: dir, env, outputs: [] }, never);
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', { timeoutMs: 10_000, what: 'the job to start' });
    process.kill(helper, 'SIGKILL');
    expect(await pending).toMatchObject({ spawnError: null, exitCode: 0, output: `again from ${process.pid}\n` });
    // Its job does not outlive it: the runner killed the job's group.
    const job = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => !alive(job), { timeoutMs: 10_000, what: 'the orphaned job to be killed' });
    await waitFor(async () => {
      const next = await runner.run({ argv: ['sh', '-c', 'echo $PPID'], cwd: dir, env, outputs: [] }, never);
      return next.exitCode === 0 && Number(next.output.trim()) === process.pid;
    }, { timeoutMs: 10_000, what: 'a job started by execa after the helper died' });
    expect(logged).toEqual([]);
    await runner.close();
  });

  it('with a fallback runner (the daemon\'s spawner process), what it cannot run goes there instead of to execa', async () => {
    const { dir, env } = fresh();
    const handed: string[][] = [];
    const fallback: CommandRunner = {
      run: async (spec) => {
        handed.push([...spec.argv]);
        return { exitCode: 0, signal: null, output: 'from the fallback\n', durationMs: 0, spawnError: null, cancelled: false };
      },
    };
    // Off: every job goes to the fallback, and the log says so once.
    const logged: string[] = [];
    const off = new ProcessRunner({ tempDir: dir, native: { env: { ...env, JMAKE_NATIVE_SPAWN: '0' }, log: (m) => logged.push(m), fallback } });
    expect((await off.run({ argv: ['true'], cwd: dir, env, outputs: [] }, never)).output).toBe('from the fallback\n');
    expect((await off.run({ argv: ['false'], cwd: dir, env, outputs: [] }, never)).output).toBe('from the fallback\n');
    expect(handed).toEqual([['true'], ['false']]);
    expect(logged).toEqual(['tools are started by the spawner process: JMAKE_NATIVE_SPAWN=0']);

    // On: jobs run through the helper; one it dies under is killed and handed over, with its
    // half-written output removed, and so is every later job.
    handed.length = 0;
    const on = new ProcessRunner({ tempDir: dir, native: { env, log: (m) => logged.push(m), fallback } });
    const first = await on.run({ argv: ['sh', '-c', 'echo $PPID'], cwd: dir, env, outputs: [] }, never);
    const helper = Number(first.output.trim());
    expect(helper).not.toBe(process.pid);
    const pidFile = join(dir, 'job.pid');
    const tmp = join(dir, 'out.o.tmp');
    const script = `echo partial > '${tmp}'; echo $$ > '${pidFile}'; exec sleep 30`;
    const pending = on.run({ argv: ['sh', '-c', script], cwd: dir, env, outputs: [{ tmp, final: join(dir, 'out.o') }] }, never);
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', { timeoutMs: 10_000, what: 'the job to start' });
    process.kill(helper, 'SIGKILL');
    expect(await pending).toMatchObject({ exitCode: 0, output: 'from the fallback\n' });
    expect(handed).toEqual([['sh', '-c', script]]);
    expect(existsSync(tmp)).toBe(false);
    const job = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => !alive(job), { timeoutMs: 10_000, what: 'the orphaned job to be killed' });
    expect((await on.run({ argv: ['true'], cwd: dir, env, outputs: [] }, never)).output).toBe('from the fallback\n');
    expect(handed).toHaveLength(2);
    await on.close();
  });

  it('is opened by warm() before any job asks, and the first job runs through that helper', async () => {
    const { dir, env } = fresh();
    const runner = new ProcessRunner({ tempDir: dir, native: { env, log: () => undefined } });
    runner.warm();
    const cacheBin = join(env.XDG_CACHE_HOME!, 'jmake', 'bin', 'jmake-spawn-');
    const helpers = await waitFor(() => {
      const found = childrenRunning(process.pid, 'jmake-spawn-').filter((c) => c.exe.startsWith(cacheBin));
      return found.length > 0 ? found : null;
    }, { what: 'the warmed jmake-spawn to run', timeoutMs: 30_000 });
    expect(helpers).toHaveLength(1);
    const ran = await runner.run({ argv: ['sh', '-c', 'echo $PPID'], cwd: dir, env, outputs: [] }, never);
    expect(ran.exitCode).toBe(0);
    expect(Number(ran.output.trim())).toBe(helpers[0]!.pid);
    await runner.close();
  });

  it('is started by a daemon once it is ready, before its first build', async () => {
    const p = await createProject('hello');
    expect((await p.run(['status'])).code).toBe(0);
    const pid = p.daemonPid()!;
    await waitFor(() => childrenRunning(pid, 'jmake-spawn-').length === 1, { what: `a jmake-spawn child of daemon ${pid}`, timeoutMs: 30_000 });
    const built = await p.json(['build']);
    expect(built.ok).toBe(true);
    expect(built.jobsRun).toBeGreaterThanOrEqual(2); // a compile and a link at least
    expect(childrenRunning(pid, 'jmake-spawn-')).toHaveLength(1);
    expect(p.daemonLog()).not.toMatch(/tools are started by/);
  });

  it('is not used with JMAKE_NATIVE_SPAWN=0, nor when no C compiler can build it, and says why', async () => {
    const { dir, env } = fresh();
    expect(await NativeSpawn.open({ ...env, JMAKE_NATIVE_SPAWN: '0' })).toEqual({ reason: 'JMAKE_NATIVE_SPAWN=0' });
    const noCompiler = await NativeSpawn.open({ ...env, PATH: join(dir, 'empty'), CC: '' });
    expect(noCompiler).toHaveProperty('reason');
    expect((noCompiler as { reason: string }).reason).toMatch(/cannot compile .*jmake-spawn\.c: cc: ENOENT; gcc: ENOENT; clang: ENOENT/);
    const logged: string[] = [];
    const runner = new ProcessRunner({ tempDir: dir, native: { env: { ...env, JMAKE_NATIVE_SPAWN: '0' }, log: (m) => logged.push(m) } });
    const ran = await runner.run({ argv: ['sh', '-c', 'echo $PPID'], cwd: dir, env, outputs: [] }, never);
    expect(Number(ran.output.trim())).toBe(process.pid);
    expect(logged).toEqual(['tools are started with execa: JMAKE_NATIVE_SPAWN=0']);
  });
});
