import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createProject, disposeAll, isAlive, type TestProject } from '../helpers/project.js';
import { waitFor } from '../helpers/wait.js';
import { build, ran, runProgram } from '../helpers/build.js';

afterEach(disposeAll);

const BASE = '[project]\nname = "uj"\n\n[compile]\nflags = ["-std=c++17"]\n\n[binary]\nname = "uj"\n\n[daemon]\nbuild_on_change = false\n';

/** fixtures/hello with its sources replaced: main.cpp prints GREETING from a header a job generates. */
async function generatorProject(jobs: string): Promise<TestProject> {
  const p = await createProject('hello');
  writeFileSync(p.path('src/greet.cpp'), 'int unused_greet() { return 0; }\n');
  writeFileSync(p.path('src/main.cpp'), '#include "generated.h"\n#include <cstdio>\nint main() { std::puts(GREETING); return 0; }\n');
  mkdirSync(p.path('gen'));
  writeFileSync(p.path('gen/word.txt'), 'hello');
  writeFileSync(p.path('jmake.toml'), `${BASE}\n${jobs}`);
  return p;
}

const GEN = `[[jobs]]
id = "gen"
run = ["sh", "-c", "printf '#define GREETING \\"%s\\"\\\\n' \\"$(cat gen/word.txt)\\" > src/generated.h"]
inputs = ["gen/word.txt"]
outputs = ["src/generated.h"]
`;

describe('[[jobs]] in the build', () => {
  it('a generated header is made before the first compile; editing the generator\'s input re-runs it and the affected compile only', async () => {
    const p = await generatorProject(`${GEN}
[[jobs]]
id = "check"
run = ["{{project.root}}/build/bin/uj"]
depends_on = ["build"]
inputs = ["gen/word.txt"]

[[jobs]]
id = "where"
run = ["echo", "{{project.root}}", "{{config_path}}", "{{compile.output_dir}}"]
inputs = ["gen/word.txt"]
`);
    const first = await build(p);
    expect(first.ok).toBe(true);
    expect(ran(first, 'job')).toEqual(['check', 'gen', 'where']);
    expect(first.jobs.find((j) => j.id === 'check')!.log.trim()).toBe('hello');
    expect(first.jobs.find((j) => j.id === 'where')!.log).toBe(`${p.root} ${p.root}/jmake.toml build\n`);
    expect(await runProgram(p.path('build/bin/uj'))).toBe('hello');
    expect((await build(p)).jobsRun).toBe(0);

    writeFileSync(p.path('gen/word.txt'), 'world');
    const second = await build(p);
    expect(ran(second)).toEqual(['build/bin/uj', 'build/obj/src/main.cpp.o', 'check', 'gen', 'where']);
    expect(await runProgram(p.path('build/bin/uj'))).toBe('world');
  });

  it('a → b → c with b failing: c never runs; once b is fixed, a is not run again', async () => {
    const p = await generatorProject(`
[[jobs]]
id = "a"
run = ["sh", "-c", "echo a >> ran.log"]
inputs = ["gen/word.txt"]

[[jobs]]
id = "b"
run = ["sh", "-c", "echo b >> ran.log; test -f gen/ok"]
inputs = ["gen/word.txt"]
depends_on = ["a"]

[[jobs]]
id = "c"
run = ["sh", "-c", "echo c >> ran.log"]
inputs = ["gen/word.txt"]
depends_on = ["b"]
`);
    writeFileSync(p.path('src/main.cpp'), 'int main() { return 0; }\n');
    const failed = await build(p, ['--keep-going']);
    expect(failed.code).toBe(1);
    expect(Object.fromEntries(failed.jobs.filter((j) => j.kind === 'job').map((j) => [j.id, j.status]))).toEqual({ a: 'succeeded', b: 'failed', c: 'skipped' });
    expect(existsSync(p.path('build/bin/uj'))).toBe(true); // independent work went on

    // The states come from the event log: the same after a daemon restart.
    const listed = async () => (await p.json<{ jobs: { id: string; kind: string; status: string; exitCode: number | null; error: string | null }[] }>(['jobs'])).jobs;
    const before = await listed();
    expect(before.map((j) => [j.id, j.kind, j.status, j.exitCode])).toEqual([['a', 'job', 'succeeded', 0], ['b', 'job', 'failed', 1], ['c', 'job', 'skipped', null]]);
    expect((await p.run(['daemon', 'restart'])).code).toBe(0);
    expect(await listed()).toEqual(before);
    const all = (await p.json<{ jobs: { id: string; kind: string }[] }>(['jobs', '--all'])).jobs;
    expect(all.filter((j) => j.kind !== 'job').map((j) => `${j.kind} ${j.id}`)).toEqual(['link build/bin/uj', 'compile build/obj/src/greet.cpp.o', 'compile build/obj/src/main.cpp.o']);

    writeFileSync(p.path('gen/ok'), '');
    const resumed = await p.run(['jobs', 'resume', '--json']);
    expect(resumed.code).toBe(0);
    const fixed = JSON.parse(resumed.stdout) as { ok: boolean; jobs: { id: string; status: string }[] };
    expect(fixed.jobs.map((j) => [j.id, j.status])).toEqual([['b', 'succeeded'], ['c', 'succeeded']]);
    expect(readFileSync(p.path('ran.log'), 'utf8')).toBe('a\nb\nb\nc\n'); // a ran once
    expect((await p.run(['jobs', 'resume'])).stdout).toMatch(/no failed jobs to resume/);
  });

  it('retries only when asked, with backoff; a timeout fails the job; a cycle is named', async () => {
    const p = await generatorProject(`
[[jobs]]
id = "flaky"
run = ["sh", "-c", "n=$(cat count 2>/dev/null || echo 0); echo $((n+1)) > count; test $n -ge 2 || exit 75"]
inputs = ["gen/word.txt"]
retries = 3
retry_on = [75]

[[jobs]]
id = "once"
run = ["sh", "-c", "echo x >> once.log; exit 75"]
inputs = ["gen/word.txt"]

[[jobs]]
id = "slow"
run = ["sleep", "30"]
inputs = ["gen/word.txt"]
timeout = "300ms"
`);
    writeFileSync(p.path('src/main.cpp'), 'int main() { return 0; }\n');
    const r = await build(p, ['--keep-going']);
    const by = Object.fromEntries(r.jobs.map((j) => [j.id, j]));
    expect(by.flaky!.status).toBe('succeeded');
    expect(by.flaky!.log).toMatch(/attempt 2 of 4 in 250 ms[\s\S]*attempt 3 of 4 in 500 ms/);
    expect(by.once!.status).toBe('failed');
    expect(readFileSync(p.path('once.log'), 'utf8')).toBe('x\n'); // not asked to retry: ran once
    expect(by.slow!.status).toBe('failed');
    expect(by.slow!.log).toMatch(/timed out after 300 ms/);
    expect(by.slow!.durationMs).toBeLessThan(20_000);

    writeFileSync(p.path('jmake.toml'), `${BASE}\n[[jobs]]\nid = "x"\nrun = ["true"]\ndepends_on = ["y"]\n\n[[jobs]]\nid = "y"\nrun = ["true"]\ndepends_on = ["x"]\n`);
    const cyclic = await p.run(['build']);
    expect(cyclic.code).toBe(2);
    expect(cyclic.stderr).toMatch(/jobs depend on each other in a cycle: x -> y -> x/);
  });

  it('jmake jobs cancel stops a running job from another terminal: its process is killed, its output discarded, its state cancelled', async () => {
    const p = await generatorProject('[[jobs]]\nid = "slow"\nrun = ["sh", "-c", "echo partial > slow.out; echo $$ > slow.pid; exec sleep 60"]\noutputs = ["slow.out"]\n');
    writeFileSync(p.path('src/main.cpp'), 'int main() { return 0; }\n');
    expect((await build(p)).ok).toBe(true); // no inputs: a plain build does not run it
    expect(existsSync(p.path('slow.pid'))).toBe(false);
    const running = p.run(['jobs', 'run', 'slow']);
    const pid = await waitFor(() => (existsSync(p.path('slow.pid')) ? Number(readFileSync(p.path('slow.pid'), 'utf8')) || null : null), { what: 'the job to start' });
    expect((await p.json<{ jobs: { id: string; status: string }[] }>(['jobs'])).jobs).toEqual([expect.objectContaining({ id: 'slow', status: 'running' })]);
    const cancel = await p.run(['jobs', 'cancel']);
    expect(cancel).toMatchObject({ code: 0, stdout: 'jmake: cancelled the running build' });
    expect((await running).code).toBe(130);
    await waitFor(() => !isAlive(pid), { what: `the job's process ${pid} to be gone` });
    expect(existsSync(p.path('slow.out'))).toBe(false);
    const listed = await p.json<{ jobs: { id: string; status: string }[] }>(['jobs']);
    expect(listed.jobs).toEqual([expect.objectContaining({ id: 'slow', status: 'cancelled' })]);
    expect((await p.run(['jobs', 'cancel'])).stdout).toBe('jmake: nothing is running');
  });

  it('among ready jobs, higher priority starts first', async () => {
    const job = (id: string, priority: number) => `[[jobs]]\nid = "${id}"\nrun = ["sh", "-c", "echo ${id} >> order.log"]\npriority = ${priority}\n`;
    const p = await generatorProject(`${job('low', 0)}\n${job('high', 9)}\n${job('mid', 5)}\n`);
    writeFileSync(p.path('src/main.cpp'), 'int main() { return 0; }\n');
    expect((await p.run(['jobs', 'run', 'low', 'high', 'mid', '-j', '1'])).code).toBe(0);
    expect(readFileSync(p.path('order.log'), 'utf8')).toBe('high\nmid\nlow\n');
  });

  it('a generated source is compiled and linked on the first build; changing the generator\'s input re-runs it, that compile and the link only', async () => {
    const p = await generatorProject(`[[jobs]]
id = "answer"
run = ["sh", "-c", "printf 'int answer() { return %s; }\\n' \\"$(cat gen/word.txt)\\" > src/gen/answer.cpp"]
inputs = ["gen/word.txt"]
outputs = ["src/gen/answer.cpp"]
`);
    mkdirSync(p.path('src/gen'));
    writeFileSync(p.path('gen/word.txt'), '41');
    writeFileSync(p.path('src/main.cpp'), '#include <cstdio>\nint answer();\nint main() { std::printf("%d\\n", answer()); return 0; }\n');
    const first = await build(p);
    expect(first.ok, JSON.stringify(first)).toBe(true);
    expect(ran(first)).toEqual(['answer', 'build/bin/uj', 'build/obj/src/gen/answer.cpp.o', 'build/obj/src/greet.cpp.o', 'build/obj/src/main.cpp.o']);
    expect(await runProgram(p.path('build/bin/uj'))).toBe('41');
    writeFileSync(p.path('gen/word.txt'), '42');
    const second = await build(p);
    expect(ran(second)).toEqual(['answer', 'build/bin/uj', 'build/obj/src/gen/answer.cpp.o']);
    expect(await runProgram(p.path('build/bin/uj'))).toBe('42');
  });
});
