import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JmakeError } from '../../src/errors.js';
import { CONFIG_FILE, findProjectRoot } from '../../src/project/root.js';

let base: string;

beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'jmake-root-test-')));
});

afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

function mkdirs(...parts: string[]): string {
  const dir = join(base, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('findProjectRoot', () => {
  it('finds jmake.toml in the start folder', () => {
    const root = mkdirs('proj');
    writeFileSync(join(root, CONFIG_FILE), '');
    expect(CONFIG_FILE).toBe('jmake.toml');
    expect(findProjectRoot(root)).toBe(root);
  });

  it('walks upward to the nearest folder holding jmake.toml', () => {
    const root = mkdirs('proj');
    writeFileSync(join(root, CONFIG_FILE), '[daemon]\n');
    const deep = mkdirs('proj', 'src', 'a', 'b');
    expect(findProjectRoot(deep)).toBe(root);
    // a nearer one wins
    writeFileSync(join(base, 'proj', 'src', CONFIG_FILE), '');
    expect(findProjectRoot(deep)).toBe(join(root, 'src'));
  });

  it('resolves a relative start against the working directory', () => {
    const root = mkdirs('rel');
    writeFileSync(join(root, CONFIG_FILE), '');
    const deep = mkdirs('rel', 'x');
    expect(findProjectRoot(relative(process.cwd(), deep))).toBe(root);
  });

  it('skips a folder named jmake.toml (only a file counts)', () => {
    const root = mkdirs('outer');
    writeFileSync(join(root, CONFIG_FILE), '');
    mkdirs('outer', 'inner', CONFIG_FILE);
    expect(findProjectRoot(join(root, 'inner'))).toBe(root);
  });

  it('returns the real path when reached through a symlink', () => {
    const root = mkdirs('real');
    writeFileSync(join(root, CONFIG_FILE), '');
    mkdirs('real', 'sub');
    const link = join(base, 'link');
    symlinkSync(root, link);
    expect(findProjectRoot(join(link, 'sub'))).toBe(root);
    expect(findProjectRoot(link)).toBe(root);
  });

  it('throws a JmakeError not-in-project (exit code 2) when no folder above holds jmake.toml', () => {
    // precondition: nothing above the temp dir is a project
    for (let d = base; ; d = dirname(d)) {
      expect(existsSync(join(d, CONFIG_FILE)), `unexpected ${join(d, CONFIG_FILE)}`).toBe(false);
      if (dirname(d) === d) break;
    }
    const deep = mkdirs('none', 'a', 'b');
    const error = catchError(() => findProjectRoot(deep));
    expect(error).toBeInstanceOf(JmakeError);
    expect((error as JmakeError).code).toBe('not-in-project');
    expect((error as JmakeError).exitCode).toBe(2);
    expect((error as JmakeError).message).toContain(deep);
    expect((error as JmakeError).hint).toBeTruthy();
    expect((error as JmakeError).toJSON()).toMatchObject({ code: 'not-in-project' });
  });

  it('does not look below the start folder', () => {
    const start = mkdirs('top');
    mkdirs('top', 'child');
    writeFileSync(join(base, 'top', 'child', CONFIG_FILE), '');
    expect(catchError(() => findProjectRoot(start))).toMatchObject({ code: 'not-in-project', exitCode: 2 });
  });

  it('works from a start folder that does not exist (yet)', () => {
    const root = mkdirs('p');
    writeFileSync(join(root, CONFIG_FILE), '');
    expect(findProjectRoot(join(root, 'not', 'there'))).toBe(root);
  });
});
