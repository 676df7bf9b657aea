import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { execaSync } from 'execa';
import { createProject, disposeAll } from '../helpers/project.js';
import { build, ran, runProgram } from '../helpers/build.js';

afterEach(disposeAll);

function has(...tools: string[]): string | null {
  for (const tool of tools) {
    try { execaSync('sh', ['-c', `command -v ${tool}`]); } catch { return tool; }
  }
  return null;
}

const missingIr = has('clang++', 'llvm-link', 'opt', 'llc');
const missingThin = has('clang++', 'ld.lld', 'llvm-ar');
const missingPkg = has('pkg-config') ?? (() => { try { execaSync('pkg-config', ['--exists', 'zlib']); return null; } catch { return 'zlib (pkg-config)'; } })();
for (const [what, missing] of [['ir', missingIr], ['thinlto', missingThin], ['pkg-config', missingPkg]] as const) {
  if (missing) console.warn(`skipping the ${what} test: ${missing} is not installed (CI installs it)`);
}

async function withPipeline(pipeline: string) {
  const p = await createProject('lib_project');
  const toml = readFileSync(p.path('jmake.toml'), 'utf8');
  writeFileSync(p.path('jmake.toml'), toml.replace('[compile]\n', `[compile]\npipeline = "${pipeline}"\n`));
  return p;
}

describe('LLVM pipelines on fixtures/lib_project', () => {
  it.skipIf(missingIr !== null)('ir: per-source bitcode, llvm-link, opt, llc; only the edited source is re-emitted', async () => {
    const p = await withPipeline('ir');
    const first = await build(p);
    expect(first.ok).toBe(true);
    expect(new Set(first.jobs.map((j) => j.kind))).toEqual(new Set(['emit-ir', 'link-ir', 'opt', 'codegen', 'archive', 'link']));
    expect(await runProgram(p.path('build/bin/app'))).toBe('hello app from core v3, 2+3=5');
    const emit = first.jobs.find((j) => j.kind === 'emit-ir' && j.id.endsWith('counter.c.bc'))!;
    expect(emit.id).toBe('build/ir/core/core/src/counter.c.bc');

    writeFileSync(p.path('core/src/counter.c'), readFileSync(p.path('core/src/counter.c'), 'utf8').replace('return 3;', 'return 4;'));
    const edit = await build(p);
    expect(ran(edit, 'emit-ir')).toEqual(['build/ir/core/core/src/counter.c.bc']);
    expect(ran(edit, 'link-ir')).toEqual(['build/ir/core/core.linked.bc']);
    expect(await runProgram(p.path('build/bin/app'))).toBe('hello app from core v4, 2+3=5');
    expect((await build(p)).jobsRun).toBe(0);
  });

  it.skipIf(missingThin !== null)('thinlto: -flto=thin objects, llvm-ar archives, lld with a ThinLTO cache', async () => {
    const p = await withPipeline('thinlto');
    const first = await build(p);
    expect(first.ok).toBe(true);
    expect(await runProgram(p.path('build/bin/app'))).toBe('hello app from core v3, 2+3=5');
    expect(readFileSync(p.path('build/obj/core/core/src/counter.c.o')).subarray(0, 2).toString('latin1')).toBe('BC'); // bitcode, not ELF
    writeFileSync(p.path('greet/src/greet.cpp'), readFileSync(p.path('greet/src/greet.cpp'), 'utf8').replace('"hello "', '"hi "'));
    const edit = await build(p);
    expect(ran(edit, 'compile')).toEqual(['build/obj/greet/greet/src/greet.cpp.o']);
    expect(await runProgram(p.path('build/bin/app'))).toBe('hi app from core v3, 2+3=5');
  });
});

describe('pkg-config', () => {
  it.skipIf(missingPkg !== null)('resolves a package\'s flags and libraries for a target', async () => {
    const p = await createProject('hello');
    mkdirSync(p.path('zsrc'));
    writeFileSync(p.path('zsrc/crc.c'), '#include <stdio.h>\n#include <zlib.h>\nint main(void) { printf("%lx\\n", crc32(0L, (const Bytef*)"jmake", 5)); return 0; }\n');
    writeFileSync(p.path('jmake.toml'), '[project]\nname = "z"\n\n[[targets]]\nname = "crc"\nsources = ["zsrc/*.c"]\npkg_config = ["zlib"]\n');
    const result = await build(p);
    expect(result.ok).toBe(true);
    // crc32 comes from libz: the link succeeds only with pkg-config's --libs on it.
    expect(result.jobs.find((j) => j.kind === 'link')?.status).toBe('succeeded');
    expect((await runProgram(p.path('build/bin/crc'))).trim()).toMatch(/^[0-9a-f]+$/);
  });
});
