import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import picomatch from 'picomatch';
import { parse } from 'smol-toml';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveBuildConfig } from '../../src/config/build-config.js';
import { JmakeError } from '../../src/errors.js';
import { nodeDisk, type EntryKind, type InitDisk } from '../../src/init/disk.js';
import { mergeGitignore } from '../../src/init/gitignore.js';
import { applyInit, planInit, type InitOptions } from '../../src/init/init.js';
import { isValidProjectName, projectNameFromFolder } from '../../src/init/project-name.js';
import { listTemplates, loadTemplate, renderTemplate, type Template } from '../../src/init/templates.js';

/** A disk in a Map: what planning reads, what applying writes, and in which order. */
class MemoryDisk implements InitDisk {
  readonly files = new Map<string, string>();
  readonly dirs = new Set<string>(['/']);
  readonly writes: string[] = [];

  constructor(seed: Record<string, string> = {}) {
    for (const [path, text] of Object.entries(seed)) {
      this.makeDir(dirname(path));
      this.files.set(path, text);
    }
  }

  kind(path: string): EntryKind | null {
    return this.files.has(path) ? 'file' : this.dirs.has(path) ? 'dir' : null;
  }

  readText(path: string): string {
    const text = this.files.get(path);
    if (text === undefined) throw new Error(`ENOENT: ${path}`);
    return text;
  }

  makeDir(path: string): void {
    for (let dir = path; !this.dirs.has(dir); dir = dirname(dir)) {
      if (this.files.has(dir)) throw new Error(`EEXIST: ${dir} is a file`);
      this.dirs.add(dir);
    }
  }

  createFile(path: string, text: string): boolean {
    this.needParent(path);
    if (this.kind(path) !== null) return false;
    this.files.set(path, text);
    this.writes.push(path);
    return true;
  }

  replaceFile(path: string, text: string): void {
    this.needParent(path);
    if (this.dirs.has(path)) throw new Error(`EISDIR: ${path}`);
    this.files.set(path, text);
    this.writes.push(path);
  }

  private needParent(path: string): void {
    if (!this.dirs.has(dirname(path))) throw new Error(`ENOENT: no folder ${dirname(path)}`);
  }
}

const ROOT = '/work/myproj';
const cppProject = loadTemplate('cpp_project');

function options(extra: Partial<InitOptions> = {}): InitOptions {
  return { root: ROOT, template: 'cpp_project', shellCwd: '/work', ...extra };
}

function init(disk: MemoryDisk, extra: Partial<InitOptions> = {}, template: Template = cppProject) {
  return applyInit(planInit(options(extra), template, disk), disk);
}

function thrown(fn: () => unknown): JmakeError {
  try {
    fn();
  } catch (err) {
    if (err instanceof JmakeError) return err;
    throw err;
  }
  throw new Error('expected a JmakeError, nothing was thrown');
}

describe('project names', () => {
  it('accepts letters, digits and _ . + -, not starting with . + -', () => {
    for (const name of ['app', 'my_app', 'v1.2', 'gtk+', 'a-b', '_x', '9lives']) expect(isValidProjectName(name), name).toBe(true);
    for (const name of ['', '-x', '.x', '+x', 'a b', 'a/b', 'a"b', 'caf\u00e9', '{{name}}']) expect(isValidProjectName(name), name).toBe(false);
  });

  it('makes a valid name of any folder name', () => {
    expect(projectNameFromFolder('myproj')).toBe('myproj');
    expect(projectNameFromFolder('My Project (copy)')).toBe('My_Project_copy_');
    expect(projectNameFromFolder('.hidden')).toBe('hidden');
    expect(projectNameFromFolder('--x')).toBe('x');
    expect(projectNameFromFolder('caf\u00e9')).toBe('caf_');
    expect(projectNameFromFolder('')).toBe('app');
    expect(projectNameFromFolder('...')).toBe('app');
    for (const folder of ['My Project (copy)', '.hidden', '--x', 'caf\u00e9', '', '...', '\u65e5\u672c', 'a\nb']) {
      expect(isValidProjectName(projectNameFromFolder(folder)), folder).toBe(true);
    }
  });
});

describe('planInit', () => {
  it('names the project after its folder, made valid, unless --name says otherwise', () => {
    const plan = planInit(options({ root: '/work/My Project' }), cppProject, new MemoryDisk());
    expect(plan.name).toBe('My_Project');
    expect(plan.files.find((f) => f.path === 'jmake.toml')!.text).toContain('name = "My_Project"');
    expect(planInit(options({ name: 'tool' }), cppProject, new MemoryDisk()).name).toBe('tool');
  });

  it('refuses an invalid --name with a usage error', () => {
    const err = thrown(() => planInit(options({ name: 'my app' }), cppProject, new MemoryDisk()));
    expect(err).toMatchObject({ code: 'invalid-name', exitCode: 2 });
    expect(err.message).toContain('"my app"');
  });

  it('creates the layout, a .gitignore and the config, writing jmake.toml last', () => {
    const disk = new MemoryDisk({ '/work/other.txt': 'x' });
    const report = init(disk);
    expect(report.created).toEqual(['include/', 'src/', 'include/greet.h', 'src/greet.cpp', 'src/main.cpp', '.gitignore', 'jmake.toml']);
    expect(report).toMatchObject({ root: ROOT, template: 'cpp_project', name: 'myproj', kept: [], overwritten: [], updated: [] });
    expect(disk.writes.at(-1)).toBe(`${ROOT}/jmake.toml`);
    expect(disk.files.get(`${ROOT}/src/greet.cpp`)).toContain('"hello from myproj"');
    expect(disk.files.get(`${ROOT}/.gitignore`)).toBe('.jmake/\n/build/\n');
    expect(report.next).toEqual(['cd myproj', 'jmake build', './build/bin/myproj']);
    for (const text of disk.files.values()) expect(text).not.toContain('{{');
  });

  it('refuses when jmake.toml exists, writing nothing, and says to use --force', () => {
    const disk = new MemoryDisk({ [`${ROOT}/jmake.toml`]: '# mine\n' });
    const err = thrown(() => init(disk));
    expect(err).toMatchObject({ code: 'config-exists', exitCode: 2, hint: 'use --force to overwrite it' });
    expect(err.message).toContain(`${ROOT}/jmake.toml`);
    expect(disk.writes).toEqual([]);
    expect(disk.files.get(`${ROOT}/jmake.toml`)).toBe('# mine\n');
  });

  it('with --force overwrites jmake.toml and nothing else', () => {
    const disk = new MemoryDisk({ [`${ROOT}/jmake.toml`]: '# mine\n', [`${ROOT}/src/main.cpp`]: 'int main() {}\n' });
    const report = init(disk, { force: true });
    expect(report.overwritten).toEqual(['jmake.toml']);
    expect(report.kept).toEqual(['src/main.cpp']);
    expect(report.created).not.toContain('jmake.toml');
    expect(disk.files.get(`${ROOT}/jmake.toml`)).toContain('[binary]');
    expect(disk.files.get(`${ROOT}/src/main.cpp`)).toBe('int main() {}\n');
  });

  it('keeps a starter source that exists and reports it as kept', () => {
    const disk = new MemoryDisk({ [`${ROOT}/src/greet.cpp`]: '// my greeting\n' });
    const report = init(disk);
    expect(report.kept).toEqual(['src/greet.cpp']);
    expect(report.created).toContain('src/main.cpp');
    expect(report.created).not.toContain('src/');
    expect(disk.files.get(`${ROOT}/src/greet.cpp`)).toBe('// my greeting\n');
    expect(disk.writes).not.toContain(`${ROOT}/src/greet.cpp`);
  });

  it('adds the missing .gitignore lines once, after the user\'s own', () => {
    const disk = new MemoryDisk({ [`${ROOT}/.gitignore`]: 'node_modules/\n*.o' });
    const first = init(disk);
    expect(first.updated).toEqual(['.gitignore']);
    expect(first.gitignoreAdded).toEqual(['.jmake/', '/build/']);
    expect(disk.files.get(`${ROOT}/.gitignore`)).toBe('node_modules/\n*.o\n.jmake/\n/build/\n');

    const writes = disk.writes.length;
    const again = init(disk, { force: true });
    expect(again.updated).toEqual([]);
    expect(again.kept).toContain('.gitignore');
    expect(disk.writes.slice(writes)).toEqual([`${ROOT}/jmake.toml`]);
    expect(disk.files.get(`${ROOT}/.gitignore`)).toBe('node_modules/\n*.o\n.jmake/\n/build/\n');
  });

  it('refuses, writing nothing, when a file is where a folder must go', () => {
    const srcFile = new MemoryDisk({ [`${ROOT}/src`]: 'not a folder' });
    expect(thrown(() => init(srcFile))).toMatchObject({ code: 'init-conflict', exitCode: 2 });
    expect(srcFile.writes).toEqual([]);
    const rootFile = new MemoryDisk({ [ROOT]: 'not a folder' });
    expect(thrown(() => init(rootFile))).toMatchObject({ code: 'init-conflict', exitCode: 2 });
  });

  it('suggests a cd the shell can run, or none in the project itself', () => {
    const next = (root: string, shellCwd: string) => planInit(options({ root, shellCwd, name: 'p' }), cppProject, new MemoryDisk()).next;
    expect(next(ROOT, ROOT)).toEqual(['jmake build', './build/bin/p']);
    expect(next('/work/a/b', '/work')).toEqual(['cd a/b', 'jmake build', './build/bin/p']);
    expect(next('/work/my proj', '/work')[0]).toBe("cd 'my proj'");
    expect(next("/work/it's", '/work')[0]).toBe("cd 'it'\\''s'");
    expect(next('/elsewhere/p', '/work')[0]).toBe('cd /elsewhere/p');
  });

  it('takes the output dir for .gitignore and the next steps from the template\'s jmake.toml', () => {
    const custom: Template = {
      ...cppProject,
      files: cppProject.files.map((f) => (f.path === 'jmake.toml' ? { ...f, text: f.text.replace('output_dir = "build"', 'output_dir = "out"') } : f)),
    };
    const disk = new MemoryDisk();
    const report = init(disk, {}, custom);
    expect(disk.files.get(`${ROOT}/.gitignore`)).toBe('.jmake/\n/out/\n');
    expect(report.next).toContain('./out/bin/myproj');
  });
});

describe('mergeGitignore', () => {
  const wanted = ['.jmake/', '/build/'];

  it('creates the lines when there is no .gitignore', () => {
    expect(mergeGitignore(null, wanted)).toEqual({ text: '.jmake/\n/build/\n', added: wanted });
    expect(mergeGitignore('', wanted).text).toBe('.jmake/\n/build/\n');
  });

  it('counts any spelling of the same path as already there, but not comments or negations', () => {
    expect(mergeGitignore('.jmake\nbuild/\n', wanted).added).toEqual([]);
    expect(mergeGitignore('/.jmake/\n/build\n', wanted).added).toEqual([]);
    expect(mergeGitignore('# .jmake/\n!build/\n', wanted).added).toEqual(wanted);
    expect(mergeGitignore('  .jmake/  \n', wanted).added).toEqual(['/build/']);
    // A line that ignores something else entirely.
    expect(mergeGitignore('build/obj/\nsrc/.jmake/\n', wanted).added).toEqual(wanted);
  });

  it('keeps the user\'s content and line endings, and is idempotent', () => {
    const once = mergeGitignore('a\r\nb', wanted);
    expect(once.text).toBe('a\r\nb\r\n.jmake/\r\n/build/\r\n');
    expect(mergeGitignore(once.text, wanted)).toEqual({ text: once.text, added: [] });
  });

  it('adds a wanted line once even if it is asked for twice', () => {
    expect(mergeGitignore(null, ['.jmake/', '.jmake']).text).toBe('.jmake/\n');
  });
});

describe('the shipped templates', () => {
  it('are cpp_project and lib_project; an unknown one is a usage error naming them', () => {
    expect(listTemplates()).toEqual(['cpp_project', 'lib_project']);
    const err = thrown(() => loadTemplate('../fixtures'));
    expect(err).toMatchObject({ code: 'unknown-template', exitCode: 2, hint: 'templates: cpp_project, lib_project' });
  });

  it.each(['cpp_project', 'lib_project'])('%s: a valid jmake.toml that builds each program it suggests running', (name) => {
    const template = renderTemplate(loadTemplate(name), 'demo_proj');
    const config = template.files.find((f) => f.path === 'jmake.toml')!;
    const values = JSON.parse(JSON.stringify(parse(config.text))) as Record<string, unknown>;
    const { config: resolved, issues } = resolveBuildConfig(values, config.text, {}, 'demo_proj');
    expect(issues).toEqual([]);
    expect(resolved.projectName).toBe('demo_proj');
    expect(template.files.map((f) => f.path)).toEqual(expect.arrayContaining(['jmake.toml', 'include/greet.h']));
    for (const file of template.files) expect(file.text, file.path).not.toContain('{{');

    // Each run path is an executable target, or one of an `each` target's programs.
    const programs = new Set<string>();
    for (const target of resolved.targets.filter((t) => t.type === 'executable')) {
      if (target.each === null) programs.add(`bin/${target.name}`);
      else for (const f of template.files.filter((f) => picomatch(target.each!)(f.path))) programs.add(`bin/${basename(f.path).replace(/\.[^.]+$/, '')}`);
    }
    expect(template.run.length).toBeGreaterThan(0);
    for (const run of template.run) expect(programs, run).toContain(run);
  });
});

describe('nodeDisk', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates without ever replacing, replaces atomically, and leaves no temp file', () => {
    dir = mkdtempSync(join(tmpdir(), 'jmake-init-disk-'));
    const path = join(dir, 'a.txt');
    expect(nodeDisk.kind(path)).toBeNull();
    expect(nodeDisk.createFile(path, 'first\n')).toBe(true);
    expect(nodeDisk.createFile(path, 'second\n')).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('first\n');
    nodeDisk.replaceFile(path, 'third\n');
    expect(readFileSync(path, 'utf8')).toBe('third\n');
    expect(readdirSync(dir)).toEqual(['a.txt']);

    nodeDisk.makeDir(join(dir, 'x', 'y'));
    expect(nodeDisk.kind(join(dir, 'x'))).toBe('dir');
    expect(nodeDisk.kind(path)).toBe('file');
    expect(nodeDisk.kind(join(path, 'below-a-file'))).toBeNull();

    // Symlinks are followed: a linked project folder is a folder, a linked file keeps its link.
    symlinkSync(join(dir, 'x'), join(dir, 'linked-dir'));
    expect(nodeDisk.kind(join(dir, 'linked-dir'))).toBe('dir');
    symlinkSync(path, join(dir, 'linked-file'));
    nodeDisk.replaceFile(join(dir, 'linked-file'), 'fourth\n');
    expect(lstatSync(join(dir, 'linked-file')).isSymbolicLink()).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('fourth\n');
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
    expect(nodeDisk.kind(join(dir, 'dangling'))).toBe('other');
    expect(nodeDisk.createFile(join(dir, 'dangling'), 'x')).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('tmp'))).toEqual([]);
  });
});
