import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { execa } from 'execa';
import { BIN, createProject, disposeAll, startDaemonOfVersion, type TestProject } from '../helpers/project.js';
import { events } from '../helpers/events.js';
import { waitFor } from '../helpers/wait.js';

afterEach(disposeAll);

/** A C project whose compiler (CC) is a script whose compiles block until they are killed. */
async function slowProject(): Promise<{ p: TestProject; marker: string }> {
  const p = await createProject('broken');
  writeFileSync(p.path('src/main.c'), 'int main(void) { return 0; }\n');
  const marker = `jmake-slow-cc-${process.pid}-${Date.now()}`;
  const script = p.path(`${marker}.sh`);
  // Only compiles block: jmake also runs `$CC --version` to identify the compiler.
  writeFileSync(script, `#!/bin/sh\n# ${marker}\ncase " $* " in *" -c "*) sleep 600 ;; esac\nexec cc "$@"\n`);
  chmodSync(script, 0o755);
  return { p, marker: script };
}

async function running(pattern: string): Promise<boolean> {
  const r = await execa('pgrep', ['-f', pattern], { reject: false });
  return r.exitCode === 0;
}

/** A compile by the slow compiler (not its `--version` probe, which comes and goes). */
const compiling = (marker: string) => `${marker} .* -c `;

describe('cancelling a build', () => {
  it('Ctrl-C cancels the running jobs, kills their children and exits 130', async () => {
    const { p, marker } = await slowProject();
    const client = execa(process.execPath, [BIN, 'build', '-j', '2'], { cwd: p.root, env: { ...p.env, CC: marker }, extendEnv: false, reject: false });
    await waitFor(() => running(compiling(marker)), { what: 'the slow compiler to start' });
    await waitFor(async () => (await events(p, ['--type', 'job-started'])).length > 0, { what: 'a job-started event' });
    client.kill('SIGINT');
    const result = await client;
    expect(result.exitCode).toBe(130);
    await waitFor(async () => !(await running(marker)), { what: 'the compiler and its children to be killed' });
    const finished = await waitFor(async () => (await events(p, ['--type', 'build-finished'])).at(-1), { what: 'build-finished' });
    expect(finished.data).toMatchObject({ ok: false, cancelled: true });
  });

  it('a daemon of another version that is building is left alone, and the client says so', async () => {
    const { p, marker } = await slowProject();
    const old = await startDaemonOfVersion(p, '0.0.1-old');
    // A client of that old version asks it to build (with the blocking compiler).
    const socket = connect(old.socket);
    await new Promise((resolve) => socket.once('connect', resolve));
    const frame = (rid: number, method: string, params: object) => `${JSON.stringify({ type: 'request', data: { rid, method, params } })}\f`;
    socket.write(frame(1, 'hello', { protocol: 1, version: '0.0.1-old' }) + frame(2, 'build', { env: { CC: marker } }));
    await waitFor(() => running(compiling(marker)), { what: 'the old daemon to be building' });

    const status = await p.run(['status', '--json']);
    expect(status.code).toBe(1);
    expect(JSON.parse(status.stdout).error).toMatchObject({ code: 'version-mismatch-busy' });
    expect((await p.json(['daemon', 'status'])).pid).toBe(old.pid);
    socket.destroy(); // the build's client went away: the daemon cancels it
    await waitFor(async () => !(await running(marker)), { what: 'the abandoned build to be cancelled' });
  });

  it('a jmake-spawn that dies has its jobs run again by the spawner process; a spawner that dies fails its jobs; the next build starts afresh', async () => {
    const { p, marker } = await slowProject();
    const client = execa(process.execPath, [BIN, 'build', '--json'], { cwd: p.root, env: { ...p.env, CC: marker }, extendEnv: false, reject: false });
    const parentOf = (pid: number) => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    };
    const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const compilers = async () => (await execa('pgrep', ['-f', compiling(marker)], { reject: false })).stdout.trim().split('\n').filter(Boolean).map(Number);
    await waitFor(async () => (await compilers()).length > 0, { what: 'the slow compiler to start' });
    // The compiler's parent is jmake-spawn (posix_spawn), driven by the daemon itself.
    const [compiler] = await compilers();
    const helperPid = parentOf(compiler!);
    expect(cmdline(helperPid)).toMatch(/jmake-spawn-/);
    expect(cmdline(parentOf(helperPid))).toMatch(/^jmake-daemon/); // the daemon sets its process title
    process.kill(helperPid, 'SIGKILL');
    // Its job is killed and started again, now from the spawner process (through its own jmake-spawn).
    // A compile of the dead helper may still be alive for a moment, adopted by init (whose parent
    // is 0, which /proc does not have): it is not the one looked for, and must not stop the look.
    const underSpawner = (pid: number) => {
      try {
        return /spawner\.js/.test(cmdline(parentOf(parentOf(pid))));
      } catch {
        return false;
      }
    };
    const again = await waitFor(async () => (await compilers()).find((pid) => pid !== compiler && underSpawner(pid)),
      { what: 'the compile to run again under the spawner' });
    await waitFor(async () => !(await compilers()).includes(compiler!), { what: 'the first compile to be killed' });
    process.kill(parentOf(parentOf(again!)), 'SIGKILL');
    const result = await client;
    expect(result.exitCode).toBe(1);
    const failed = JSON.parse(result.stdout).jobs.filter((j: { status: string }) => j.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0].log).toMatch(/spawner process died/);
    await execa('pkill', ['-f', marker], { reject: false });
    const next = await p.run(['build', '--json']);
    expect(JSON.parse(next.stdout).ok).toBe(true);
  });
});
