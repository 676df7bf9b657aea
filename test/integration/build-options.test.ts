import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, chmodSync, existsSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { BIN, createProject, disposeAll } from '../helpers/project.js';
import { build, ran, runProgram } from '../helpers/build.js';

afterEach(disposeAll);

describe('build options', () => {
  it('--profile builds into its own dir with its flags; CFLAGS/CXXFLAGS are part of the key', async () => {
    const p = await createProject('hello');
    const release = await build(p, ['--profile', 'release', '-v']);
    expect(release.ok).toBe(true);
    expect(release.outputs).toEqual([p.path('build/release/bin/hello')]);
    expect(await runProgram(p.path('build/release/bin/hello'))).toBe('hello from jmake');
    const dry = await build(p, ['--profile', 'release', '--force', '-n']);
    expect(dry.jobs[0]!.id).toBe('build/release/obj/src/greet.cpp.o');
    const debug = await build(p);
    expect(debug.jobsRun).toBe(3); // the default profile has its own outputs
    const withEnv = await p.run(['build', '--json'], { env: { ...p.env, CXXFLAGS: '-DFROM_ENV=1' } });
    const result = JSON.parse(withEnv.stdout);
    expect(ran(result, 'compile')).toHaveLength(2);
    expect(result.jobs[0].reason).toBe('the command line changed');
    const unknown = await p.run(['build', '--profile', 'nope', '--json']);
    expect(unknown.code).toBe(2);
  });

  it('--warnings shows the warnings of sources that are up to date', async () => {
    const p = await createProject('hello');
    writeFileSync(p.path('src/greet.cpp'), '#include "greet.h"\n\nconst char* greeting() { int unused = 1; return "hello from jmake"; }\n');
    const first = await build(p);
    expect(first.diagnostics).toContainEqual(expect.objectContaining({ file: 'src/greet.cpp', line: 3, severity: 'warning', message: expect.stringMatching(/unused/) }));
    const noop = await build(p, ['--warnings']);
    expect(noop.jobsRun).toBe(0);
    expect(noop.diagnostics).toEqual([]);
    expect(noop.earlierDiagnostics).toContainEqual(expect.objectContaining({ file: 'src/greet.cpp', line: 3, severity: 'warning' }));
  });

  it('a build asked for during another waits for it, then finds nothing to do', async () => {
    const p = await createProject('multi');
    const [a, b] = await Promise.all([build(p), build(p)]);
    expect(a.ok && b.ok).toBe(true);
    expect([a.jobsRun, b.jobsRun].sort((x, y) => x - y)).toEqual([0, 6]);
  });

  it('a changed compiler binary rebuilds the jobs that used it, and only those', async () => {
    const p = await createProject('broken');
    writeFileSync(p.path('src/main.c'), 'int ok_value(void);\nint main(void) { return ok_value() - 1; }\n');
    const wrapper = p.path('my-cc.sh');
    writeFileSync(wrapper, '#!/bin/sh\nexec cc "$@"\n');
    chmodSync(wrapper, 0o755);
    const env = { ...p.env, CC: wrapper, CXX: 'c++' };
    const run = async () => JSON.parse((await p.run(['build', '--json'], { env })).stdout);
    expect((await run()).ok).toBe(true);
    expect((await run()).jobsRun).toBe(0);
    appendFileSync(wrapper, '# upgraded\n');
    const upgraded = await run();
    expect(ran(upgraded, 'compile')).toEqual(['build/obj/src/main.c.o', 'build/obj/src/ok.c.o']);
    expect(upgraded.jobs.find((j: { kind: string }) => j.kind === 'compile').reason).toMatch(/the tool changed/);
    expect(existsSync(p.path('build/bin/broken'))).toBe(true);
    await execa(p.path('build/bin/broken'));
  });
});

describe('jmake tools', () => {
  it('lists the chosen set and everything found', async () => {
    const p = await createProject('hello');
    const tools = await p.json(['tools']);
    expect(['clang', 'gcc']).toContain(tools.family);
    expect(tools.chosen.cxx.path).toMatch(/\+\+|c\+\+/);
    expect(tools.found.length).toBeGreaterThan(1);
    const human = await execa(process.execPath, [BIN, 'tools'], { cwd: p.root, env: p.env, extendEnv: false });
    expect(human.stdout).toMatch(/^toolchain: (clang|gcc)/);
  });
});
