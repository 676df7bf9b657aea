import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { createProject, disposeAll, type TestProject } from '../helpers/project.js';
import { build, runProgram } from '../helpers/build.js';

afterEach(disposeAll);

const MINIMAL = `# hello, completed by jmake: keep this comment.
[project]
name = ""   # jmake complete fills this in

[compile]
flags = [
  "-std=c++17",  # the language
  "-Wall",
]
`;

/** fixtures/hello with its header moved to include/ and a minimal, commented jmake.toml. */
async function minimalProject(): Promise<TestProject> {
  const p = await createProject('hello');
  mkdirSync(p.path('include'));
  renameSync(p.path('src/greet.h'), p.path('include/greet.h'));
  writeFileSync(p.path('jmake.toml'), MINIMAL);
  return p;
}

/** Every line of `before` appears in `after`, in order (lines may be added between them). */
function keepsLines(before: string, after: string, replaced: Record<string, string> = {}): boolean {
  const lines = after.split('\n');
  let at = 0;
  for (const line of before.split('\n')) {
    const want = replaced[line] ?? line;
    while (at < lines.length && lines[at] !== want) at++;
    if (at === lines.length) return false;
    at++;
  }
  return true;
}

describe('jmake complete', () => {
  it('fills the missing fields through its jobs, keeps every line the user wrote, and a second run changes nothing', async () => {
    const p = await minimalProject();
    const dry = await p.json(['complete', '--dry-run']);
    expect(dry).toMatchObject({ dryRun: true, written: false });
    expect(readFileSync(p.path('jmake.toml'), 'utf8')).toBe(MINIMAL);
    expect(dry.diff).toContain('+include_dirs = [ "include" ]');

    const done = await p.json(['complete']);
    expect(done.written).toBe(true);
    expect(Object.fromEntries(done.fields.map((f: { field: string; source: string }) => [f.field, f.source]))).toEqual({
      'project.name': 'default', 'project.root': 'default', 'discovery.include': 'scan_files', 'compile.include_dirs': 'include_dirs',
      'compile.output_dir': 'create_structure', 'llvm.tools': 'discover_tools', 'binary.type': 'default', 'binary.name': 'default',
    });
    const text = readFileSync(p.path('jmake.toml'), 'utf8');
    expect(done.diff).toBe(dry.diff);
    const name = done.fields.find((f: { field: string }) => f.field === 'project.name').value as string;
    expect(keepsLines(MINIMAL, text, { 'name = ""   # jmake complete fills this in': `name = "${name}"   # jmake complete fills this in` })).toBe(true);
    const doc = parse(text) as any;
    expect(doc).toMatchObject({
      project: { name, root: '.' },
      discovery: { include: ['src/**/*.cpp'] },
      compile: { flags: ['-std=c++17', '-Wall'], include_dirs: ['include'], output_dir: 'build' },
      binary: { type: 'executable', name },
    });
    // Tools found on PATH are written by name, never as a machine's absolute path.
    expect(Object.values(doc.llvm.tools).every((v) => !String(v).startsWith('/'))).toBe(true);
    expect(text).not.toContain(p.root);

    const again = await p.json(['complete']);
    expect(again).toMatchObject({ fields: [], written: false, diff: '' });
    expect(readFileSync(p.path('jmake.toml'), 'utf8')).toBe(text);

    const events = await p.json(['events', '--type', 'config-completed']);
    expect(events.map((e: { data: { fields: unknown[] } }) => e.data.fields.length)).toEqual([8]);

    const built = await build(p);
    expect(built.ok).toBe(true);
    expect(await runProgram(p.path(`build/bin/${name}`))).toBe('hello from jmake');
  });

  it('--freeze writes the explicit source list; a file that does not parse is left alone with its line and column', async () => {
    const p = await minimalProject();
    const frozen = await p.json(['complete', '--freeze']);
    expect(frozen.fields.find((f: { field: string }) => f.field === 'discovery.files').value).toEqual(['src/greet.cpp', 'src/main.cpp']);

    const broken = '[project]\nname = "x"\n[compile\nflags = []\n';
    writeFileSync(p.path('jmake.toml'), broken);
    const r = await p.run(['complete']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/jmake\.toml:3:\d+: error: /);
    expect(readFileSync(p.path('jmake.toml'), 'utf8')).toBe(broken);
  });
});
