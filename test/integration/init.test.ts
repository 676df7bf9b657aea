/**
 * `jmake init` through the real CLI, in a temp dir outside any project: the printed next steps are
 * run as printed (so each template builds and runs out of the box), then the refusals.
 */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { BIN, isAlive, type RunResult } from '../helpers/project.js';
import { waitFor } from '../helpers/wait.js';

interface Workspace {
  /** The folder commands run in (the user's current directory). */
  readonly cwd: string;
  run(args: readonly string[], cwd?: string): Promise<RunResult>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/**
 * An empty temp folder with its own XDG_RUNTIME_DIR and TMPDIR (like test/helpers/project.ts), so
 * the daemons `jmake build` starts meet no other test's. Afterwards every daemon started below it is
 * stopped; if the test failed, their logs are printed.
 */
function createWorkspace(): Workspace {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'jmake-init-test-')));
  const cwd = join(base, 'work');
  const runtimeDir = join(base, 'run');
  mkdirSync(cwd);
  mkdirSync(runtimeDir, { mode: 0o700 });
  mkdirSync(join(base, 'tmp'));
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_RUNTIME_DIR: runtimeDir, TMPDIR: join(base, 'tmp'), NO_COLOR: '1' };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.JMAKE_TEST_DAEMON_VERSION;
  const roots = new Set<string>();

  const run = async (args: readonly string[], at = cwd): Promise<RunResult> => {
    if (!args.includes('init')) roots.add(at);
    const result = await execa(process.execPath, [BIN, ...args], { cwd: at, env, extendEnv: false, reject: false, timeout: 60_000 });
    return { code: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
  };

  onTestFailed(() => {
    for (const root of roots) process.stderr.write(`\n----- daemon log of ${root} -----\n${tail(readOr(join(root, '.jmake', 'daemon.log'), '(no daemon log)'), 80)}\n-----\n`);
  });
  cleanups.push(async () => {
    for (const root of roots) {
      const pid = daemonPid(root);
      if (pid === null || !isAlive(pid)) continue;
      await run(['daemon', 'stop'], root);
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      await waitFor(() => !isAlive(pid), { what: `daemon ${pid} to exit`, timeoutMs: 10_000 }).catch(() => undefined);
    }
    rmSync(base, { recursive: true, force: true });
  });
  return { cwd, run };
}

function daemonPid(root: string): number | null {
  try {
    return (JSON.parse(readFileSync(join(root, '.jmake', 'daemon.json'), 'utf8')) as { pid: number }).pid;
  } catch {
    return null;
  }
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

function tail(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

/** The commands printed under `next:`. */
function nextSteps(stdout: string): string[] {
  const lines = stdout.split('\n');
  return lines.slice(lines.indexOf('next:') + 1).map((l) => l.trim()).filter(Boolean);
}

const TEMPLATES = [
  { template: 'cpp_project', programs: { './build/bin/myproj': 'hello from myproj' } },
  { template: 'lib_project', programs: { './build/bin/myproj_demo': 'hello from myproj', './build/bin/greet_test': 'greet_test: ok' } },
] as const;

describe('jmake init', () => {
  it.each(TEMPLATES)('$template: prints the next steps, and running them builds and runs the programs', async ({ template, programs }) => {
    const ws = createWorkspace();
    const init = await ws.run(['init', 'myproj', '--template', template]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain(`${join(ws.cwd, 'myproj')}: project myproj from template ${template}`);
    expect(init.stdout).toMatch(/^ {2}created {6}jmake\.toml$/m);
    const steps = nextSteps(init.stdout);
    expect(steps).toEqual(['cd myproj', 'jmake build', ...Object.keys(programs)]);

    const root = join(ws.cwd, 'myproj');
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toBe('.jmake/\n/build/\n');
    const built = await ws.run(['build'], root);
    expect(built.code, `${built.stdout}\n${built.stderr}`).toBe(0);
    for (const step of steps.slice(2)) {
      // reject: a test program that fails exits non-zero.
      const ran = await execa(step, [], { cwd: root, reject: true });
      expect(String(ran.stdout), step).toBe(programs[step as keyof typeof programs]);
    }
  });

  it('refuses to overwrite jmake.toml, leaving it byte-identical; --force rewrites it and keeps other files', async () => {
    const ws = createWorkspace();
    expect((await ws.run(['init', 'myproj'])).code).toBe(0);
    const root = join(ws.cwd, 'myproj');
    const mine = Buffer.from('# my own config\n[project]\nname = "mine"\n');
    writeFileSync(join(root, 'jmake.toml'), mine);
    writeFileSync(join(root, 'src', 'main.cpp'), 'int main() { return 0; }\n');

    const again = await ws.run(['init', 'myproj']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`jmake: ${join(root, 'jmake.toml')} already exists`);
    expect(again.stderr).toContain('hint: use --force to overwrite it');
    expect(readFileSync(join(root, 'jmake.toml')).equals(mine)).toBe(true);

    const json = await ws.run(['init', 'myproj', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'config-exists', message: expect.stringContaining('jmake.toml'), hint: 'use --force to overwrite it' } });
    expect(readFileSync(join(root, 'jmake.toml')).equals(mine)).toBe(true);

    const forced = await ws.run(['init', 'myproj', '--force', '--json']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({
      root, template: 'cpp_project', name: 'myproj', created: [], overwritten: ['jmake.toml'],
      kept: ['include/greet.h', 'src/greet.cpp', 'src/main.cpp', '.gitignore'],
    });
    expect(readFileSync(join(root, 'jmake.toml'), 'utf8')).toContain('name = "myproj"');
    expect(readFileSync(join(root, 'src', 'main.cpp'), 'utf8')).toBe('int main() { return 0; }\n');
  });

  it('keeps the user\'s .gitignore and adds the two lines once; in the current folder there is no cd', async () => {
    const ws = createWorkspace();
    const root = join(ws.cwd, 'existing');
    mkdirSync(root);
    writeFileSync(join(root, '.gitignore'), 'node_modules/\n*.o');

    const first = await ws.run(['init', '--template', 'lib_project', '--name', 'lib', '--json'], root);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({
      root, template: 'lib_project', name: 'lib',
      created: ['app/', 'include/', 'src/', 'tests/', 'app/main.cpp', 'include/greet.h', 'src/greet.cpp', 'tests/greet_test.cpp', 'jmake.toml'],
      overwritten: [], updated: ['.gitignore'], kept: [], gitignoreAdded: ['.jmake/', '/build/'],
      next: ['jmake build', './build/bin/lib_demo', './build/bin/greet_test'],
    });
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toBe('node_modules/\n*.o\n.jmake/\n/build/\n');

    const second = await ws.run(['init', '--template', 'lib_project', '--name', 'lib', '--force'], root);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^ {2}kept {9}\.gitignore \(already there\)$/m);
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toBe('node_modules/\n*.o\n.jmake/\n/build/\n');
  });

  it('resolves DIR against -C, and rejects an unknown template or an invalid name with exit 2', async () => {
    const ws = createWorkspace();
    const viaDir = await ws.run(['-C', ws.cwd, 'init', 'sub', '--json'], '/');
    expect(viaDir.code, viaDir.stderr).toBe(0);
    expect(JSON.parse(viaDir.stdout)).toMatchObject({ root: join(ws.cwd, 'sub'), name: 'sub', next: [`cd ${relative('/', join(ws.cwd, 'sub'))}`, 'jmake build', './build/bin/sub'] });

    const unknown = await ws.run(['init', 'other', '--template', 'rust_project']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('jmake: there is no template "rust_project"\nhint: templates: cpp_project, lib_project');
    const badName = await ws.run(['init', 'other', '--name', 'my app']);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain('"my app" is not a valid project name');
    expect(readOr(join(ws.cwd, 'other', 'jmake.toml'), 'absent')).toBe('absent');
  });
});
