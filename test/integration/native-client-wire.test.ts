/**
 * The native client (dist/jmake-client) on the wire, against a fake daemon: a Unix socket server in
 * this process that records what the client sends and answers as each test scripts it. A real
 * daemon cannot be made to cut frames at a chosen byte, refuse, or hang up on cue; this one can.
 * The protocol is the one in the header of src/client/native/jmake-client.c.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/project.js';
import { waitFor } from '../helpers/wait.js';

const CLIENT = join(REPO_ROOT, 'dist', 'jmake-client');
const built = existsSync(CLIENT);
/** The version scripts/build-native-client.mjs baked into the client, from package.json. */
const { version: VERSION } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
/** The client finds its package from its real path (/proc/self/exe), so the fallback runs this. */
const RUN_CJS = join(realpathSync(REPO_ROOT), 'bin', 'run.cjs');

interface Request { type: 'request'; data: { rid: number; method: string; params: any } }

// What the daemon writes: JSON.stringify'd frames, each ending in a form feed.
const frame = (value: unknown) => `${JSON.stringify(value)}\f`;
const progress = (fd: 1 | 2, text: string, rid = 2) => frame({ type: 'progress', data: { rid, progress: { fd, text } } });
const exitReply = (exit: number) => frame({ type: 'reply', data: { rid: 2, ok: true, result: { exit } } });
const errorReply = (code: string, message: string, rid = 2) => frame({ type: 'reply', data: { rid, ok: false, error: { code, message } } });

interface Outcome { code: number | undefined; out: Buffer; err: Buffer }
interface Run {
  readonly result: Promise<Outcome>;
  /** Bytes the client has written so far, to stdout and stderr together. */
  written(): number;
  kill(signal: NodeJS.Signals): void;
}

/** The fake daemon: answers hello itself, records every request of the latest connection. */
interface FakeDaemon {
  readonly server: Server;
  requests: Request[];
  conn: Socket | undefined;
  /** The client closed the latest connection (it exited): nothing more will arrive on it. */
  closed: boolean;
}

/** Bytes the client owes once it has read `sent`: the text of each complete progress frame of rid 2. */
function owedOutput(sent: Buffer): number {
  let total = 0;
  for (let start = 0, end = sent.indexOf(0x0c); end >= 0; start = end + 1, end = sent.indexOf(0x0c, start)) {
    const f = JSON.parse(sent.subarray(start, end).toString()) as { type: string; data: { rid: number; progress?: { text: string } } };
    if (f.type === 'progress' && f.data.rid === 2 && f.data.progress) total += Buffer.byteLength(f.data.progress.text);
  }
  return total;
}

/** Byte-exact; on failure says where the bytes part rather than diffing megabytes. */
function expectBytes(actual: Buffer, expected: string, what: string): void {
  const want = Buffer.from(expected);
  let at = 0;
  while (at < want.length && at < actual.length && want[at] === actual[at]) at++;
  const near = (b: Buffer) => JSON.stringify(b.subarray(Math.max(0, at - 16), at + 16).toString());
  expect(actual.equals(want), `${what}: ${actual.length} bytes for ${want.length}, first difference at byte ${at}: got ${near(actual)}, want ${near(want)}`).toBe(true);
}

/** Listen on `socket` as the daemon would, answering hello only: each test scripts the rest. */
async function listen(socket: string): Promise<FakeDaemon> {
  const server = createServer((conn) => {
    Object.assign(daemon, { requests: [], conn, closed: false });
    const requests = daemon.requests;
    let pending = '';
    conn.setEncoding('utf8');
    conn.on('error', () => undefined);
    conn.on('close', () => { if (daemon.conn === conn) daemon.closed = true; });
    conn.on('data', (text: string) => {
      pending += text;
      const frames = pending.split('\f');
      pending = frames.pop()!;
      for (const f of frames) {
        const request = JSON.parse(f) as Request;
        requests.push(request);
        if (request.data.method === 'hello') conn.write(frame({ type: 'reply', data: { rid: 1, ok: true, result: { protocol: 1, version: VERSION } } }));
      }
    });
  });
  const daemon: FakeDaemon = { server, requests: [], conn: undefined, closed: false };
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return daemon;
}

describe.skipIf(!built)(`the native client on the wire${built ? '' : ' (skipped: dist/jmake-client was not built; npm run build says why)'}`, () => {
  let base: string; // the temp dir of everything below, real path (the client sends real paths)
  let project: string; // jmake.toml and .jmake/daemon.json
  let path: string; // PATH: the fake node first
  let fake: FakeDaemon;
  const runs: Run[] = [];

  beforeEach(async () => {
    base = realpathSync(mkdtempSync(join(tmpdir(), 'jmake-wire-')));
    project = join(base, 'project');
    mkdirSync(join(project, '.jmake'), { recursive: true });
    mkdirSync(join(project, 'src'));
    writeFileSync(join(project, 'jmake.toml'), '');
    // The client talks only to a socket of its user in a folder private to them (unsafe_socket).
    const runtime = join(base, 'run');
    mkdirSync(runtime);
    chmodSync(runtime, 0o700);
    const socket = join(runtime, 'daemon.sock');
    writeFileSync(join(project, '.jmake', 'daemon.json'), JSON.stringify({ pid: process.pid, version: VERSION, protocol: 1, socket, root: project }, null, 2));
    // The Node CLI's stand-in for the fallback: its argv, one per line.
    mkdirSync(join(base, 'bin'));
    writeFileSync(join(base, 'bin', 'node'), '#!/bin/sh\nfor a in "$@"; do printf \'%s\\n\' "$a"; done\n', { mode: 0o755 });
    path = `${join(base, 'bin')}:/usr/bin:/bin`;
    fake = await listen(socket);
  });

  afterEach(async () => {
    for (const run of runs.splice(0)) run.kill('SIGKILL');
    fake.conn?.destroy();
    await new Promise((resolve) => fake.server.close(resolve));
    rmSync(base, { recursive: true, force: true });
  });

  /** Start the client; by default in the project, with the fake node first on PATH and fallbacks told. */
  function client(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Run {
    const env = options.env ?? { PATH: path, JMAKE_NATIVE_CLIENT_DEBUG: '1' };
    // Not the last run's requests: request() must wait for this one's.
    Object.assign(fake, { requests: [], conn: undefined, closed: false });
    const subprocess = execa(CLIENT, args, {
      cwd: options.cwd ?? project, env, extendEnv: false, reject: false, encoding: 'buffer', stripFinalNewline: false, timeout: 10_000,
    });
    let written = 0;
    subprocess.stdout.on('data', (chunk: Uint8Array) => { written += chunk.length; });
    subprocess.stderr.on('data', (chunk: Uint8Array) => { written += chunk.length; });
    const result = subprocess.then((r) => ({ code: r.exitCode, out: Buffer.from(r.stdout), err: Buffer.from(r.stderr) }));
    const run: Run = { result, written: () => written, kill: (signal) => subprocess.kill(signal) };
    runs.push(run);
    return run;
  }

  /** The fake daemon's first `method` request from this run, as soon as it has it; fails fast if the client exits first. */
  async function request(run: Run, method: string): Promise<Request> {
    const exited = run.result.then((r): never => {
      throw new Error(`the client exited (${r.code}) before sending ${method}; stderr: ${r.err}`);
    });
    exited.catch(() => undefined);
    return Promise.race([waitFor(() => fake.requests.find((r) => r.data.method === method), { what: `the client's ${method} request`, timeoutMs: 5_000 }), exited]);
  }

  /**
   * Write `wire` in pieces cut at `cuts`. The next piece goes only once the client has written the
   * output of every frame complete before the cut: it has read that far, so it held the partial
   * frame written along with it across reads.
   */
  async function deliver(conn: Socket, run: Run, wire: Buffer, cuts: readonly number[]): Promise<void> {
    let from = 0;
    for (const cut of cuts) {
      conn.write(wire.subarray(from, cut));
      const owed = owedOutput(wire.subarray(0, cut));
      await waitFor(() => run.written() >= owed, { what: `the client to write ${owed} bytes, the output of the frames complete in the first ${cut} bytes sent`, timeoutMs: 5_000 });
      from = cut;
    }
    conn.write(wire.subarray(from));
  }

  const fallbackLine = (reason: string) => `jmake-client: falling back to node: ${reason}\n`;
  /** What the fake node prints when the client execs `node <repo>/bin/run.cjs ARGS`. */
  const nodeRan = (args: readonly string[]) => [RUN_CJS, ...args].map((a) => `${a}\n`).join('');

  it('writes each progress frame\'s text to its fd byte for byte, however the frames are cut, and exits with the reply\'s code', async () => {
    const tricky = 'quote " backslash \\ newline\n tab\t cr\r ctl \u0001 é 😀 \u001b[31mred\u001b[0m\n';
    const unit = 'é 😀 "q" \\ \t \u001b[1m\n';
    const big = unit.repeat(Math.ceil((3 << 20) / Buffer.byteLength(unit)));
    // Each frame, and where to cut it: after `offset` bytes of the first `needle` in it.
    const frames: Array<[frame: string, needle?: string, offset?: number]> = [
      [frame({ type: 'event', data: { whatever: 1 } })], // a kind it does not know: ignored
      [progress(1, 'not mine\n', 5)], // another request's: ignored
      [progress(2, 'first\n')],
      [progress(1, tricky), 'é', 1], // inside a UTF-8 character
      [progress(2, tricky), '\\u001b', 3], // inside an escape
      // Node never writes these escapes, but JSON has them: a surrogate pair, a lone one, \u00e9, \/.
      ['{"type":"progress","data":{"rid":2,"progress":{"fd":1,"text":"pair \\ud83d\\ude00 lone \\ud800 \\u00e9 \\/\\n"}}}\f', '\\ude00', 0],
      [progress(1, big), '😀', 2], // 3 MiB: the socket cuts it too
      [progress(2, 'end\n'), '\f', 0], // the form feed alone
      [exitReply(7), 'reply', 2], // inside the prefix that recognises the reply
    ];
    const cuts: number[] = [];
    let length = 0;
    for (const [text, needle, offset = 0] of frames) {
      const at = needle === undefined ? -1 : Buffer.from(text).indexOf(needle);
      if (needle !== undefined && at < 0) throw new Error(`no ${JSON.stringify(needle)} in ${text.slice(0, 80)}`);
      if (at >= 0) cuts.push(length + at + offset);
      length += Buffer.byteLength(text);
    }
    const wire = Buffer.from(frames.map(([text]) => text).join(''));

    const run = client(['build']);
    await request(run, 'cli');
    await deliver(fake.conn!, run, wire, cuts);
    const r = await run.result;
    expect(r.code, String(r.err)).toBe(7);
    expectBytes(r.out, `${tricky}pair 😀 lone \ufffd é /\n${big}`, 'stdout');
    expectBytes(r.err, `first\n${tricky}end\n`, 'stderr');
  });

  it('sends hello, then the command with its args verbatim, the cwd, the environment and the terminals\' facts', async () => {
    const args = ['build', 'a"b', 'c\\d', 'é 😀', 'new\nline', '\u0001', ''];
    const env = { PATH: path, QUOTED: 'say "hi" \\ é 😀\ttab\nline', EMPTY: '' };
    const run = client(args, { cwd: join(project, 'src'), env });
    const cli = await request(run, 'cli');
    fake.conn!.write(exitReply(0));
    expect((await run.result).code).toBe(0);
    expect(fake.requests[0]).toEqual({ type: 'request', data: { rid: 1, method: 'hello', params: { protocol: 1, version: VERSION, client: 'jmake-client build' } } });
    // Piped, so no tty and no columns; the environment is exactly the one it was given.
    expect(cli).toEqual({
      type: 'request',
      data: { rid: 2, method: 'cli', params: { command: 'build', args: args.slice(1), cwd: join(project, 'src'), env, stdout: { tty: false }, stderr: { tty: false } } },
    });
  });

  it('execs node with the original args, -C first included, when the daemon refuses before any output', async () => {
    // The refusal of the command (rid 2) and of a frame the daemon could not read (rid 0).
    for (const [rid, code] of [[2, 'fallback'], [0, 'bad-frame']] as const) {
      const args = ['-C', project, 'build', 'é', 'x y'];
      const run = client(args, { cwd: base });
      const cli = await request(run, 'cli');
      // The daemon gets -C behind the command, as bin/run.cjs moves it; node gets the args as typed.
      expect(cli.data.params.args).toEqual(['é', 'x y', '-C', project]);
      fake.conn!.write(errorReply(code, `the daemon is "${code}"`, rid));
      const r = await run.result;
      expect(r.code, code).toBe(0);
      expect(String(r.err)).toBe(fallbackLine(`the daemon replied ${code}: the daemon is "${code}"`));
      expect(String(r.out)).toBe(nodeRan(args));
    }
  });

  it('after output, an error reply is the client\'s error: the message, exit 1, no node', async () => {
    const run = client(['build']);
    await request(run, 'cli');
    fake.conn!.write(progress(1, 'partial\n') + errorReply('fallback', 'it broke'));
    const r = await run.result;
    expect(r.code).toBe(1);
    expect(String(r.out)).toBe('partial\n');
    expect(String(r.err)).toBe('jmake: it broke\n');
  });

  it('the daemon hanging up before the reply: node if nothing was written yet, else an error', async () => {
    const silent = client(['build', 'z']);
    await request(silent, 'cli');
    fake.conn!.end();
    const before = await silent.result;
    expect(String(before.err)).toBe(fallbackLine('the daemon closed the connection'));
    expect(String(before.out)).toBe(nodeRan(['build', 'z']));
    expect(before.code).toBe(0);

    const halfway = client(['build']);
    await request(halfway, 'cli');
    fake.conn!.end(progress(1, 'half'));
    const after = await halfway.result;
    expect(after.code).toBe(1);
    expect(String(after.out)).toBe('half');
    expect(String(after.err)).toBe('jmake: the daemon closed the connection\n');
  });

  it('Ctrl-C sends one cancel for the command, then writes the output that follows and exits with the reply\'s 130', async () => {
    const run = client(['build']);
    await request(run, 'cli'); // its SIGINT handler is in place before it sends the request
    run.kill('SIGINT');
    const cancel = await request(run, 'cancel');
    expect(cancel).toEqual({ type: 'request', data: { rid: 3, method: 'cancel', params: { rid: 2 } } });
    fake.conn!.write(progress(1, 'stopping\n') + progress(2, 'jmake: build cancelled\n') + exitReply(130));
    const r = await run.result;
    expect(r.code).toBe(130);
    expect(String(r.out)).toBe('stopping\n');
    expect(String(r.err)).toBe('jmake: build cancelled\n');
    // Everything it sent has arrived once it hung up: still the one cancel.
    await waitFor(() => fake.closed, { what: 'the client to hang up', timeoutMs: 5_000 });
    expect(fake.requests.map((f) => f.data.method)).toEqual(['hello', 'cli', 'cancel']);
  });
});
