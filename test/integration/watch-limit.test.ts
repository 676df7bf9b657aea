import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, writeFileSync } from 'node:fs';
import { setTimeout as pace } from 'node:timers/promises';
import { execa, execaSync } from 'execa';
import { BIN, createProject, disposeAll } from '../helpers/project.js';
import { events, waitForEvent, waitReady } from '../helpers/events.js';
import { xxh64 } from '../helpers/hash.js';
import { waitFor } from '../helpers/wait.js';

afterEach(disposeAll);

/**
 * A user namespace has its own inotify watch limit (/proc/sys/user/max_inotify_watches), so the
 * daemon can be run past the limit without touching the machine-wide setting other tests share.
 */
function userNamespaceProblem(): string | null {
  try {
    execaSync('unshare', ['-U', '-r', 'sh', '-c', 'echo 5 > /proc/sys/user/max_inotify_watches']);
    return null;
  } catch (err) {
    return `cannot create a user namespace with its own inotify limit here (${(err as Error).message.split('\n')[0]})`;
  }
}

const problem = userNamespaceProblem();
if (problem) console.warn(`skipping the inotify-limit test: ${problem}`);

describe('past the inotify watch limit', () => {
  it.skipIf(problem !== null)('falls back to polling the unwatchable paths, says so in status, and still sees edits', async () => {
    const p = await createProject();
    appendFileSync(p.path('jmake.toml'), '\n[daemon]\npoll_interval = "200ms"\n');
    const script = `echo 3 > /proc/sys/user/max_inotify_watches && exec "${process.execPath}" "${BIN}" daemon start --json`;
    const started = await execa('unshare', ['-U', '-r', 'sh', '-c', script], { cwd: p.root, env: p.env, extendEnv: false });
    expect(JSON.parse(started.stdout)).toMatchObject({ running: true });

    const status = await waitFor(async () => {
      const s = await p.json(['status']);
      return s.watcher.ready && s.watcher.fallbacks.length > 0 ? s : null;
    }, { what: 'the watcher to report fallbacks' });
    expect(status.watcher.errors.map((e: { code: string }) => e.code)).toContain('ENOSPC');
    const overflow = await events(p, ['--type', 'watcher-overflow']);
    expect(overflow.length).toBeGreaterThan(0);
    expect(overflow[0]!.data).toMatchObject({ code: 'ENOSPC', fallback: 'poll' });
    expect((await p.run(['status'])).stdout).toMatch(/polling \d+ unwatchable paths/);

    const content = 'int polled() { return 5; }\n';
    writeFileSync(p.path('src/polled.cpp'), content);
    const added = await waitForEvent(p, status.events.lastSeq, (e) => e.data?.path === 'src/polled.cpp', 'the polled file');
    expect(added).toMatchObject({ type: 'file-added', data: { hash: xxh64(content) } });

    // The next builds are right: the new source is compiled, and an edit to a polled file is built.
    const first = await p.json(['build']);
    expect(first.ok).toBe(true);
    expect(first.jobs.map((j: { id: string }) => j.id)).toContain('build/obj/src/polled.cpp.o');
    writeFileSync(p.path('src/main.cpp'), '#include <cstdio>\nint main() { std::puts("seen by polling"); return 0; }\n');
    await waitForEvent(p, added.seq, (e) => e.type === 'file-changed' && e.data?.path === 'src/main.cpp', 'the polled edit');
    expect((await p.json(['build'])).ok).toBe(true);
    expect((await execa(p.path('build/bin/hello'))).stdout).toBe('seen by polling');
  });
});

describe('a burst that may have overflowed the kernel event queue', () => {
  // A real overflow needs fs.inotify.max_queued_events lowered, which is machine-wide (also inside a
  // user namespace) and would starve every other test's daemon; JMAKE_TEST_INOTIFY_QUEUE stands in
  // for the kernel's queue size instead (see src/watcher/burst.ts for why a burst is the sign).
  it('is recorded, shown in status, and answered by a rescan; the next build is right', async () => {
    const p = await createProject();
    const started = await p.run(['daemon', 'start'], { env: { ...p.env, JMAKE_TEST_INOTIFY_QUEUE: '100' } });
    expect(started.code).toBe(0);
    const ready = await waitReady(p);
    expect(ready.watcher.overflows).toBe(0);

    // In a folder already watched: files in a new folder written before its watch is placed are
    // found by chokidar's scan of it, with no raw event of their own.
    // The last ones are paced so that some land while the watcher restarts: the walk after its
    // scan must find a file created between a folder's readdir and its watch.
    const count = 40;
    for (let i = 0; i < count; i++) {
      writeFileSync(p.path(`src/gen${i}.cpp`), `int gen${i}() { return ${i}; }\n`);
      if (i >= 30) await pace(5);
    }

    const status = await waitFor(async () => {
      const s = await p.json(['status']);
      return s.watcher.ready && s.watcher.lastRescan?.reason === 'overflow' ? s : null;
    }, { what: 'a rescan after the burst' });
    // A burst still going on after the first rescan may be taken for another overflow: a rescan each.
    expect(status.watcher.overflows).toBeGreaterThanOrEqual(1);
    const overflow = await events(p, ['--since', String(ready.events.lastSeq), '--type', 'watcher-overflow']);
    expect(overflow.map((e) => e.data)).toEqual(Array(overflow.length).fill(expect.objectContaining({ code: 'IN_Q_OVERFLOW', fallback: 'rescan' })));
    expect((await p.run(['status'])).stdout).toMatch(/rescans \(last: overflow/);

    const build = await p.json(['build']);
    expect(build.ok).toBe(true);
    const compiled = build.jobs.filter((j: { id: string }) => j.id.startsWith('build/obj/src/gen')).length;
    expect(compiled).toBe(count);
    // Quiet again: a single edit is an ordinary change, not another overflow.
    const before = (await p.json(['status'])).watcher.overflows;
    writeFileSync(p.path('src/gen0.cpp'), 'int gen0() { return 100; }\n');
    const next = await p.json(['build']);
    expect(next.jobs.map((j: { id: string }) => j.id).sort()).toEqual(['build/bin/hello', 'build/obj/src/gen0.cpp.o']);
    expect((await p.json(['status'])).watcher.overflows).toBe(before);
  });
});
