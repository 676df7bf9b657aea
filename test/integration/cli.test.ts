import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { BIN, createProject, disposeAll } from '../helpers/project.js';
import { events, waitReady } from '../helpers/events.js';
import { waitFor } from '../helpers/wait.js';

afterEach(disposeAll);

describe('jmake events', () => {
  it('filters with --since, --type and --limit, and numbers events from 1', async () => {
    const p = await createProject();
    await waitReady(p);
    const all = await events(p);
    expect(all[0]!.seq).toBe(1);
    expect(all.map((e) => e.seq)).toEqual([...all.keys()].map((i) => i + 1));
    for (const e of all) {
      expect(Object.keys(e).sort()).toEqual(['data', 'seq', 'time', 'type']);
      expect(e.type).toMatch(/^[a-z]+(-[a-z]+)+$/);
      expect(e.time).toBeGreaterThan(1.7e12);
    }
    expect(await events(p, ['--since', '2'])).toEqual(all.slice(2));
    expect(await events(p, ['--since', '2', '--limit', '2'])).toEqual(all.slice(2, 4));
    const files = await events(p, ['--type', 'file-added,file-changed']);
    expect(files.length).toBe(4);
    expect(files.every((e) => /^[0-9a-f]{16}$/.test(e.data.hash) && typeof e.data.path === 'string')).toBe(true);
    expect(await events(p, ['--type', 'file-added', '--type', 'daemon-started'])).toEqual(
      all.filter((e) => e.type === 'file-added' || e.type === 'daemon-started'));
    expect(await events(p, ['--since', String(all.at(-1)!.seq)])).toEqual([]);

    const human = await p.run(['events', '--type', 'file-added']);
    expect(human.code).toBe(0);
    expect(human.stdout.trim().split('\n')).toHaveLength(4);
    expect(human.stdout).toMatch(/file-added\s+src\/main\.cpp\s+[0-9a-f]{16}/);
  });

  it('--follow --json streams one event a line until interrupted', async () => {
    const p = await createProject();
    await waitReady(p);
    const follower = execa(process.execPath, [BIN, 'events', '--follow', '--json'], { cwd: p.root, env: p.env, extendEnv: false, reject: false });
    const lines: string[] = [];
    follower.stdout!.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    // The follower is subscribed once a change it causes shows up; keep editing until it does.
    let n = 0;
    await waitFor(() => {
      writeFileSync(p.path('src/followed.cpp'), `int followed = ${n++};\n`);
      return lines.some((l) => JSON.parse(l).data?.path === 'src/followed.cpp');
    }, { what: 'the followed event', intervalMs: 200 });
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ seq: expect.any(Number), type: expect.any(String) });
    follower.kill('SIGINT');
    const result = await follower;
    expect(result.exitCode).toBe(0);
  });
});

describe('usage errors', () => {
  it('exit 2 with a JSON error under --json', async () => {
    const p = await createProject();
    const badType = await p.run(['events', '--type', 'no-such-type', '--json']);
    expect(badType.code).toBe(2);
    expect(JSON.parse(badType.stdout)).toMatchObject({ error: { code: 'usage', message: expect.stringMatching(/no-such-type/) } });

    const badFlag = await p.run(['events', '--limit', 'lots', '--json']);
    expect(badFlag.code).toBe(2);
    expect(JSON.parse(badFlag.stdout).error.code).toBe('usage');

    const human = await p.run(['events', '--limit', 'lots']);
    expect(human.code).toBe(2);
    expect(human.stderr).toMatch(/jmake: .*lots/);
  });

  it('accepts -C before the command and status through the lean path and oclif alike', async () => {
    const p = await createProject();
    const lean = await execa(process.execPath, [BIN, '-C', p.root, 'status', '--json'], { env: p.env, extendEnv: false, cwd: '/' });
    const viaOclif = await execa(process.execPath, [BIN, 'status', '--dir', p.root, '--json', '--no-such-flag'], { env: p.env, extendEnv: false, cwd: '/', reject: false });
    expect(JSON.parse(lean.stdout).root).toBe(p.root);
    // An unknown flag leaves the lean path; oclif reports it as a usage error.
    expect(viaOclif.exitCode).toBe(2);
    expect(JSON.parse(viaOclif.stdout).error.code).toBe('usage');
  });
});

describe('a reader that goes away', () => {
  // `jmake build -n --json | head -c 10`: the pipe's reader is gone while jmake writes. Node's
  // stdout stream raised that EPIPE as an unhandled error (a stack trace, exit 1).
  it('ends the output quietly, with jmake\'s own exit status', async () => {
    const p = await createProject();
    // Enough sources that a dry run's JSON (~0.6 KB a job) is more than a pipe holds (64 KiB).
    mkdirSync(p.path('src/many'));
    for (let i = 0; i < 200; i++) writeFileSync(p.path(`src/many/f${i}.cpp`), `int f${i}() { return ${i}; }\n`);
    // The shell's own pipe, as a user types it; bash gives jmake's exit status.
    const script = '"$@" | head -c 10 > /dev/null; exit "${PIPESTATUS[0]}"';
    const result = await execa('bash', ['-c', script, 'bash', process.execPath, BIN, 'build', '-n', '--force', '--json'], { cwd: p.root, env: p.env, extendEnv: false, reject: false });
    expect(result.stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(result.exitCode, result.stderr).toBe(0);
  });
});
