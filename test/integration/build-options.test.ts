import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { BIN, createProject, disposeAll } from '../helpers/project.js';
import { build, ran, runProgram } from '../helpers/build.js';
import { waitFor } from '../helpers/wait.js';

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

  it('-v prints each command line; without it, the status lines name the jobs and no command travels', async () => {
    const p = await createProject('hello');
    const plain = await p.run(['build']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^\[1\/3\] compile src\/\S+\.cpp$/m);
    expect(plain.stdout).not.toMatch(/-o build\/bin\/hello/);
    const verbose = await p.run(['build', '--force', '-v']);
    expect(verbose.code).toBe(0);
    expect(verbose.stdout).toMatch(/^\[3\/3\] \S+ .*-o build\/bin\/\.jmake-tmp\/hello/m);
    expect(verbose.stdout).toMatch(/^\[1\/3\] \S+ .*-c src\/\S+\.cpp/m);
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

describe('an edit during a build', () => {
  it('is never marked up to date with the old content: the next build compiles it again', async () => {
    const p = await createProject('broken');
    writeFileSync(p.path('src/main.c'), 'int ok_value(void);\nint main(void) { return ok_value() - 1; }\n');
    // A compiler that holds the compile of ok.c until a signal file exists, so the test edits ok.c
    // after its job started (its key is taken from the content at the start).
    const gate = p.path('gate');
    const wrapper = p.path('gated-cc.sh');
    writeFileSync(wrapper, `#!/bin/sh\ncase " $* " in *" src/ok.c "*) while [ ! -e '${gate}' ]; do sleep 0.05; done ;; esac\nexec cc "$@"\n`);
    chmodSync(wrapper, 0o755);
    const env = { ...p.env, CC: wrapper };
    const building = p.run(['build', '--json', '-j', '1'], { env });
    await waitForFile(p.path('.jmake/events.log'), '"type":"job-started","v":1,"data":{"build":', 'build/obj/src/ok.c.o');
    writeFileSync(p.path('src/ok.c'), 'int ok_value(void) { return 3; }\n');
    await p.json(['status']); // the edit is recorded before the compiler reads the file
    writeFileSync(gate, '');
    expect(JSON.parse((await building).stdout).ok).toBe(true);
    const second = JSON.parse((await p.run(['build', '--json'], { env })).stdout);
    expect(ran(second, 'compile')).toEqual(['build/obj/src/ok.c.o']);
    expect(second.jobs.find((j: { id: string }) => j.id === 'build/obj/src/ok.c.o').reason).toMatch(/^input src\/ok\.c changed/);
    expect((await execa(p.path('build/bin/broken'), [], { reject: false })).exitCode).toBe(2);
    expect(JSON.parse((await p.run(['build', '--json'], { env })).stdout).jobsRun).toBe(0);
  });
});

/** Wait until a line of the file holds every one of `parts`. */
async function waitForFile(path: string, ...parts: string[]): Promise<void> {
  await waitFor(() => {
    try { return readFileSync(path, 'utf8').split('\n').some((line) => parts.every((part) => line.includes(part))); } catch { return false; }
  }, { what: `${parts.join(' + ')} in ${path}` });
}

describe('large answers', () => {
  it('a --json answer larger than a pipe buffer (64 KiB) arrives whole', async () => {
    const p = await createProject('hello');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(p.path('src/many'));
    for (let i = 0; i < 400; i++) writeFileSync(p.path(`src/many/file_${String(i).padStart(3, '0')}.cpp`), `int f${i}() { return ${i}; }\n`);
    const result = await p.run(['build', '-n', '--json']);
    expect(result.stdout.length).toBeGreaterThan(128 * 1024);
    const parsed = JSON.parse(result.stdout);
    expect(parsed.jobs).toHaveLength(403);
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
