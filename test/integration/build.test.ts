import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createProject, disposeAll } from '../helpers/project.js';
import { build, foldersNamed, ran, runProgram, fileHash } from '../helpers/build.js';
import { events } from '../helpers/events.js';

afterEach(disposeAll);

// A lone [binary] keeps its objects in build/obj/; [[targets]] use build/obj/<target>/.
const obj = (_binary: string, src: string) => `build/obj/${src}.o`;

describe('object pipeline on fixtures/hello', () => {
  it('builds the program, then a no-op and a touch run nothing', async () => {
    const p = await createProject('hello');
    const first = await build(p);
    expect(first).toMatchObject({ ok: true, code: 0, jobsRun: 3, outputs: [p.path('build/bin/hello')] });
    expect(first.jobs.map((j) => [j.kind, j.status])).toEqual([['compile', 'succeeded'], ['compile', 'succeeded'], ['link', 'succeeded']]);
    expect(first.jobs.every((j) => j.output.startsWith(p.root) && j.reason === 'never built')).toBe(true);
    expect(await runProgram(p.path('build/bin/hello'))).toBe('hello from jmake');

    const noop = await build(p);
    expect(noop).toMatchObject({ ok: true, jobsRun: 0, jobs: [], outputs: [p.path('build/bin/hello')] });
    // The no-op is a build in the log too: its start and finish, recorded together, under its number.
    const noopEvents = await events(p, ['--since', String(noop.build - 1)]);
    expect(noopEvents.slice(0, 2).map((e) => [e.seq, e.type])).toEqual([[noop.build, 'build-started'], [noop.build + 1, 'build-finished']]);
    expect(noopEvents[1]!.data).toMatchObject({ build: noop.build, ok: true, jobsRun: 0, trigger: 'request' });

    const future = new Date(Date.now() + 120_000);
    utimesSync(p.path('src/main.cpp'), future, future);
    utimesSync(p.path('src/greet.h'), future, future);
    expect((await build(p)).jobsRun).toBe(0);
  });

  it('one source edit runs one compile and one link; a comment-only edit stops at the compile (early cutoff)', async () => {
    const p = await createProject('hello');
    await build(p);
    writeFileSync(p.path('src/greet.cpp'), '#include "greet.h"\n\nconst char* greeting() { return "hello again"; }\n');
    const edited = await build(p);
    expect(ran(edited)).toEqual(['build/bin/hello', obj('hello', 'src/greet.cpp')]);
    expect(await runProgram(p.path('build/bin/hello'))).toBe('hello again');
    const linked = fileHash(p.path('build/bin/hello'));

    appendFileSync(p.path('src/greet.cpp'), '// only a comment\n');
    const comment = await build(p);
    expect(ran(comment)).toEqual([obj('hello', 'src/greet.cpp')]);
    expect(fileHash(p.path('build/bin/hello'))).toBe(linked);
  });

  it('a changed compile flag recompiles everything; a changed binary name relinks only', async () => {
    const p = await createProject('hello');
    await build(p);
    const toml = readFileSync(p.path('jmake.toml'), 'utf8');
    writeFileSync(p.path('jmake.toml'), toml.replace('"-Wall"', '"-Wall", "-DEXTRA=1"'));
    const flags = await build(p);
    expect(ran(flags, 'compile')).toHaveLength(2);
    expect(flags.jobs.find((j) => j.kind === 'compile')!.reason).toBe('the command line changed');

    writeFileSync(p.path('jmake.toml'), readFileSync(p.path('jmake.toml'), 'utf8').replace('name = "hello"\n\n', 'name = "hello"\n\n').replace(/\[binary\]\ntype = "executable"\nname = "hello"/, '[binary]\ntype = "executable"\nname = "greeter"'));
    const renamed = await build(p);
    expect(ran(renamed)).toEqual(['build/bin/greeter']);
    expect(renamed.outputs).toEqual([p.path('build/bin/greeter')]);
    expect(await runProgram(p.path('build/bin/greeter'))).toBe('hello from jmake');
    expect(existsSync(p.path('build/bin/hello'))).toBe(false); // a removed target's output is deleted
  });

  it('an added source is compiled and linked; a removed one is unlinked and its object deleted', async () => {
    const p = await createProject('hello');
    await build(p);
    writeFileSync(p.path('src/extra.cpp'), 'int extra() { return 7; }\n');
    const added = await build(p);
    expect(ran(added)).toEqual(['build/bin/hello', obj('hello', 'src/extra.cpp')]);
    rmSync(p.path('src/extra.cpp'));
    const removed = await build(p);
    expect(ran(removed)).toEqual(['build/bin/hello']);
    expect(existsSync(p.path(obj('hello', 'src/extra.cpp')))).toBe(false);
    expect(await runProgram(p.path('build/bin/hello'))).toBe('hello from jmake');
  });

  it('rebuilds an output deleted or changed by hand', async () => {
    const p = await createProject('hello');
    await build(p);
    rmSync(p.path(obj('hello', 'src/main.cpp')));
    const deleted = await build(p);
    // Run again, which restores it from the compile cache (test/integration/cache.test.ts).
    expect(deleted.jobs.map((j) => [j.id, j.status])).toEqual([[obj('hello', 'src/main.cpp'), 'cached']]);
    expect(deleted.jobs[0]!.reason).toBe('its output is missing');
    writeFileSync(p.path('build/bin/hello'), 'not a program');
    const modified = await build(p);
    expect(ran(modified)).toEqual(['build/bin/hello']);
    expect(modified.jobs[0]!.reason).toBe('its output was modified');
    expect(await runProgram(p.path('build/bin/hello'))).toBe('hello from jmake');
  });

  it('--explain, -n, --force and clean', async () => {
    const p = await createProject('hello');
    const dry = await build(p, ['-n']);
    expect(dry).toMatchObject({ dryRun: true, jobsRun: 0 });
    expect(dry.jobs.map((j) => j.status)).toEqual(['would-run', 'would-run', 'would-run']);
    expect(existsSync(p.path('build/bin/hello'))).toBe(false);
    await build(p);
    writeFileSync(p.path('src/greet.h'), '#pragma once\n\nconst char* greeting(); // changed\n');
    const explain = await p.run(['build', '--explain']);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toMatch(/jmake explain: build\/obj\/src\/greet\.cpp\.o: input src\/greet\.h changed \([0-9a-f]+ -> [0-9a-f]+\)/);
    expect((await build(p, ['--force', '--no-cache'])).jobsRun).toBe(3);
    expect(existsSync(p.path('build/bin/.jmake-tmp'))).toBe(true);
    // What a killed build leaves in a temp folder (never trusted) goes with it.
    writeFileSync(p.path('build/bin/.jmake-tmp/hello.4242.tmp'), 'half a program');
    const cleaned = await p.json(['clean']);
    expect(cleaned.removed).toBe(3);
    expect(existsSync(p.path('build/bin/hello'))).toBe(false);
    // Its own temp folders go too (the output folders stay, as ninja's do).
    expect(foldersNamed(p.path('build'), '.jmake-tmp')).toEqual([]);
    expect(existsSync(p.path('build/bin'))).toBe(true);
    expect((await build(p, ['--no-cache'])).jobsRun).toBe(3);
  });
});

describe('history of a job', () => {
  it('jmake why tells from the event log why an output was rebuilt; status shows the last build', async () => {
    const p = await createProject('hello');
    // Counting builds: none may start on its own (build-on-change.test.ts covers those).
    appendFileSync(p.path('jmake.toml'), '\n[daemon]\nbuild_on_change = false\n');
    await build(p);
    appendFileSync(p.path('src/greet.h'), '// v2\n');
    await build(p);
    const why = await p.json(['why', obj('hello', 'src/main.cpp')]);
    expect(why.job).toBe(obj('hello', 'src/main.cpp'));
    expect(why.runs.map((r: { reason: string }) => r.reason)).toEqual([
      'never built before',
      expect.stringMatching(/^input src\/greet\.h changed \([0-9a-f]+ -> [0-9a-f]+\)$/),
    ]);
    const status = await p.json(['status']);
    expect(status.builds).toMatchObject({ running: false, count: 2, jobs: 3, last: { ok: true, jobsRun: 2 } });
    expect(status.files.changedSinceBuild).toBe(0);
  });
});

describe('a link of many objects', () => {
  it('records an edit as a patch of its inputs, which why, a restart and a replay without snapshot read back', async () => {
    const p = await createProject('hello');
    appendFileSync(p.path('jmake.toml'), '\n[daemon]\nbuild_on_change = false\n');
    mkdirSync(p.path('src/gen'));
    const name = (i: number) => `f${String(i).padStart(2, '0')}`;
    for (let i = 0; i < 70; i++) writeFileSync(p.path(`src/gen/${name(i)}.cpp`), `int ${name(i)}() { return ${i}; }\n`);
    expect((await build(p)).jobsRun).toBe(73);
    writeFileSync(p.path('src/gen/f42.cpp'), 'int f42() { return 4242; }\n');
    expect(ran(await build(p))).toEqual(['build/bin/hello', obj('hello', 'src/gen/f42.cpp')]);
    // The link's record names the one object that changed, not all 72 (events/inputs-patch.ts).
    const links = (await events(p, ['--type', 'job-finished'])).filter((e) => e.data.job === 'build/bin/hello');
    expect(links).toHaveLength(2);
    expect(Array.isArray(links[0]!.data.inputs)).toBe(true);
    expect(links[1]!.data.inputs).toEqual({ since: links[0]!.seq, changed: [[expect.any(Number), expect.stringMatching(/^[0-9a-f]{16}$/)]] });
    const index = links[1]!.data.inputs.changed[0][0];
    expect(links[0]!.data.inputs[index][0]).toBe(obj('hello', 'src/gen/f42.cpp'));
    const why = await p.json(['why', 'build/bin/hello']);
    expect(why.runs.map((r: { reason: string }) => r.reason)).toEqual([
      'never built before', expect.stringMatching(/^input build\/obj\/src\/gen\/f42\.cpp\.o changed \([0-9a-f]+ -> [0-9a-f]+\)$/),
    ]);
    // Rebuilt from the log alone, the link's inputs are what they were: nothing runs.
    await p.run(['daemon', 'stop']);
    rmSync(p.path('.jmake/snapshot.json'));
    expect((await build(p)).jobsRun).toBe(0);
    const replays = p.daemonLog().split('\n').filter((line) => line.includes('[log] replayed'));
    expect(replays).toHaveLength(2);
    expect(replays[1]).not.toMatch(/after the snapshot/);
  });
});

describe('header dependencies on fixtures/multi', () => {
  it('a header edit rebuilds exactly the sources that include it', async () => {
    const p = await createProject('multi');
    const first = await build(p);
    expect(first.ok).toBe(true);
    expect(await runProgram(p.path('build/bin/multi'))).toBe('AREAS! 12 9');
    appendFileSync(p.path('include/util/math.h'), '// touched\n');
    const header = await build(p);
    expect(ran(header, 'compile')).toEqual([obj('multi', 'src/shapes/circle.cpp'), obj('multi', 'src/util/math.c')]);
    appendFileSync(p.path('src/shapes/shape.h'), 'double unused_area();\n');
    const shape = await build(p);
    expect(ran(shape, 'compile')).toEqual([obj('multi', 'src/main.cpp'), obj('multi', 'src/shapes/circle.cpp'), obj('multi', 'src/shapes/square.cpp')]);
  });
});

describe('libraries on fixtures/lib_project', () => {
  it('builds a static and a shared library, a program that runs from the build dir, and one test per source', async () => {
    const p = await createProject('lib_project');
    const result = await build(p);
    expect(result.ok).toBe(true);
    expect(result.outputs).toEqual(['lib/libcore.a', 'lib/libgreet.so', 'bin/app', 'bin/add_test', 'bin/version_test'].map((o) => p.path(`build/${o}`)));
    expect(await runProgram(p.path('build/bin/app'))).toBe('hello app from core v3, 2+3=5');
    await runProgram(p.path('build/bin/add_test'));
    await runProgram(p.path('build/bin/version_test'));
    const readelf = readFileSync(p.path('build/lib/libgreet.so')).includes(Buffer.from('libgreet.so'));
    expect(readelf).toBe(true); // the soname is recorded in the library
    const onlyTests = await build(p, ['add_test']);
    expect(onlyTests.outputs).toEqual([p.path('build/bin/add_test')]);
  });

  it('a program declared before the library it links is relinked when the library changes', async () => {
    const p = await createProject('hello');
    // The plan's order is then not a dependency order: the build must not judge the program's
    // link before the library's archive.
    // No build on change: one requested build must do it all.
    writeFileSync(p.path('jmake.toml'), '[project]\nname = "order"\n\n[daemon]\nbuild_on_change = false\n\n[[targets]]\nname = "app"\nsources = ["app/*.c"]\nlink = ["util"]\n\n[[targets]]\nname = "util"\ntype = "static"\nsources = ["util/*.c"]\n');
    mkdirSync(p.path('app'));
    mkdirSync(p.path('util'));
    writeFileSync(p.path('app/main.c'), '#include <stdio.h>\nint util(void);\nint main(void) { printf("%d\\n", util()); return 0; }\n');
    writeFileSync(p.path('util/util.c'), 'int util(void) { return 1; }\n');
    expect((await build(p)).ok).toBe(true);
    expect(await runProgram(p.path('build/bin/app'))).toBe('1');
    writeFileSync(p.path('util/util.c'), 'int util(void) { return 2; }\n');
    const edited = await build(p);
    expect(ran(edited)).toEqual(['build/bin/app', 'build/lib/libutil.a', 'build/obj/util/util/util.c.o']);
    expect(await runProgram(p.path('build/bin/app'))).toBe('2');
  });
});

describe('a failing build on fixtures/broken', () => {
  it('exits 1 with parsed diagnostics, skips the link, and keeps going when asked', async () => {
    const p = await createProject('broken');
    const result = await build(p);
    expect(result.code).toBe(1);
    expect(result.ok).toBe(false);
    const failed = result.jobs.find((j) => j.status === 'failed')!;
    expect(failed).toMatchObject({ kind: 'compile', id: 'build/obj/src/main.c.o' });
    expect(failed.log).toMatch(/missing_value/);
    expect(failed.log).not.toMatch(/\u001b\[/);
    expect(result.diagnostics).toContainEqual(expect.objectContaining({ file: 'src/main.c', line: 7, severity: 'error', message: expect.stringMatching(/missing_value/) }));
    expect(result.jobs.find((j) => j.kind === 'link')?.status).toBe('skipped');
    expect(existsSync(p.path('build/obj/src/main.c.o'))).toBe(false);

    const human = await p.run(['build']);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/FAILED: compile build\/obj\/src\/main\.c\.o/);
    expect(human.stdout).toMatch(/src\/main\.c:7:\d+: error: .*missing_value/);

    // One job at a time, main.c first: without --keep-going ok.c never starts; with it, it is built.
    const q = await createProject('broken');
    const stops = await build(q, ['-j', '1']);
    expect(stops.jobs.map((j) => [j.id, j.status])).toEqual([
      ['build/obj/src/main.c.o', 'failed'], ['build/obj/src/ok.c.o', 'skipped'], ['build/bin/broken', 'skipped'],
    ]);
    const keepGoing = await build(q, ['-j', '1', '--keep-going']);
    expect(keepGoing.jobs.find((j) => j.id === 'build/obj/src/ok.c.o')?.status).toBe('succeeded');
    expect(existsSync(q.path('build/obj/src/ok.c.o'))).toBe(true);
    expect(keepGoing.code).toBe(1);
  });
});

describe('configuration errors', () => {
  it('a wrong type names the key and its line, and exits 2', async () => {
    const p = await createProject('hello');
    writeFileSync(p.path('jmake.toml'), '[project]\nname = "hello"\n\n[compile]\nflags = "-Wall"\n');
    const result = await p.run(['build', '--json']);
    expect(result.code).toBe(2);
    const error = JSON.parse(result.stdout).error;
    expect(error.code).toBe('config-invalid');
    expect(error.message).toMatch(/jmake\.toml:5:1: error: compile\.flags must be an array of strings/);
  });
});
