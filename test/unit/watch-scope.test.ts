import { describe, expect, it } from 'vitest';
import { folderOf, watchScope } from '../../src/watcher/scope.js';
import { ignoreRules } from '../../src/watcher/ignore.js';

describe('folderOf', () => {
  it('is the folder before the first wildcard, or the file\'s folder', () => {
    expect(folderOf('src/**/*.cpp', 'file')).toBe('src');
    expect(folderOf('./lib/core/*.c', 'file')).toBe('lib/core');
    expect(folderOf('src/main.cpp', 'file')).toBe('src');
    expect(folderOf('main.cpp', 'file')).toBe('');
    expect(folderOf('**/*.c', 'file')).toBe('');
    expect(folderOf('include', 'dir')).toBe('include');
    expect(folderOf('src/../third_party/x', 'dir')).toBe('third_party/x');
  });
  it('is null outside the root, and the whole root for a template', () => {
    expect(folderOf('/usr/include', 'dir')).toBeNull();
    expect(folderOf('../sibling/include', 'dir')).toBeNull();
    expect(folderOf('{{compile.output_dir}}/gen.h', 'file')).toBe('');
  });
});

describe('watchScope', () => {
  it('is the whole tree until [discovery] says where the sources are', () => {
    expect(watchScope(null)).toBeNull();
    expect(watchScope({ compile: { include_dirs: ['include'] } })).toBeNull();
  });

  it('collects sources, include dirs (also from flags), targets, profiles and jobs, outermost folders only', () => {
    const scope = watchScope({
      discovery: { include: ['src/**/*.cpp', 'src/util/*.c'] },
      compile: { include_dirs: ['include', '/usr/local/include'], flags: ['-Ithird_party/fmt/include', '-isystem', 'vendor/sys', '-include', 'config/prefix.h', '-O2'] },
      profile: { debug: { include_dirs: ['debug_inc'] } },
      targets: [{ name: 'tests', sources: ['tests/*_test.cc'], each: 'tests/*_test.cc', include_dirs: ['tests/support'] }],
      jobs: [{ id: 'gen', run: ['gen'], inputs: ['schema/api.json'], outputs: ['gen/api.h'] }],
    });
    expect(scope).toEqual(['config', 'debug_inc', 'gen', 'include', 'schema', 'src', 'tests', 'third_party/fmt/include', 'vendor/sys']);
  });

  it('a source pattern at the root, or a job path with a template, means the whole tree', () => {
    expect(watchScope({ discovery: { files: ['main.c', 'src/a.c'] } })).toBeNull();
    expect(watchScope({ discovery: { include: ['src/**/*.c'] }, jobs: [{ id: 'j', run: ['x'], inputs: ['{{compile.output_dir}}/x'] }] })).toBeNull();
  });
});

describe('ignore rules with a scope', () => {
  const rules = ignoreRules({ outputDirs: ['build'], watchExclude: [], watchScope: ['src', 'third_party/fmt/include'] });
  it('watch the scope, the folders on the way to it and jmake.toml; nothing else', () => {
    for (const path of ['jmake.toml', 'src', 'src/a/b.cpp', 'third_party', 'third_party/fmt', 'third_party/fmt/include/fmt/core.h']) {
      expect(rules.isIgnored(path), path).toBe(false);
    }
    for (const path of ['docs', 'docs/x.md', 'README.md', 'third_party/fmt/test', 'third_party/other', 'build', 'src/.git', '.jmake/job-output/x']) {
      expect(rules.isIgnored(path), path).toBe(true);
    }
  });
  it('an empty scope keeps only jmake.toml; none keeps everything', () => {
    expect(ignoreRules({ outputDirs: [], watchExclude: [], watchScope: [] }).isIgnored('src/a.c')).toBe(true);
    expect(ignoreRules({ outputDirs: [], watchExclude: [], watchScope: [] }).isIgnored('jmake.toml')).toBe(false);
    expect(ignoreRules({ outputDirs: [], watchExclude: [] }).isIgnored('docs/x.md')).toBe(false);
  });
});
