/**
 * Where the socket lives and who may use it: a long project path still gets a short socket path;
 * the socket is 0600 in a 0700 directory; another user cannot connect.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { createProject, disposeAll, isAlive } from '../helpers/project.js';

const scratch: string[] = [];
// One hook, in this order: stop the daemons first, then remove the dirs their sockets live in.
afterEach(async () => {
  await disposeAll();
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function readDaemonJson(path: string): { socket: string; pid: number; root: string } {
  return JSON.parse(readFileSync(path, 'utf8')) as { socket: string; pid: number; root: string };
}

/** A fresh temp dir under the system temp dir, removed after the test. */
function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

/** A directory more than `bytes` long (absolute path), made of nested directories. */
function longDirectory(bytes: number): string {
  let dir = scratchDir('jmake-long-');
  for (let i = 0; Buffer.byteLength(dir) <= bytes; i++) dir = join(dir, `nested-directory-level-${i}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('a project with a long path', () => {
  it('works, and its socket path stays within the 107-byte limit', async () => {
    const p = await createProject('hello', { parent: longDirectory(200) });
    expect(Buffer.byteLength(p.root)).toBeGreaterThan(200);
    // createProject puts the runtime dirs next to the project, i.e. under the long path too; a
    // user's XDG_RUNTIME_DIR is short (/run/user/UID). The socket is named by a hash of the root,
    // so the root's length must not matter.
    const runtime = scratchDir('jmake-rt-');
    chmodSync(runtime, 0o700);
    const env = { ...p.env, XDG_RUNTIME_DIR: runtime };

    const status = await p.json(['status'], { env });
    expect(status.root).toBe(p.root);
    expect(isAlive(status.daemon.pid)).toBe(true);
    const record = readDaemonJson(p.path('.jmake/daemon.json'));
    expect(record.pid).toBe(status.daemon.pid);
    expect(record.root).toBe(p.root);
    expect(Buffer.byteLength(record.socket)).toBeLessThanOrEqual(107);
    expect(record.socket.startsWith(join(runtime, 'jmake') + '/')).toBe(true);
    expect(statSync(record.socket).isSocket()).toBe(true);
    // Another client, with the default env, finds the same daemon through daemon.json.
    const again = await p.json(['status']);
    expect(again.daemon.pid).toBe(status.daemon.pid);
  });

  it('refuses clearly, instead of truncating, when the runtime dir itself is too long', async () => {
    const p = await createProject('hello', { parent: longDirectory(200) });
    const result = await p.run(['status', '--json']);
    expect(result.code).not.toBe(0);
    const error = JSON.parse(result.stdout).error;
    expect(error.code).toBe('socket-path-too-long');
    expect(error.message).toMatch(/107/);
    expect(p.daemonPid()).toBeNull();
  });
});

describe('socket permissions', () => {
  it('the socket is 0600 and its directory 0700', async () => {
    const p = await createProject();
    const started = await p.json(['daemon', 'start']);
    const st = statSync(started.socket);
    expect(st.isSocket()).toBe(true);
    expect((st.mode & 0o777).toString(8)).toBe('600');
    expect(st.uid).toBe(process.getuid!());
    const dir = statSync(dirname(started.socket));
    expect(dir.isDirectory()).toBe(true);
    expect((dir.mode & 0o777).toString(8)).toBe('700');
    expect(dirname(started.socket)).toBe(join(p.runtimeDir, 'jmake'));
  });
});

/** How to run a command as user nobody here, or why we cannot. */
function asNobody(): { prefix: string[] } | { reason: string } {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return { reason: 'tests do not run as root' };
  const probe = ['-e', 'process.stdout.write(String(process.getuid()))'];
  const candidates = [
    ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'],
    ['runuser', '-u', 'nobody', '--'],
  ];
  for (const prefix of candidates) {
    const r = spawnSync(prefix[0]!, [...prefix.slice(1), process.execPath, ...probe], { encoding: 'utf8', cwd: '/' });
    if (r.status === 0 && r.stdout !== '' && r.stdout !== '0') return { prefix };
  }
  return { reason: 'neither setpriv nor runuser can run node as nobody' };
}

const nobody = asNobody();
const nobodyReason = 'reason' in nobody ? nobody.reason : '';
if (nobodyReason) console.warn(`socket-security.test.ts: skipping the other-user test: ${nobodyReason}`);

/** Run as nobody: connect, send hello, report what happened as one line of JSON. */
async function connectAsNobody(socket: string): Promise<{ outcome: string; code?: string; data?: string }> {
  if (!('prefix' in nobody)) throw new Error(nobodyReason);
  const hello = `${JSON.stringify({ type: 'request', data: { rid: 1, method: 'hello', params: { protocol: 1, version: '0.0.0', client: 'intruder' } } })}\f`;
  const code = `
    const s = require('node:net').connect(${JSON.stringify(socket)});
    let data = '';
    const done = (r) => { process.stdout.write(JSON.stringify(r)); process.exit(0); };
    s.on('connect', () => { s.write(${JSON.stringify(hello)}); setTimeout(() => done({ outcome: 'connected', data }), 5000); });
    s.on('data', (d) => { data += d; if (data.includes('\\f')) done({ outcome: 'reply', data }); });
    s.on('error', (e) => done({ outcome: 'error', code: e.code }));
  `;
  const [cmd, ...args] = nobody.prefix;
  const result = await execa(cmd!, [...args, process.execPath, '-e', code], { cwd: '/', reject: false, timeout: 30_000 });
  expect(result.stderr).toBe('');
  return JSON.parse(String(result.stdout));
}

describe('another user', () => {
  it.skipIf(nobodyReason !== '')(`cannot connect to the socket (needs root and setpriv or runuser${nobodyReason ? `; skipped: ${nobodyReason}` : ''})`, async () => {
    const p = await createProject();
    const started = await p.json(['daemon', 'start']);

    // As created: the private directories already keep nobody out.
    const blocked = await connectAsNobody(started.socket);
    expect(blocked).toEqual({ outcome: 'error', code: expect.stringMatching(/^(EACCES|ENOENT)$/) });

    // Even with every directory above it traversable, the socket's own mode (0600) refuses.
    const base = dirname(p.root);
    const dirs = [base, p.runtimeDir, dirname(started.socket)];
    const modes = dirs.map((d) => statSync(d).mode & 0o777);
    try {
      for (const d of dirs) chmodSync(d, 0o711);
      const refused = await connectAsNobody(started.socket);
      expect(refused).toEqual({ outcome: 'error', code: 'EACCES' });
    } finally {
      dirs.forEach((d, i) => chmodSync(d, modes[i]!));
    }

    // The owner still gets in, and the daemon is unharmed.
    const status = await p.json(['status']);
    expect(status.daemon.pid).toBe(started.pid);
    expect(p.daemonLog()).not.toMatch(/intruder/);
  });
});

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

describe('a socket directory planted by someone else', () => {
  it.skipIf(!isRoot)(`is never used: another owner or open mode is passed over, and with no safe place left the command refuses${isRoot ? '' : ' (skipped: needs root to chown a directory to nobody)'}`, async () => {
    const p = await createProject();
    const tmp = p.env.TMPDIR!;
    // $XDG_RUNTIME_DIR/jmake pre-created by another user (nobody, uid 65534).
    const planted = join(p.runtimeDir, 'jmake');
    mkdirSync(planted, { mode: 0o700 });
    chownSync(planted, 65534, 65534);
    const started = await p.json(['daemon', 'start']);
    expect(dirname(started.socket)).toBe(join(tmp, `jmake-${process.getuid!()}`));
    expect((await p.run(['daemon', 'stop'])).code).toBe(0);

    // The fallback is unsafe too (world-writable): nothing is started, and the error says why.
    const fallback = join(tmp, `jmake-${process.getuid!()}`);
    chmodSync(fallback, 0o777);
    const refused = await p.run(['status', '--json']);
    expect(refused.code).toBe(1);
    const error = JSON.parse(refused.stdout).error;
    expect(error.code).toBe('unsafe-runtime-dir');
    expect(error.message).toContain(`${planted} is owned by uid 65534`);
    expect(error.message).toContain(`${fallback} has mode 777, expected 700`);
    expect(readdirSync(planted)).toEqual([]);
  });
});
