import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { BIN, createProject, disposeAll, isAlive } from '../helpers/project.js';
import { build } from '../helpers/build.js';
import { startWatch, stopAllWatchers } from '../helpers/watcher.js';
import { waitFor } from '../helpers/wait.js';

afterEach(async (context) => {
  await stopAllWatchers();
  await disposeAll(context);
});

describe('[daemon] max_memory_mb', () => {
  it('over the limit, the daemon finishes the running build, restarts itself with its state, and watchers follow', async () => {
    const p = await createProject('hello');
    // The resident size the daemon sees comes from a file the test writes (a real one cannot be steered).
    const rssFile = join(p.root, '..', 'rss');
    writeFileSync(rssFile, '100');
    Object.assign(p.env, { JMAKE_TEST_RSS_FILE: rssFile, JMAKE_MEMORY_CHECK_MS: '100' });
    appendFileSync(p.path('jmake.toml'), '\n[daemon]\nmax_memory_mb = 500\n\n[[jobs]]\nid = "slow"\nrun = ["sleep", "2"]\ninputs = ["src/main.cpp"]\n');
    expect((await build(p)).ok).toBe(true);
    const firstPid = p.daemonPid()!;
    const w = startWatch(p);
    await w.next((l) => l.type === 'build-finished', 'the watcher\'s first build');

    // A build is running when the daemon grows past the limit: it is not cut short.
    writeFileSync(p.path('src/main.cpp'), readFileSync(p.path('src/main.cpp'), 'utf8').replace('return 0;', 'return 0; // edited'));
    const running = execa(process.execPath, [BIN, 'build', '--json'], { cwd: p.root, env: p.env, extendEnv: false, reject: false });
    await w.next((l) => l.type === 'job-started' && l.job === 'slow', 'the slow job to start');
    writeFileSync(rssFile, '900');
    const result = JSON.parse(String((await running).stdout)) as { ok: boolean; cancelled: boolean; build: number };
    expect(result).toMatchObject({ ok: true, cancelled: false });

    const restarted = await w.next((l) => l.type === 'daemon-restarted', 'the watcher to follow the restart');
    expect(restarted.line.pid).not.toBe(firstPid);
    await waitFor(() => !isAlive(firstPid), { what: 'the old daemon to exit' });
    const log = p.daemonLog();
    expect(log).toMatch(/restarting: resident memory 900 MiB > max_memory_mb 500/);
    // The new daemon starts over the limit too (the file still says 900): it says so instead of restarting again.
    await waitFor(() => /max_memory_mb = 500 is below what the daemon uses from the start/.test(p.daemonLog()), { what: 'the successor to turn its guard off' });
    const finished = log.indexOf(`[job] build ${result.build}: ok`);
    expect(finished).toBeGreaterThan(0);
    expect(log.indexOf('restarting:')).toBeGreaterThan(finished);
    // A full collection came first (the figure is a file here, so it stayed over the limit).
    const collected = log.search(/full collection \(over max_memory_mb\).*\n.*collected garbage fully; restarting at the next check/);
    expect(collected).toBeGreaterThan(finished);
    expect(collected).toBeLessThan(log.indexOf('restarting:'));

    // Its state came back from the log: nothing to rebuild.
    expect(p.daemonPid()).toBe(restarted.line.pid);
    expect((await build(p)).jobsRun).toBe(0);
  });
});
