import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execa, execaSync } from 'execa';
import { createProject, disposeAll } from '../helpers/project.js';
import { build } from '../helpers/build.js';
import { waitFor } from '../helpers/wait.js';

afterEach(disposeAll);

interface Entry { directory: string; file: string; arguments: string[]; output: string }

const hasClangd = (() => { try { execaSync('clangd', ['--version']); return true; } catch { return false; } })();
if (!hasClangd) console.warn('skipping the clangd check: clangd is not installed (CI installs it)');

describe('compile_commands.json', () => {
  it('has one entry per source with the exact command a build runs, and follows a flags change without a build', async () => {
    const p = await createProject('multi');
    const built = await build(p);
    expect(built.ok).toBe(true);
    const read = () => JSON.parse(readFileSync(p.path('compile_commands.json'), 'utf8')) as Entry[];
    const entries = read();
    const dry = await build(p, ['-n', '--force']);
    const compiles = dry.jobs.filter((j) => j.kind === 'compile');
    expect(entries.map((e) => e.file).sort()).toEqual(compiles.map((j) => p.path(j.id.replace(/^build\/obj\//, '').replace(/\.o$/, ''))).sort());
    for (const e of entries) {
      expect(e.directory).toBe(p.root);
      const job = compiles.find((j) => p.path(j.id) === e.output)!;
      // The same command, plus the colour flag jmake adds (not part of the job key).
      expect(e.arguments.filter((a) => a !== '-fdiagnostics-color=always')).toEqual((job as unknown as { command: string[] }).command);
    }

    appendFileSync(p.path('jmake.toml'), '\n[profile.unused]\nflags = ["-O3"]\n');
    const text = readFileSync(p.path('jmake.toml'), 'utf8').replace('[compile]', '[compile]\ndefines = { COMPDB_TEST = "1" }');
    writeFileSync(p.path('jmake.toml'), text);
    await waitFor(() => read().every((e) => e.arguments.includes('-DCOMPDB_TEST=1')), { what: 'compile_commands.json to follow the new define', timeoutMs: 20_000 });
  });

  it('jmake compdb writes it on demand; [compile] compdb = false writes none', async () => {
    const p = await createProject('hello');
    const r = await p.json<{ path: string; entries: number }>(['compdb']);
    expect(r).toEqual({ path: p.path('compile_commands.json'), entries: 2 });
    expect(existsSync(p.path('compile_commands.json'))).toBe(true);
    const q = await createProject('hello');
    writeFileSync(q.path('jmake.toml'), readFileSync(q.path('jmake.toml'), 'utf8').replace('output_dir = "build"', 'output_dir = "build"\ncompdb = false'));
    expect((await build(q)).ok).toBe(true);
    expect(existsSync(q.path('compile_commands.json'))).toBe(false);
    expect(await q.json(['compdb'])).toEqual({ path: null, entries: 0 });
  });

  it.skipIf(!hasClangd)('real clangd accepts it: no missing headers, no unknown flags', async () => {
    const p = await createProject('multi');
    expect((await build(p)).ok).toBe(true);
    const entries = JSON.parse(readFileSync(p.path('compile_commands.json'), 'utf8')) as Entry[];
    for (const e of entries) {
      const r = await execa('clangd', [`--compile-commands-dir=${p.root}`, `--check=${e.file}`], { reject: false, all: true, env: { ...process.env, HOME: p.root } });
      expect(r.exitCode, `clangd --check=${e.file}:\n${r.all}`).toBe(0);
      expect(r.all).not.toMatch(/file not found|unknown argument|Unknown argument/i);
      expect(r.all).toMatch(/Compile command from CDB is:/);
    }
  });
});
