import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createProject, disposeAll, isAlive } from '../helpers/project.js';
import { build, runProgram } from '../helpers/build.js';
import { startWatch, stopAllWatchers, type WatchLine } from '../helpers/watcher.js';

afterEach(async (context) => {
  await stopAllWatchers();
  await disposeAll(context);
});

const greet = (text: string) => `#include "greet.h"\n\nconst char* greeting() { return "${text}"; }\n`;
const finished = (l: WatchLine) => l.type === 'build-finished';
const started = (l: WatchLine) => l.type === 'build-started';

/** Busy-waits: a synchronous burst cannot be stretched by the event loop, only by the OS. */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* pacing the saves of a burst */ }
}

describe('jmake watch', () => {
  it('brings the project up to date, then rebuilds each edit and shows the diagnostics', async () => {
    const p = await createProject('hello');
    const w = startWatch(p);
    const hello = await w.next((l) => l.type === 'watching', 'the watching message');
    expect(hello.line).toMatchObject({ root: p.root, pid: p.daemonPid() });
    const first = await w.next(finished, 'the first build');
    expect(first.line).toMatchObject({ ok: true, jobsRun: 3 });
    expect(await runProgram(p.path('build/bin/hello'))).toBe('hello from jmake');

    writeFileSync(p.path('src/greet.cpp'), greet('watched'));
    const start = await w.next(started, 'a build after the edit', { from: first.index + 1 });
    expect(start.line).toMatchObject({ trigger: 'change', changed: ['src/greet.cpp'], more: 0 });
    const end = await w.next(finished, 'that build to finish', { from: start.index });
    expect(end.line).toMatchObject({ build: start.line.build, ok: true, jobsRun: 2 });
    const jobs = w.buildLines(start.line.build!).filter((l) => l.type === 'job-finished').map((l) => [l.job, l.status]);
    expect(jobs).toEqual([['build/obj/src/greet.cpp.o', 'succeeded'], ['build/bin/hello', 'succeeded']]);
    expect(await runProgram(p.path('build/bin/hello'))).toBe('watched');

    // A compile error: the failed job, its log (plain text in JSON) and the parsed diagnostic.
    appendFileSync(p.path('src/main.cpp'), 'int broken = ;\n');
    const brokenLine = readFileSync(p.path('src/main.cpp'), 'utf8').trimEnd().split('\n').length;
    const failed = await w.next((l) => finished(l) && l.ok === false, 'the failed build', { from: end.index + 1 });
    const lines = w.buildLines(failed.line.build!);
    expect(lines.find((l) => l.type === 'job-finished' && l.status === 'failed')).toMatchObject({ job: 'build/obj/src/main.cpp.o' });
    expect(lines.find((l) => l.type === 'job-finished' && l.status === 'failed')!.log).not.toContain('\u001b[');
    expect(lines.filter((l) => l.type === 'diagnostic')).toEqual([
      expect.objectContaining({ file: 'src/main.cpp', line: brokenLine, severity: 'error', job: 'build/obj/src/main.cpp.o' }),
    ]);
    expect(failed.line).toMatchObject({ failed: 1, jobsRun: 1 });
  });

  it('a burst of 20 saves within 100 ms gives one build, with the final content', async () => {
    const p = await createProject('hello');
    // A 5 ms rhythm of saves would outrun the default settle window (5 ms) even on an idle machine,
    // and on a loaded 2-core CI box the test process itself may stall longer between two saves.
    appendFileSync(p.path('jmake.toml'), '\n[daemon]\nsettle_ms = 200\n');
    const w = startWatch(p);
    const first = await w.next(finished, 'the first build');
    for (let i = 1; i <= 20; i++) {
      writeFileSync(p.path('src/greet.cpp'), greet(`save ${i}`));
      if (i < 20) spin(5);
    }
    const burst = await w.next(finished, 'the build after the burst', { from: first.index + 1 });
    expect(burst.line).toMatchObject({ ok: true, jobsRun: 2 });
    expect(await runProgram(p.path('build/bin/hello'))).toBe('save 20');
    // A request syncs with the watcher: any later change build would run before it.
    const asked = await build(p);
    expect(asked.ok).toBe(true);
    // The feed may reach the watcher a moment after the reply reaches the build client.
    await w.next((l) => finished(l) && l.build === asked.build, 'the asked build in the feed', { from: burst.index + 1 });
    const after = w.lines.slice(first.index + 1);
    expect(after.filter((l) => started(l) && l.trigger === 'change')).toHaveLength(1);
    expect(after.filter((l) => finished(l))).toEqual([burst.line, expect.objectContaining({ build: asked.build, jobsRun: 0 })]);
  });

  it('a build started by one settled save leaves out a file still being saved, and builds it once it settles', async () => {
    const p = await createProject('hello');
    // A window long enough that the rewrites below (every 50 ms) keep greet.cpp unsettled even
    // when the test process stalls on a loaded machine.
    appendFileSync(p.path('jmake.toml'), '\n[daemon]\nsettle_ms = 1000\n');
    const w = startWatch(p);
    const first = await w.next(finished, 'the first build');
    // greet.cpp is half saved (empty, as between an editor's truncate and its write, or cut short)
    // and keeps being written: each write changes its size, so its mtime moves (a truncate of an
    // empty file does not);
    let writes = 0;
    const halfSave = () => writeFileSync(p.path('src/greet.cpp'), writes++ % 2 === 0 ? '' : '// half saved\n');
    halfSave();
    const saving = setInterval(halfSave, 50);
    let settledBuild: { line: WatchLine; index: number };
    try {
      // meanwhile main.cpp is saved and settles: its build must not compile the empty greet.cpp.
      writeFileSync(p.path('src/main.cpp'), readFileSync(p.path('src/main.cpp'), 'utf8').replace('return 0;', 'return 0; // saved').replace('int main', 'int saved = 1;\nint main'));
      const start = await w.next(started, 'the build of main.cpp', { from: first.index + 1 });
      expect(start.line).toMatchObject({ trigger: 'change', changed: ['src/main.cpp'] });
      settledBuild = await w.next(finished, 'that build to finish', { from: start.index });
    } finally {
      clearInterval(saving);
    }
    expect(settledBuild.line).toMatchObject({ ok: true, jobsRun: 2 });
    expect(w.buildLines(settledBuild.line.build!).filter((l) => l.type === 'job-finished').map((l) => l.job))
      .toEqual(['build/obj/src/main.cpp.o', 'build/bin/hello']);
    // The save completes; once it settles, its own build.
    writeFileSync(p.path('src/greet.cpp'), greet('saved at last'));
    const last = await w.next((l) => finished(l) && l.jobsRun > 0, 'the build of greet.cpp', { from: settledBuild.index + 1 });
    expect(last.line).toMatchObject({ ok: true });
    expect(await runProgram(p.path('build/bin/hello'))).toBe('saved at last');
  });

  it('two watchers see the same builds, whoever started them', async () => {
    const p = await createProject('hello');
    const a = startWatch(p);
    await a.next(finished, 'watcher a: the first build');
    const b = startWatch(p);
    const bFirst = await b.next(finished, 'watcher b: its first build (a no-op)');
    expect(bFirst.line).toMatchObject({ ok: true, jobsRun: 0 });
    const aSeesB = await a.next((l) => finished(l) && l.build === bFirst.line.build, 'watcher a sees b\'s build');

    writeFileSync(p.path('src/greet.cpp'), greet('seen twice'));
    const fromA = await a.next((l) => finished(l) && l.jobsRun > 0, 'watcher a: the change build', { from: aSeesB.index + 1 });
    const fromB = await b.next((l) => finished(l) && l.jobsRun > 0, 'watcher b: the change build');
    expect(fromB.line).toEqual(fromA.line);
    expect(b.buildLines(fromB.line.build!)).toEqual(a.buildLines(fromA.line.build!));

    // A build someone else asks for is in both feeds too.
    const forced = await build(p, ['--force', '--no-cache']);
    for (const w of [a, b]) {
      const seen = await w.next((l) => finished(l) && l.build === forced.build, 'the forced build');
      expect(seen.line).toMatchObject({ ok: true, jobsRun: 3 });
    }
  });

  it('a change that lands during a build queues exactly one follow-up build', async () => {
    const p = await createProject('hello');
    // A slow job that reads every source keeps each build busy for a while (long enough for the
    // edits below to land during it on a loaded machine: each waits for a jmake status).
    appendFileSync(p.path('jmake.toml'), '\n[[jobs]]\nid = "slow"\nrun = ["sleep", "4"]\ninputs = ["src/greet.cpp", "src/main.cpp"]\n');
    const w = startWatch(p);
    const first = await w.next(finished, 'the first build');
    expect(first.line.ok).toBe(true);

    writeFileSync(p.path('src/greet.cpp'), greet('edit 1'));
    const running = await w.next((l) => l.type === 'job-started' && l.job === 'slow', 'the slow job of the change build', { from: first.index + 1 });
    // Two more edits while that build runs, each recorded before the next (status syncs with the watcher).
    for (let i = 2; i <= 3; i++) {
      writeFileSync(p.path('src/greet.cpp'), greet(`edit ${i}`));
      expect((await p.run(['status'])).code).toBe(0);
    }
    expect(w.lines.slice(running.index).some(finished), 'the edits landed after the build').toBe(false);
    const busy = await w.next(finished, 'the build that was running', { from: running.index });
    const follow = await w.next(finished, 'the follow-up build', { from: busy.index + 1 });
    expect(follow.line).toMatchObject({ ok: true });
    expect(await runProgram(p.path('build/bin/hello'))).toBe('edit 3');
    const asked = await build(p);
    // The feed reaches the watch process on its own socket: it may come a moment after the reply.
    const askedLine = await w.next((l) => finished(l) && l.build === asked.build, 'the asked build in the feed', { from: follow.index + 1 });
    const changeBuilds = w.lines.slice(first.index + 1).filter((l) => started(l) && l.trigger === 'change');
    expect(changeBuilds).toHaveLength(2);
    expect(w.lines.slice(follow.index + 1, askedLine.index + 1).filter(finished)).toEqual([expect.objectContaining({ build: asked.build, jobsRun: 0 })]);
  });

  it('reports a broken jmake.toml without building, and builds again once it is fixed', async () => {
    const p = await createProject('hello');
    const w = startWatch(p);
    const first = await w.next(finished, 'the first build');
    const good = readFileSync(p.path('jmake.toml'), 'utf8');
    writeFileSync(p.path('jmake.toml'), good.replace('name = "hello"', 'name = "hello'));
    const error = await w.next((l) => l.type === 'config-error', 'the config error', { from: first.index + 1 });
    expect(error.line).toMatchObject({ file: 'jmake.toml', line: 3 });
    expect(error.line.message).toMatch(/string|quote|newline/i);
    writeFileSync(p.path('jmake.toml'), good.replace('"-Wall"', '"-Wall", "-DFIXED=1"'));
    const rebuilt = await w.next(finished, 'the build after the fix', { from: error.index + 1 });
    expect(rebuilt.line.ok).toBe(true);
    // New flags recompile everything (the objects come out the same, so the link is cut off early).
    const compiled = w.buildLines(rebuilt.line.build!).filter((l) => l.type === 'job-finished' && l.kind === 'compile').map((l) => l.job).sort();
    expect(compiled).toEqual(['build/obj/src/greet.cpp.o', 'build/obj/src/main.cpp.o']);
  });

  it('when the daemon dies, the watcher starts a new one, says so, and keeps building', async () => {
    const p = await createProject('hello');
    const w = startWatch(p);
    const first = await w.next(finished, 'the first build');
    const oldPid = p.daemonPid()!;
    process.kill(oldPid, 'SIGKILL');
    const restarted = await w.next((l) => l.type === 'daemon-restarted', 'the restart notice', { from: first.index + 1 });
    expect(restarted.line.pid).not.toBe(oldPid);
    expect(isAlive(restarted.line.pid)).toBe(true);
    expect(w.lines.slice(first.index + 1).some((l) => l.type === 'daemon-lost')).toBe(true);
    const again = await w.next(finished, 'the build of the new attachment', { from: restarted.index });

    writeFileSync(p.path('src/greet.cpp'), greet('after the restart'));
    await w.next((l) => finished(l) && l.jobsRun > 0, 'the change build by the new daemon', { from: again.index + 1 });
    expect(await runProgram(p.path('build/bin/hello'))).toBe('after the restart');
  });

  it('after an orderly restart (jmake daemon restart) the watcher attaches to the new daemon and says so', async () => {
    const p = await createProject('hello');
    const w = startWatch(p);
    const first = await w.next(finished, 'the first build');
    const oldPid = p.daemonPid()!;
    expect((await p.run(['daemon', 'restart'])).code).toBe(0);
    const lost = await w.next((l) => l.type === 'daemon-lost', 'the stop notice', { from: first.index + 1 });
    expect(lost.line.waiting).toBe('restart');
    const restarted = await w.next((l) => l.type === 'daemon-restarted', 'the restart notice', { from: lost.index });
    expect(restarted.line.pid).toBe(p.daemonPid());
    expect(restarted.line.pid).not.toBe(oldPid);
    await w.next(finished, 'the build of the new attachment', { from: restarted.index });
  });

  it('Ctrl-C detaches: the watcher exits 0 and the daemon keeps running', async () => {
    const p = await createProject('hello');
    const w = startWatch(p);
    await w.next(finished, 'the first build');
    const pid = p.daemonPid()!;
    expect(await w.stop()).toBe(0);
    expect(isAlive(pid)).toBe(true);
    expect((await build(p)).jobsRun).toBe(0);
  });

  it('Ctrl-C detaches at once from a daemon that was already running (not taken for the daemon going away)', async () => {
    const p = await createProject('hello');
    expect((await p.run(['status'])).code).toBe(0); // the watcher attaches to a running daemon
    const pid = p.daemonPid()!;
    const w = startWatch(p);
    await w.next(finished, 'the first build');
    // stop() sends SIGINT and kills after 5 s (exit -1): the watcher took 30 s, waiting for the daemon to exit.
    expect(await w.stop()).toBe(0);
    expect(isAlive(pid)).toBe(true);
    expect(p.daemonPid()).toBe(pid);
  });
});
