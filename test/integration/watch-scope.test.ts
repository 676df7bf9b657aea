import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createProject, disposeAll, type TestProject } from '../helpers/project.js';
import { build, ran, runProgram } from '../helpers/build.js';
import { waitFor } from '../helpers/wait.js';

afterEach(disposeAll);

interface WatcherStatus { ready: boolean; watchedPaths: number; scope: string[] | null; externalWatches: number }
const watcherStatus = async (p: TestProject) => (await p.json<{ watcher: WatcherStatus; files: { tracked: number } }>(['status']));

/** hello, with 300 files the build never reads (docs, data) and a header outside src/ reached by a relative include. */
async function bigCheckout(): Promise<TestProject> {
  const p = await createProject('hello');
  for (const dir of ['docs', 'data/a', 'data/b']) {
    mkdirSync(p.path(dir), { recursive: true });
    for (let i = 0; i < 100; i++) writeFileSync(p.path(`${dir}/f${i}.txt`), `${dir} ${i}\n`);
  }
  mkdirSync(p.path('extra'));
  writeFileSync(p.path('extra/punct.h'), '#define PUNCT "!"\n');
  writeFileSync(p.path('src/main.cpp'), '#include <cstdio>\n#include "greet.h"\n#include "../extra/punct.h"\n\nint main() {\n  std::printf("%s%s\\n", greeting(), PUNCT);\n  return 0;\n}\n');
  appendFileSync(p.path('jmake.toml'), '\n[discovery]\ninclude = ["src/**/*.cpp"]\n');
  return p;
}

describe('the watch scope', () => {
  it('watches only the folders jmake.toml names (plus jmake.toml); an input outside them is still checked at each build', async () => {
    const p = await bigCheckout();
    const first = await build(p);
    expect(first.ok).toBe(true);
    expect(await runProgram(p.path('build/bin/hello'))).toBe('hello from jmake!');
    const status = await watcherStatus(p);
    expect(status.watcher.scope).toEqual(['src']);
    expect(status.files.tracked).toBe(4); // jmake.toml and src/: not docs/, data/ or extra/
    expect(status.watcher.watchedPaths).toBeLessThan(20);
    // The inputs outside the scope (extra/punct.h, <cstdio>'s system headers) are watched one by one.
    expect(status.watcher.externalWatches).toBeGreaterThan(0);

    // extra/punct.h is not in the watch scope, but the build watches it as an input of its own
    // (or stats it, where it cannot) and sees the edit.
    writeFileSync(p.path('extra/punct.h'), '#define PUNCT "?"\n');
    const rebuilt = await build(p);
    expect(ran(rebuilt)).toEqual(['build/bin/hello', 'build/obj/src/main.cpp.o']);
    expect(await runProgram(p.path('build/bin/hello'))).toBe('hello from jmake?');
    expect((await build(p)).jobsRun).toBe(0);
    // Replaced by a rename (an editor's atomic save): a new file, which is watched again after.
    writeFileSync(p.path('extra/punct.h.new'), '#define PUNCT "."\n');
    renameSync(p.path('extra/punct.h.new'), p.path('extra/punct.h'));
    expect(ran(await build(p))).toEqual(['build/bin/hello', 'build/obj/src/main.cpp.o']);
    expect(await runProgram(p.path('build/bin/hello'))).toBe('hello from jmake.');
    writeFileSync(p.path('extra/punct.h'), '#define PUNCT ";"\n');
    expect(ran(await build(p))).toEqual(['build/bin/hello', 'build/obj/src/main.cpp.o']);
    expect(await runProgram(p.path('build/bin/hello'))).toBe('hello from jmake;');
  });

  it('follows jmake.toml: a new source folder is watched once the config names it', async () => {
    const p = await bigCheckout();
    expect((await build(p)).ok).toBe(true);
    mkdirSync(p.path('lib'));
    writeFileSync(p.path('lib/punct.cpp'), 'const char* punct() { return "."; }\n');
    const toml = readFileSync(p.path('jmake.toml'), 'utf8').replace('include = ["src/**/*.cpp"]', 'include = ["src/**/*.cpp", "lib/*.cpp"]');
    writeFileSync(p.path('jmake.toml'), toml);
    await waitFor(async () => {
      const s = await watcherStatus(p);
      return s.watcher.ready && JSON.stringify(s.watcher.scope) === '["lib","src"]' && s.files.tracked === 5;
    }, { what: 'the watcher to take lib/ in', timeoutMs: 30_000 });
    const result = await build(p);
    expect(result.ok).toBe(true);
    expect(ran(result, 'compile')).toContain('build/obj/lib/punct.cpp.o');
  });
});
