/**
 * `jmake validate` through the real CLI: each broken config of fixtures/config/broken/ becomes a
 * project's jmake.toml; stdout must equal its `.expected` file, the exit code must be 2 with errors
 * and 0 with warnings only, and the file must be byte for byte what it was. No daemon is involved.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT, createProject, disposeAll } from '../helpers/project.js';

const CORPUS = join(REPO_ROOT, 'fixtures', 'config', 'broken');
const CASES = readdirSync(CORPUS).filter((f) => f.endsWith('.toml')).sort();

const base = mkdtempSync(join(tmpdir(), 'jmake-validate-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
afterEach(disposeAll);

/** A project dir holding only this jmake.toml. */
function projectWith(config: Buffer, name: string): string {
  const root = join(base, name);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'jmake.toml'), config);
  return root;
}

/** Run `jmake ARGS` in `cwd`, with a private runtime dir so no other test's daemon is met. */
async function jmake(cwd: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_RUNTIME_DIR: join(base, 'run'), NO_COLOR: '1' };
  // Loading a CA bundle costs every node process ~60 ms here, and jmake makes no TLS connection.
  delete env.NODE_EXTRA_CA_CERTS;
  const result = await execa(process.execPath, [BIN, ...args], { cwd, env, extendEnv: false, reject: false, timeout: 60_000 });
  return { code: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

const validate = (cwd: string, args: readonly string[] = []) => jmake(cwd, ['validate', ...args]);

describe('the corpus of broken configs', () => {
  it('holds every kind of problem the issue names', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(12);
    for (const name of ['syntax-error', 'wrong-type', 'unknown-key', 'duplicate-table', 'duplicate-key', 'output-dir-escapes', 'output-dir-absolute', 'unknown-pipeline', 'unknown-binary-type', 'empty-flag', 'bad-profile', 'missing-include-dir']) {
      expect(CASES).toContain(`${name}.toml`);
    }
  });

  it.each(CASES)('%s: prints the expected findings, exits by severity, leaves the file alone', async (file) => {
    const config = readFileSync(join(CORPUS, file));
    const expected = readFileSync(join(CORPUS, file.replace(/\.toml$/, '.expected')), 'utf8');
    const root = projectWith(config, file.replace(/\.toml$/, ''));

    const result = await validate(root);

    expect(result.stdout.trimEnd()).toBe(expected.trimEnd());
    expect(result.stderr).toBe('');
    const hasErrors = expected.split('\n').some((line) => /^jmake\.toml:\d+:\d+: error: /.test(line));
    expect(result.code).toBe(hasErrors ? 2 : 0);
    expect(readFileSync(join(root, 'jmake.toml')).equals(config)).toBe(true);
    expect(existsSync(join(root, '.jmake')), 'validate must not start a daemon').toBe(false);
  });
});

describe('jmake validate', () => {
  it.each(['hello', 'lib_project'])('a valid project (%s) has no findings and exits 0, without a daemon', async (fixture) => {
    const p = await createProject(fixture);
    const before = readFileSync(p.path('jmake.toml'));
    const result = await p.run(['validate']);
    expect(result).toMatchObject({ code: 0, stdout: 'jmake.toml: ok' });
    expect(readFileSync(p.path('jmake.toml')).equals(before)).toBe(true);
    expect(p.daemonPid()).toBeNull();
  });

  it.each(['cpp_project', 'lib_project'])('a project made by `jmake init --template %s` has no findings', async (template) => {
    const root = join(base, `init-${template}`);
    mkdirSync(root, { recursive: true });
    const init = await jmake(root, ['init', '--template', template]);
    expect(init.code, init.stderr).toBe(0);
    expect(await validate(root)).toMatchObject({ code: 0, stdout: 'jmake.toml: ok' });
  });

  it('--json prints one document with the absolute file, ok and the findings', async () => {
    const root = projectWith(readFileSync(join(CORPUS, 'targets.toml')), 'json');
    const result = await validate(root, ['--json']);
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as { file: string; ok: boolean; findings: { severity: string; line: number; column: number; message: string; hint?: string }[] };
    expect(report.file).toBe(join(root, 'jmake.toml'));
    expect(report.ok).toBe(false);
    expect(report.findings.map((f) => [f.severity, f.line, f.column])).toEqual([['warning', 2, 1], ['error', 9, 1], ['error', 13, 1]]);
    expect(report.findings[2]).toEqual({ severity: 'error', line: 13, column: 1, message: 'two targets are named "core"', hint: 'the other is at line 6; target names must be unique' });
  });

  it('--json with warnings only is ok and exits 0', async () => {
    const root = projectWith(readFileSync(join(CORPUS, 'unknown-key.toml')), 'json-warnings');
    const result = await validate(root, ['--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, findings: [{ severity: 'warning' }, { severity: 'warning' }, { severity: 'warning' }] });
  });

  it('names the file relative to the current directory, from below the root and with -C', async () => {
    const root = projectWith(readFileSync(join(CORPUS, 'unknown-pipeline.toml')), 'relative');
    mkdirSync(join(root, 'src', 'deep'), { recursive: true });
    const below = await validate(join(root, 'src', 'deep'));
    expect(below.code).toBe(2);
    expect(below.stdout.split('\n')[0]).toBe('../../jmake.toml:3:1: error: unknown pipeline "thinlt" in compile.pipeline');
    const withDir = await validate(base, ['-C', 'relative']);
    expect(withDir.stdout.split('\n')[0]).toBe('relative/jmake.toml:3:1: error: unknown pipeline "thinlt" in compile.pipeline');
  });

  it('outside a project says so and exits 2', async () => {
    const outside = join(base, 'no-project');
    mkdirSync(outside, { recursive: true });
    const result = await validate(outside);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no jmake.toml found');
  });
});
