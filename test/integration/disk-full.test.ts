/**
 * A full disk and a read-only state dir. The project's `.jmake` is a small tmpfs mounted by the
 * test (root only), so the daemon's log appends really fail with ENOSPC / EROFS while the sources
 * and outputs stay on the ordinary disk.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { createProject, disposeAll, isAlive, type TestProject } from '../helpers/project.js';
import { events } from '../helpers/events.js';
import { waitFor } from '../helpers/wait.js';

afterEach(disposeAll);

function mountProblem(): string | null {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const dir = mkdtempSync(join(tmpdir(), 'jmake-mount-probe-'));
  try {
    execaSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
    execaSync('umount', [dir]);
    return null;
  } catch (err) {
    return `cannot mount a tmpfs here (${(err as Error).message.split('\n')[0]})`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const problem = mountProblem();
if (problem) console.warn(`skipping the full-disk tests: ${problem}`);

function mountStateDir(p: TestProject, options: string): string {
  const dir = p.path('.jmake');
  mkdirSync(dir, { recursive: true });
  execaSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  // After the daemon stopped; lazy, so a busy mount never fails the cleanup.
  p.onDispose(() => execaSync('umount', ['-l', dir], { reject: false }));
  return dir;
}

/** Fill the file system holding `dir` to the last page (dd stops with ENOSPC). */
async function fill(dir: string): Promise<string> {
  const filler = join(dir, 'filler');
  await execa('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k'], { reject: false });
  return filler;
}

describe('a full disk under the event log', () => {
  it.skipIf(problem !== null)('reports the failed append to the client, keeps answering, and builds correctly once there is space', async () => {
    const p = await createProject('hello');
    const stateDir = mountStateDir(p, 'size=4m');
    const first = await p.json(['build']);
    expect(first.ok).toBe(true);
    const pid = p.daemonPid()!;

    const filler = await fill(stateDir);
    // The last page of the log may still hold a few records; each round adds at least one job's
    // worth, so a handful of rounds runs out of room. Bounded: 20 rounds.
    let failed: { code: number; stdout: string; stderr: string } | null = null;
    let round = 0;
    while (round < 20 && !failed) {
      round++;
      writeFileSync(p.path('src/main.cpp'), `#include <cstdio>\nint main() { std::puts("round ${round}"); return 0; }\n`);
      const result = await p.run(['build']);
      if (result.code !== 0) failed = result;
    }
    expect(failed, 'no build failed although the disk is full').not.toBeNull();
    expect(failed!.stderr).toMatch(/cannot append to .*events\.log/);
    expect(failed!.stderr).toMatch(/ENOSPC|no space left/i);
    expect(failed!.stderr).toMatch(/free some disk space/);
    expect(failed!.code).toBe(1);

    // The daemon is alive and answers, and says its log is failing.
    expect(isAlive(pid)).toBe(true);
    const status = await p.json(['status']);
    expect(status.log.writeError).toMatch(/ENOSPC|no space left/i);

    // One more edit while the disk is full: the watcher cannot record it, and must not forget it.
    round++;
    writeFileSync(p.path('src/main.cpp'), `#include <cstdio>\nint main() { std::puts("round ${round}"); return 0; }\n`);
    expect((await p.run(['build'])).code).toBe(1);

    rmSync(filler);
    const recovered = await p.json(['build']);
    expect(recovered.ok).toBe(true);
    expect((await execa(p.path('build/bin/hello'))).stdout).toBe(`round ${round}`);
    expect((await p.json(['status'])).log.writeError).toBeNull();

    // The log is consistent: a new daemon replays it without cutting anything, and finds the
    // project up to date.
    expect((await p.run(['daemon', 'stop'])).code).toBe(0);
    await waitFor(() => !isAlive(pid), { what: 'the daemon to stop' });
    const noop = await p.json(['build']);
    expect(noop).toMatchObject({ ok: true, jobsRun: 0 });
    expect(await events(p, ['--type', 'log-recovered'])).toEqual([]);
  });
});

describe('a read-only state dir', () => {
  it.skipIf(problem !== null)('refuses to start a daemon, and says why and what to do', async () => {
    const p = await createProject('hello');
    mountStateDir(p, 'size=1m,ro');
    const result = await p.run(['build']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/\.jmake/);
    expect(result.stderr).toMatch(/read-only file system/);
    expect(result.stderr).toMatch(/make the folder writable/);
    expect(p.daemonPid()).toBeNull();
  });
});
