/**
 * The native client (bin/jmake → dist/jmake-client): the daemon runs the hot commands for it and
 * relays their output, which must be the Node CLI's byte for byte; anything else it hands to the
 * Node CLI (bin/run.cjs). JMAKE_NATIVE_CLIENT_DEBUG makes it say when it does, so each case checks
 * which client answered.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { createProject, disposeAll, NATIVE_BIN, REPO_ROOT, startDaemonOfVersion, type RunResult, type TestProject } from '../helpers/project.js';
import { runProgram } from '../helpers/build.js';
import { waitFor } from '../helpers/wait.js';
import { VERSION } from '../../src/version.js';

afterEach(disposeAll);

const NATIVE_CLIENT = join(REPO_ROOT, 'dist', 'jmake-client');
const built = existsSync(NATIVE_CLIENT);
const FALLBACK = /^jmake-client: falling back to node: .*\n?/m;

/** Run through bin/jmake, telling on any fallback to the Node CLI. */
function native(p: TestProject, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return p.run(args, { ...options, native: true, env: { ...(options.env ?? p.env), JMAKE_NATIVE_CLIENT_DEBUG: '1' } });
}

/** Durations differ from run to run. */
const timeless = (text: string) => text.replace(/\d+(\.\d+)? ?(ms|s)\b/g, 'T');

function expectNative(r: RunResult): void {
  expect(r.stderr).not.toMatch(FALLBACK);
}

describe.skipIf(!built)(`the native client${built ? '' : ' (skipped: dist/jmake-client was not built; npm run build says why)'}`, () => {
  it('answers build and status itself, printing what the Node CLI prints, from any folder', async () => {
    const p = await createProject('hello');
    // The daemon first (a status does not build), so that the native client finds it.
    expect((await p.run(['status'])).code).toBe(0);
    const dry = await native(p, ['build', '-n']);
    expectNative(dry);
    expect(dry.stdout).toMatch(/^would run compile .*greet\.cpp/m);
    expect(dry).toEqual(await p.run(['build', '-n']));
    const built = await native(p, ['build', '-v'], { cwd: p.path('src') });
    expectNative(built);
    expect(built.code).toBe(0);
    expect(built.stdout).toMatch(/^\[1\/3\] .*\.cpp/m);
    expect(built.stdout).toMatch(/^jmake: 3 jobs in /m);
    expect(await runProgram(p.path('build/bin/hello'))).toBe('hello from jmake');

    const noop = await native(p, ['build']);
    expectNative(noop);
    expect(noop).toEqual({ code: 0, stdout: 'jmake: no work to do', stderr: '' });
    expect(await p.run(['build'])).toEqual(noop);

    // --json, from another folder with -C: one document, the Node CLI's (but for the build's id and durations).
    const strip = (doc: string) => JSON.parse(doc, (key, value) => (key === 'durationMs' || key === 'build' ? 0 : value));
    const viaDir = await native(p, ['-C', p.root, 'build', '--json'], { cwd: tmpdir() });
    expectNative(viaDir);
    expect(strip(viaDir.stdout)).toEqual(strip((await p.run(['build', '--json'])).stdout));

    const status = await native(p, ['status', '--json']);
    expectNative(status);
    const statusDoc = JSON.parse(status.stdout) as { root: string; daemon: { pid: number } };
    expect(statusDoc.root).toBe(p.root);
    expect(statusDoc.daemon.pid).toBe(p.daemonPid());
    const text = await native(p, ['status']);
    expect(text.stdout).toMatch(/^daemon +pid \d+, jmake /);
    expect(p.daemonLog()).toMatch(/ cli build rid=2 ok /);
  });

  it('prints compile errors and notify diagnostics like the Node CLI, with its exit codes', async () => {
    const p = await createProject('broken');
    const node = await p.run(['build']);
    expect(node.code).toBe(1);
    const failed = await native(p, ['build']);
    expectNative(failed);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/main\.c:\d+:\d+: error: /);
    expect(timeless(failed.stdout)).toBe(timeless((await p.run(['build'])).stdout));

    const fromSrc = await native(p, ['notify', 'main.c'], { cwd: p.path('src') });
    expectNative(fromSrc);
    expect(fromSrc.code).toBe(1);
    expect(fromSrc.stdout).toMatch(/^main\.c:\d+:\d+: error: /);
    expect(fromSrc).toEqual(await p.run(['notify', 'main.c'], { cwd: p.path('src') }));
    // From a folder reached through a symbolic link, as a shell reports it ($PWD): paths relative
    // to the same folder as the Node CLI's (the physical one).
    const link = join(p.root, '..', 'src-link');
    symlinkSync(p.path('src'), link);
    const viaLink = { cwd: link, env: { ...p.env, PWD: link } };
    const linked = await native(p, ['notify', 'main.c'], viaLink);
    expectNative(linked);
    expect(linked.stdout).toMatch(/^main\.c:\d+:\d+: error: /);
    expect(linked).toEqual(await p.run(['notify', 'main.c'], viaLink));

    // jmake.toml broken: its error in the error-list format, exit 2, as the Node CLI prints it.
    writeFileSync(p.path('jmake.toml'), `${readFileSync(p.path('jmake.toml'), 'utf8')}\n[compile\n`);
    const config = await native(p, ['notify', 'src/ok.c']);
    expect(config.code).toBe(2);
    expect(config.stdout).toMatch(/^jmake\.toml:\d+:\d+: /);
    expect(config).toEqual({ ...(await p.run(['notify', 'src/ok.c'])), stderr: config.stderr });
  });

  it('hands everything else to the Node CLI: other commands, help, bad flags, no project, no daemon, another version', async () => {
    const p = await createProject('hello');
    // No daemon yet: the Node CLI starts one; the next call is native.
    const first = await native(p, ['build']);
    expect(first.stderr).toMatch(FALLBACK);
    expect(first.code).toBe(0);
    expect(await runProgram(p.path('build/bin/hello'))).toBe('hello from jmake');
    expectNative(await native(p, ['build']));

    for (const args of [['tools', '--json'], ['build', '--help'], ['build', '--bogus']]) {
      const viaNative = await native(p, args);
      expect(viaNative.stderr, args.join(' ')).toMatch(FALLBACK);
      const viaNode = await p.run(args);
      expect({ ...viaNative, stderr: viaNative.stderr.replace(FALLBACK, '') }).toEqual(viaNode);
    }
    const outside = mkdtempSync(join(tmpdir(), 'jmake-no-project-'));
    try {
      const lost = await native(p, ['build'], { cwd: outside });
      expect(lost.stderr).toMatch(FALLBACK);
      expect({ ...lost, stderr: lost.stderr.replace(FALLBACK, '') }).toEqual(await p.run(['build'], { cwd: outside }));
      expect(lost.stderr).toMatch(/no jmake\.toml found/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }

    // A daemon of another version refuses the command: the Node CLI replaces it.
    await p.run(['daemon', 'stop']);
    const other = await startDaemonOfVersion(p, '0.0.1-other');
    const replaced = await native(p, ['build']);
    expect(replaced.stderr).toMatch(FALLBACK);
    expect(replaced.code).toBe(0);
    await waitFor(() => p.daemonPid() !== null && p.daemonPid() !== other.pid, { what: 'the replacement daemon' });
    const status = await p.json<{ daemon: { version: string } }>(['status']);
    expect(status.daemon.version).toBe(VERSION);

    // JMAKE_NATIVE_CLIENT=0: always the Node CLI.
    const forced = await native(p, ['build'], { env: { ...p.env, JMAKE_NATIVE_CLIENT: '0' } });
    expect(forced.stderr).toMatch(FALLBACK);
    expect(forced.stdout).toBe('jmake: no work to do');
  });

  it('talks to no socket outside a private folder of its user (a planted daemon.json); a daemon of its own answers', async () => {
    const p = await createProject('hello');
    const shared = mkdtempSync(join(tmpdir(), 'jmake-planted-'));
    chmodSync(shared, 0o755);
    const socket = join(shared, 'planted.sock');
    const received: string[] = [];
    const server = createServer((c) => c.on('data', (d) => received.push(String(d))));
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      mkdirSync(p.path('.jmake'), { recursive: true });
      writeFileSync(p.path('.jmake/daemon.json'), JSON.stringify({ pid: process.pid, version: VERSION, protocol: 1, instance: 'planted', startedAt: Date.now(), socket, root: p.root }, null, 2));
      const r = await native(p, ['build']);
      expect(r.stderr).toMatch(/falling back to node: .*planted\.sock: its folder is not private/);
      expect(r.code).toBe(0);
      expect(await runProgram(p.path('build/bin/hello'))).toBe('hello from jmake');
      expect(p.daemonPid()).not.toBe(process.pid);
      expect(received).toEqual([]);
    } finally {
      server.close();
      rmSync(shared, { recursive: true, force: true });
    }
  });

  it('Ctrl-C cancels the build, kills the compiler and exits 130', async () => {
    const p = await createProject('broken');
    writeFileSync(p.path('src/main.c'), 'int main(void) { return 0; }\n');
    const script = p.path(`jmake-slow-cc-${process.pid}-${Date.now()}.sh`);
    // Only compiles block: jmake also runs `$CC --version` to identify the compiler.
    writeFileSync(script, '#!/bin/sh\ncase " $* " in *" -c "*) sleep 600 ;; esac\nexec cc "$@"\n');
    chmodSync(script, 0o755);
    const env = { ...p.env, CC: script };
    // The daemon first, so the native client (not the Node CLI it falls back to) runs the build.
    expect((await p.run(['status'], { env })).code).toBe(0);
    const client = execa(NATIVE_BIN, ['build'], { cwd: p.root, env: { ...env, JMAKE_NATIVE_CLIENT_DEBUG: '1' }, extendEnv: false, reject: false });
    const compiling = async () => (await execa('pgrep', ['-f', `${script} .* -c `], { reject: false })).exitCode === 0;
    await waitFor(compiling, { what: 'the slow compiler to start' });
    client.kill('SIGINT');
    const result = await client;
    expect(result.stderr).not.toMatch(FALLBACK);
    expect(result.exitCode).toBe(130);
    expect(result.stdout).toMatch(/jmake: build cancelled after /);
    await waitFor(async () => !(await compiling()), { what: 'the compiler to be killed' });
  });
});
