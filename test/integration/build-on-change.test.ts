import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, writeFileSync } from 'node:fs';
import { createProject, disposeAll, type TestProject } from '../helpers/project.js';
import { build, ran, runProgram } from '../helpers/build.js';
import { waitFor } from '../helpers/wait.js';

afterEach(disposeAll);

interface StatusBuilds { count: number; running: boolean; last: { ok: boolean; jobsRun: number; trigger: string; carried: number } | null }

const builds = async (p: TestProject) => (await p.json<{ builds: StatusBuilds }>(['status'])).builds;

/** Waits for the build the daemon starts by itself after an edit, and returns status's account of it. */
async function changeBuildFinished(p: TestProject, count: number): Promise<StatusBuilds> {
  return waitFor(async () => {
    const b = await builds(p);
    return b.count >= count && !b.running && b.last?.trigger === 'change' ? b : null;
  }, { what: `build ${count} (on change) to finish`, timeoutMs: 30_000 });
}

/** Polls status for `ms`: the daemon must not start a build by itself meanwhile. */
async function noBuildStartsWithin(p: TestProject, ms: number, count: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const b = await builds(p);
    expect(b.running, 'a build started by itself').toBe(false);
    expect(b.count).toBe(count);
  }
}

describe('build on change', () => {
  it('after a requested build, an edit is built by the daemon at once; the next request reports those jobs as its own', async () => {
    const p = await createProject('hello');
    expect((await build(p)).jobsRun).toBe(3);
    writeFileSync(p.path('src/greet.cpp'), '#include "greet.h"\n\nconst char* greeting() { return "built on change"; }\n');

    const after = await changeBuildFinished(p, 2);
    expect(after.last).toMatchObject({ ok: true, jobsRun: 2, trigger: 'change' });
    // Nobody asked yet, and the program is already up to date.
    expect(await runProgram(p.path('build/bin/hello'))).toBe('built on change');

    const asked = await build(p);
    expect(asked).toMatchObject({ ok: true, jobsRun: 2 });
    expect(ran(asked)).toEqual(['build/bin/hello', 'build/obj/src/greet.cpp.o']);
    expect(asked.jobs.map((j) => (j as { startedOnChange?: boolean }).startedOnChange)).toEqual([true, true]);
    expect(asked.jobs[0]!.reason).toMatch(/^input src\/greet\.cpp changed/);
    expect((await builds(p)).last).toMatchObject({ ok: true, jobsRun: 0, carried: 2, trigger: 'request' });

    // Reported once: the request after that has nothing to say.
    expect(await build(p)).toMatchObject({ ok: true, jobsRun: 0, jobs: [] });
    const human = await p.run(['build']);
    expect(human.stdout.trim()).toBe('jmake: no work to do');
  });

  it('a warning found on change is shown by the next jmake build; a compile error is reported by it too', async () => {
    const p = await createProject('hello');
    await build(p);
    writeFileSync(p.path('src/greet.cpp'), '#include "greet.h"\n\nconst char* greeting() { int unused = 1; return "warned"; }\n');
    await changeBuildFinished(p, 2);
    const warned = await p.run(['build']);
    expect(warned.code).toBe(0);
    expect(warned.stdout).toMatch(/greet\.cpp:3:\d+: warning: unused variable 'unused'/);
    expect(warned.stdout).toMatch(/jmake: 2 jobs in /);

    writeFileSync(p.path('src/greet.cpp'), '#include "greet.h"\n\nconst char* greeting() { return undeclared; }\n');
    const failedOnChange = await changeBuildFinished(p, 4);
    expect(failedOnChange.last).toMatchObject({ ok: false, trigger: 'change' });
    // A failure is not carried: the request runs the compile again and reports its error.
    const failed = await build(p);
    expect(failed.code).toBe(1);
    expect(ran(failed, 'compile')).toEqual(['build/obj/src/greet.cpp.o']);
    expect(failed.diagnostics).toEqual([expect.objectContaining({ file: 'src/greet.cpp', line: 3, severity: 'error' })]);
  });

  it('nothing is built before a user asked for a build, nor when [daemon] build_on_change = false', async () => {
    const p = await createProject('hello');
    expect((await p.run(['daemon', 'start'])).code).toBe(0);
    appendFileSync(p.path('src/greet.cpp'), '// edited before any build\n');
    await waitFor(async () => (await p.json<{ files: { changedSinceBuild: number } }>(['status'])).files.changedSinceBuild > 0, { what: 'the edit to be recorded' });
    await noBuildStartsWithin(p, 500, 0);

    appendFileSync(p.path('jmake.toml'), '\n[daemon]\nbuild_on_change = false\n');
    expect((await build(p)).jobsRun).toBe(3);
    appendFileSync(p.path('src/greet.cpp'), '// edited after a build, with build_on_change off\n');
    await waitFor(async () => (await p.json<{ files: { changedSinceBuild: number } }>(['status'])).files.changedSinceBuild > 0, { what: 'the edit to be recorded' });
    await noBuildStartsWithin(p, 500, 1);
    const asked = await build(p);
    expect(ran(asked, 'compile')).toEqual(['build/obj/src/greet.cpp.o']);
    expect(asked.jobs.some((j) => (j as { startedOnChange?: boolean }).startedOnChange)).toBe(false);
  });

  it('a build request made while a change build runs waits for it and reports its jobs', async () => {
    const p = await createProject('hello');
    await build(p);
    writeFileSync(p.path('src/greet.h'), '#pragma once\n\nconst char* greeting(); // v2\n');
    // At once: the request may arrive before, during or after the change build; the answer is the same.
    const asked = await build(p);
    expect(asked.ok).toBe(true);
    expect(ran(asked, 'compile')).toEqual(['build/obj/src/greet.cpp.o', 'build/obj/src/main.cpp.o']);
    expect(await build(p)).toMatchObject({ jobsRun: 0 });
  });
});
