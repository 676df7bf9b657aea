import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProject, disposeAll, isAlive, BIN, REPO_ROOT, startDaemonOfVersion } from '../helpers/project.js';
import { waitFor } from '../helpers/wait.js';
import { execa } from 'execa';
import { DAEMON_NODE_FLAGS } from '../../src/daemon/node-flags.js';

afterEach(disposeAll);

describe('daemon lifecycle', () => {
  it('starts, reports status and stops', async () => {
    const p = await createProject();
    expect(await p.json(['daemon', 'status'])).toEqual({ running: false });

    const started = await p.json(['daemon', 'start']);
    expect(started).toMatchObject({ running: true, started: true });
    expect(isAlive(started.pid)).toBe(true);

    const status = await p.json(['daemon', 'status']);
    expect(status).toMatchObject({ running: true, pid: started.pid, version: expect.any(String) });
    expect(status.socket).toMatch(/\.sock$/);

    const again = await p.json(['daemon', 'start']);
    expect(again).toMatchObject({ started: false, pid: started.pid });

    const stopped = await p.json(['daemon', 'stop']);
    expect(stopped).toEqual({ stopped: true, pid: started.pid });
    expect(isAlive(started.pid)).toBe(false);
    expect(existsSync(p.path('.jmake/daemon.json'))).toBe(false);
    expect(existsSync(status.socket)).toBe(false);
    expect(await p.json(['daemon', 'status'])).toEqual({ running: false });
  });

  it('auto-starts the daemon for status and answers with the documented fields', async () => {
    const p = await createProject();
    const status = await p.json(['status']);
    expect(status.daemon).toMatchObject({ pid: expect.any(Number), version: expect.any(String), uptimeMs: expect.any(Number), instance: expect.any(String) });
    expect(status.root).toBe(p.root);
    expect(status.files.tracked).toBeGreaterThanOrEqual(0);
    expect(status.events.lastSeq).toBeGreaterThan(0);
    expect(typeof status.watcher.ready).toBe('boolean');
    const ready = await waitFor(async () => {
      const s = await p.json(['status']);
      return s.watcher.ready ? s : null;
    }, { what: 'the initial scan' });
    expect(ready.files.tracked).toBe(4); // jmake.toml and three sources
    expect(ready.daemon.pid).toBe(status.daemon.pid);
  });

  it('runs the daemon with its node flags and gc exposed, and collects the young generation once a build is over', async () => {
    // The flags spawnDaemon passes (daemon/node-flags.ts): without --expose-gc nothing is collected.
    const p = await createProject('hello');
    const built = await p.run(['build']);
    expect(built.code).toBe(0);
    expect(p.daemonLog()).toContain(`(node ${process.version} ${DAEMON_NODE_FLAGS.join(' ')})`);
    await waitFor(() => /minor collection while idle: [\d.]+ ms/.test(p.daemonLog()), { what: 'the idle collection after the build' });
  });

  it('ten concurrent starts give exactly one daemon', async () => {
    const p = await createProject();
    const results = await Promise.all(Array.from({ length: 10 }, () => p.json(['daemon', 'start'])));
    const pids = new Set(results.map((r) => r.pid));
    expect(pids.size).toBe(1);
    expect(results.filter((r) => r.started).length).toBeLessThanOrEqual(1);
    const [pid] = [...pids];
    const log = p.daemonLog();
    expect(log.match(/listening on/g)?.length).toBe(1);
    expect(isAlive(pid!)).toBe(true);
  });

  it('recovers by itself after kill -9 (stale socket and daemon.json)', async () => {
    const p = await createProject();
    const first = await p.json(['daemon', 'start']);
    process.kill(first.pid, 'SIGKILL');
    await waitFor(() => !isAlive(first.pid), { what: 'the killed daemon to be gone' });
    expect(existsSync(p.path('.jmake/daemon.json'))).toBe(true);
    expect(existsSync(first.socket)).toBe(true);

    const status = await p.json(['status']);
    expect(status.daemon.pid).not.toBe(first.pid);
    expect(isAlive(status.daemon.pid)).toBe(true);
  });

  it('keeps its tools\' output files in .jmake/job-output; a daemon killed mid-life leaves them to the next one, which removes them', async () => {
    const p = await createProject('hello');
    expect((await p.run(['build'])).code).toBe(0);
    const jobOutput = p.path('.jmake/job-output');
    const [killedOnes] = readdirSync(jobOutput);
    expect(killedOnes).toMatch(/^jmake-job-output-/);
    const first = await p.json(['status']);
    process.kill(first.daemon.pid, 'SIGKILL');
    await waitFor(() => !isAlive(first.daemon.pid), { what: 'the killed daemon to be gone' });
    expect(existsSync(join(jobOutput, killedOnes!))).toBe(true);

    expect((await p.run(['build', '--force'])).code).toBe(0);
    const now = readdirSync(jobOutput);
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(killedOnes);
    // Stopped cleanly, a daemon removes its own.
    await p.json(['daemon', 'stop']);
    expect(readdirSync(jobOutput)).toEqual([]);
  });

  it('a command that reaches a daemon while it stops waits for it to exit and goes to the next daemon', async () => {
    const p = await createProject('hello');
    // A stand-in for a daemon in the middle of stopping (a large one takes a while, writing its
    // snapshot): it answers hello, refuses the build with daemon-stopping, and exits 0.5 s later.
    const daemonJson = p.path('.jmake/daemon.json');
    mkdirSync(p.path('.jmake'), { recursive: true });
    const socket = join(p.runtimeDir, 'stopping.sock');
    const script = `
      const net = require('node:net'); const fs = require('node:fs');
      const [socket, root, daemonJson, version] = process.argv.slice(1);
      const server = net.createServer((c) => {
        let buffered = '';
        c.on('data', (chunk) => {
          buffered += chunk;
          for (let at = buffered.indexOf('\f'); at >= 0; at = buffered.indexOf('\f')) {
            const { rid, method } = JSON.parse(buffered.slice(0, at)).data;
            buffered = buffered.slice(at + 1);
            const reply = method === 'hello'
              ? { rid, ok: true, result: { protocol: 1, version, pid: process.pid, instance: 'stopping', root, lastSeq: 0, busy: false, compatible: true } }
              : { rid, ok: false, error: { code: 'daemon-stopping', message: 'the daemon is stopping' } };
            c.write(JSON.stringify({ type: 'reply', data: reply }) + '\f');
            if (method !== 'hello') setTimeout(() => { fs.rmSync(daemonJson, { force: true }); process.exit(0); }, 500);
          }
        });
      });
      server.listen(socket, () => fs.writeFileSync(daemonJson, JSON.stringify({ pid: process.pid, socket, version, protocol: 1, instance: 'stopping', startedAt: Date.now(), root })));`;
    const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const stopping = execa(process.execPath, ['-e', script, socket, p.root, daemonJson, version], { reject: false });
    await waitFor(() => existsSync(daemonJson), { what: 'the stand-in daemon to listen' });

    const built = await p.run(['build']);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toMatch(/jmake: \d+ jobs? .*in/);
    expect((await stopping).exitCode).toBe(0);
    const status = await p.json(['status']);
    expect(status.daemon.pid).not.toBe(stopping.pid);
    expect(isAlive(status.daemon.pid)).toBe(true);
  });

  it('stops on SIGTERM: records daemon-stopped, removes its socket and daemon.json', async () => {
    const p = await createProject();
    const d = await p.json(['daemon', 'start']);
    process.kill(d.pid, 'SIGTERM');
    await waitFor(() => !isAlive(d.pid), { what: 'the daemon to exit on SIGTERM' });
    expect(existsSync(d.socket)).toBe(false);
    expect(existsSync(p.path('.jmake/daemon.json'))).toBe(false);
    const events = await p.json(['events', '--type', 'daemon-stopped']);
    expect(events).toHaveLength(1);
    expect(events[0].data).toMatchObject({ pid: d.pid, reason: 'SIGTERM' });
  });

  it('exits after the idle timeout', async () => {
    const p = await createProject();
    const toml = readFileSync(p.path('jmake.toml'), 'utf8');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(p.path('jmake.toml'), `${toml}\n[daemon]\nidle_timeout = "1s"\n`);
    const d = await p.json(['daemon', 'start']);
    await waitFor(() => !isAlive(d.pid), { what: 'the idle daemon to exit', timeoutMs: 15_000 });
    expect(p.daemonLog()).toMatch(/stopping: idle for 1000ms/);
  });

  it('restart replaces the daemon', async () => {
    const p = await createProject();
    const d = await p.json(['daemon', 'start']);
    const r = await p.json(['daemon', 'restart']);
    expect(r.previousPid).toBe(d.pid);
    expect(r.pid).not.toBe(d.pid);
    expect(isAlive(d.pid)).toBe(false);
  });

  it('replaces an idle daemon of another version', async () => {
    const p = await createProject();
    const old = await startDaemonOfVersion(p, '0.0.1-old');
    expect(isAlive(old.pid)).toBe(true);
    const status = await p.json(['status']);
    expect(status.daemon.pid).not.toBe(old.pid);
    expect(status.daemon.version).not.toBe('0.0.1-old');
    expect(isAlive(old.pid)).toBe(false);
  });

  it('lists every daemon of the user and stops them all', async () => {
    const a = await createProject();
    const b = await createProject();
    // Same runtime dir for both, as for one user's shell.
    const env = { ...a.env };
    const da = await a.json(['daemon', 'start'], { env });
    const db = await b.json(['daemon', 'start'], { env });
    const list = await a.json(['daemon', 'list'], { env });
    expect(list.map((d: { pid: number }) => d.pid).sort()).toEqual([da.pid, db.pid].sort());
    expect(list.map((d: { root: string }) => d.root).sort()).toEqual([a.root, b.root].sort());
    const stopped = await a.json(['daemon', 'stop', '--all'], { env });
    expect(stopped.stopped).toHaveLength(2);
    expect(isAlive(da.pid) || isAlive(db.pid)).toBe(false);
    expect(await a.json(['daemon', 'list'], { env })).toEqual([]);
  });
});

describe('outside a project', () => {
  it('says so with exit 2, as text and as JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jmake-noproject-'));
    try {
      const human = await execa(process.execPath, [BIN, 'status'], { cwd: dir, reject: false });
      expect(human.exitCode).toBe(2);
      expect(human.stderr).toMatch(/no jmake\.toml found/);
      const json = await execa(process.execPath, [BIN, 'daemon', 'status', '--json'], { cwd: dir, reject: false });
      expect(json.exitCode).toBe(2);
      expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'not-in-project', message: expect.stringMatching(/no jmake\.toml/), hint: expect.any(String) } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
