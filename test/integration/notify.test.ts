import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createProject, disposeAll, type TestProject } from '../helpers/project.js';
import { runProgram } from '../helpers/build.js';
import { waitFor } from '../helpers/wait.js';

afterEach(disposeAll);

const lineCount = (p: TestProject, rel: string) => readFileSync(p.path(rel), 'utf8').trimEnd().split('\n').length;

describe('jmake notify', () => {
  it('builds the saved file and prints its errors relative to the current directory, exit 1', async () => {
    const p = await createProject('hello');
    // No build before: notify starts the daemon and builds like any command.
    appendFileSync(p.path('src/main.cpp'), 'int broken = ;\n');
    const line = lineCount(p, 'src/main.cpp');
    const fromSrc = await p.run(['notify', 'main.cpp'], { cwd: p.path('src') });
    expect(fromSrc.code).toBe(1);
    expect(fromSrc.stdout).toMatch(new RegExp(`^main\\.cpp:${line}:\\d+: error: expected expression$`));
    const fromRoot = await p.run(['notify', 'src/main.cpp']);
    expect(fromRoot.code).toBe(1);
    expect(fromRoot.stdout).toMatch(new RegExp(`^src/main\\.cpp:${line}:\\d+: error: expected expression$`));
    const fromElsewhere = await p.run(['notify', p.path('src/main.cpp')], { cwd: p.path('..') });
    expect(fromElsewhere.stdout).toMatch(new RegExp(`^project/src/main\\.cpp:${line}:\\d+: error: `));

    // Fixed: no diagnostics, exit 0, and the program is built.
    writeFileSync(p.path('src/main.cpp'), readFileSync(p.path('src/main.cpp'), 'utf8').replace('int broken = ;\n', ''));
    const fixed = await p.run(['notify', 'src/main.cpp']);
    expect(fixed).toMatchObject({ code: 0, stdout: '' });
    expect(await runProgram(p.path('build/bin/hello'))).toBe('hello from jmake');
  });

  it('warnings only: exit 0; a save that changed nothing prints the stored diagnostics again', async () => {
    const p = await createProject('hello');
    writeFileSync(p.path('src/greet.cpp'), '#include "greet.h"\n\nconst char* greeting() {\n  int unused = 1;\n  return "warned";\n}\n');
    const first = await p.run(['notify', 'src/greet.cpp']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^src\/greet\.cpp:4:\d+: warning: unused variable .unused. \[-Wunused-variable\]$/);
    // Saved again, unchanged: nothing runs, and the editor's list is not emptied.
    const again = await p.json<{ jobsRun: number; diagnostics: { file: string; line: number; severity: string }[] }>(['notify', 'src/greet.cpp']);
    expect(again.jobsRun).toBe(0);
    expect(again.diagnostics).toEqual([expect.objectContaining({ file: 'src/greet.cpp', line: 4, severity: 'warning' })]);
    const text = await p.run(['notify', 'src/greet.cpp']);
    expect(text).toMatchObject({ code: 0, stdout: first.stdout });
    // Another file's save shows this warning too: the list is the project's.
    const other = await p.run(['notify', 'src/main.cpp']);
    expect(other.stdout).toBe(first.stdout);
  });

  it('--no-wait returns before the build, which still runs', async () => {
    const p = await createProject('hello');
    expect((await p.run(['build'])).code).toBe(0);
    writeFileSync(p.path('src/greet.cpp'), '#include "greet.h"\n\nconst char* greeting() { return "not waited for"; }\n');
    const quick = await p.json<{ waited: boolean }>(['notify', '--no-wait', 'src/greet.cpp']);
    expect(quick.waited).toBe(false);
    await waitFor(async () => (await runProgram(p.path('build/bin/hello'))) === 'not waited for', { what: 'the build notify queued', timeoutMs: 30_000 });
  });

  it('a broken jmake.toml: its error in the error-list format, exit 2', async () => {
    const p = await createProject('hello');
    const good = readFileSync(p.path('jmake.toml'), 'utf8');
    writeFileSync(p.path('jmake.toml'), good.replace('flags = ["-std=c++17", "-Wall"]', 'flags = "-Wall"'));
    const result = await p.run(['notify', 'src/main.cpp']);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^jmake\.toml:\d+:\d+: error: .*flags/m);
  });

  it('a file outside the project is named and ignored; the build still runs', async () => {
    const p = await createProject('multi');
    const result = await p.run(['notify', '/etc/hostname', 'src/main.cpp']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('/etc/hostname is not a source of this project (ignored)');
    const outside = await p.json<{ ignored: string[]; ok: boolean }>(['notify', p.path('src/main.cpp'), p.path('build/obj/x.o')]);
    expect(outside.ok).toBe(true);
    expect(outside.ignored).toEqual([p.path('build/obj/x.o')]);
  });
});
