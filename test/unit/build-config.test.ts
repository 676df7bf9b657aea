import { describe, expect, it } from 'vitest';
import { DEFAULT_INCLUDE, closest, pickEnv, resolveBuildConfig, type BuildEnv, type ConfigIssue } from '../../src/config/build-config.js';
import { parseConfig } from '../../src/config/load.js';

/** jmake.toml text -> the resolved config and its issues, as the daemon does it. */
function resolve(text: string, env: BuildEnv = {}, rootName = 'myproj') {
  const parsed = parseConfig(Buffer.from(text), 'hash');
  if (!parsed.ok) throw new Error(`test TOML does not parse: ${parsed.error.message}`);
  return resolveBuildConfig(parsed.values, parsed.text, env, rootName);
}

const doc = (...lines: string[]): string => `${lines.join('\n')}\n`;
const errors = (issues: readonly ConfigIssue[]) => issues.filter((i) => i.severity === 'error');
const warnings = (issues: readonly ConfigIssue[]) => issues.filter((i) => i.severity === 'warning');
const issueFor = (issues: readonly ConfigIssue[], key: string) => issues.find((i) => i.key === key);

describe('defaults', () => {
  it('an empty jmake.toml gives the object pipeline, build/, the default globs and one executable named after the root', () => {
    const { config, issues } = resolve('', {}, 'hello-world');
    expect(issues).toEqual([]);
    expect(config.projectName).toBe('hello-world');
    expect(config.compile.pipeline).toBe('object');
    expect(config.compile.outputDir).toBe('build');
    expect(config.compile.flags).toEqual([]);
    expect(config.compile.defines).toEqual({});
    expect(config.discovery).toEqual({ files: null, include: DEFAULT_INCLUDE, exclude: [], excludeDirs: [] });
    expect(DEFAULT_INCLUDE).toEqual(['src/**/*.{c,cc,cpp,cxx,c++,C}']);
    expect(config.link).toEqual({ flags: [], optLevel: 'O2' });
    expect(config.profiles).toEqual({});
    expect(config.llvm).toEqual({ root: null, tools: {}, prefer: 'clang' });
    expect(config.env).toEqual({});
    expect(config.targets).toHaveLength(1);
    expect(config.targets[0]).toMatchObject({ name: 'hello-world', type: 'executable', sources: DEFAULT_INCLUDE, exclude: [], each: null, link: [], pkgConfig: [] });
  });

  it('[project] name names the project and the default binary', () => {
    const { config, issues } = resolve(doc('[project]', 'name = "calc"'), {}, 'dir-name');
    expect(issues).toEqual([]);
    expect(config.projectName).toBe('calc');
    expect(config.targets[0]!.name).toBe('calc');
  });

  it('reads [discovery]: files, include, exclude and exclude_dirs without ./ and trailing slashes', () => {
    const { config, issues } = resolve(doc(
      '[discovery]',
      'include = ["lib/**/*.c"]',
      'exclude = ["lib/old/**"]',
      'exclude_dirs = ["./third_party/", "vendor//", "gen"]',
    ));
    expect(issues).toEqual([]);
    expect(config.discovery).toEqual({ files: null, include: ['lib/**/*.c'], exclude: ['lib/old/**'], excludeDirs: ['third_party', 'vendor', 'gen'] });
    // the lone binary takes the discovery globs and excludes
    expect(config.targets[0]).toMatchObject({ sources: ['lib/**/*.c'], exclude: ['lib/old/**'] });
  });

  it('discovery.files, when not empty, are the sources of the binary', () => {
    const listed = resolve(doc('[discovery]', 'files = ["main.c", "util.c"]')).config;
    expect(listed.discovery.files).toEqual(['main.c', 'util.c']);
    expect(listed.targets[0]!.sources).toEqual(['main.c', 'util.c']);
    const empty = resolve(doc('[discovery]', 'files = []')).config;
    expect(empty.discovery.files).toBeNull();
    expect(empty.targets[0]!.sources).toEqual(DEFAULT_INCLUDE);
  });

  it('reads [compile], [link] and [llvm]', () => {
    const { config, issues } = resolve(doc(
      '[compile]',
      'flags = ["-Wall"]',
      'c_flags = ["-std=c11"]',
      'cxx_flags = ["-std=c++20"]',
      'include_dirs = ["include"]',
      'output_dir = "./out/"',
      'pipeline = "thinlto"',
      '[link]',
      'flags = ["-pthread"]',
      'opt_level = "3"',
      '[llvm]',
      'root = "/opt/llvm"',
      'prefer = "gcc"',
      'tools = { opt = "/opt/llvm/bin/opt-17" }',
    ));
    expect(issues).toEqual([]);
    expect(config.compile).toMatchObject({
      flags: ['-Wall'], cFlags: ['-std=c11'], cxxFlags: ['-std=c++20'], includeDirs: ['include'],
      outputDir: 'out', pipeline: 'thinlto', linkFlags: ['-pthread'],
    });
    expect(config.link).toEqual({ flags: ['-pthread'], optLevel: 'O3' });
    expect(config.llvm).toEqual({ root: '/opt/llvm', tools: { opt: '/opt/llvm/bin/opt-17' }, prefer: 'gcc' });
  });

  it('accepts every spelling of an optimisation level and rejects others', () => {
    for (const [spelled, level] of [['O0', 'O0'], ['-O1', 'O1'], ['2', 'O2'], ['Os', 'Os'], ['-Oz', 'Oz']] as const) {
      const { config, issues } = resolve(doc('[link]', `opt_level = "${spelled}"`));
      expect(issues).toEqual([]);
      expect(config.link.optLevel).toBe(level);
    }
    const { config, issues } = resolve(doc('[link]', 'opt_level = "O4"'));
    expect(config.link.optLevel).toBe('O2');
    expect(errors(issues)).toEqual([expect.objectContaining({ key: 'link.opt_level', line: 2, column: 1 })]);
  });
});

describe('[binary] and [[targets]]', () => {
  it('[binary] sets the type, name, libraries and library folders of the one target', () => {
    const { config, issues } = resolve(doc(
      '[binary]',
      'type = "shared"',
      'name = "greet"',
      'link_libraries = ["m", "pthread"]',
      'lib_dirs = ["/opt/lib"]',
    ));
    expect(issues).toEqual([]);
    expect(config.targets).toHaveLength(1);
    expect(config.targets[0]).toMatchObject({ name: 'greet', type: 'shared', link: ['m', 'pthread'], sources: DEFAULT_INCLUDE });
    expect(config.targets[0]!.own.libDirs).toEqual(['/opt/lib']);
    expect(config.targets[0]!.fromBinary).toBe(true);
  });

  it('only the simple form is marked fromBinary (it keeps its objects in obj/ itself)', () => {
    expect(resolve('').config.targets[0]!.fromBinary).toBe(true);
    expect(resolve(doc('[[targets]]', 'name = "only"')).config.targets[0]!.fromBinary).toBe(false);
  });

  it('[[targets]] win over [binary], with a warning on the [binary] line', () => {
    const { config, issues } = resolve(doc(
      '[binary]', // 1
      'name = "ignored"', // 2
      '', // 3
      '[[targets]]', // 4
      'name = "core"', // 5
      'type = "static"', // 6
      'sources = ["src/core/*.c"]', // 7
      '', // 8
      '[[targets]]', // 9
      'name = "app"', // 10
      'link = ["core", "m"]', // 11
    ));
    expect(errors(issues)).toEqual([]);
    expect(warnings(issues)).toEqual([{ severity: 'warning', key: 'binary', message: expect.stringContaining('[binary] is ignored'), line: 1, column: 1 }]);
    expect(config.targets.map((t) => [t.name, t.type])).toEqual([['core', 'static'], ['app', 'executable']]);
    expect(config.targets[0]!.sources).toEqual(['src/core/*.c']);
    // a target without sources takes the discovery globs
    expect(config.targets[1]!.sources).toEqual(DEFAULT_INCLUDE);
    expect(config.targets[1]!.link).toEqual(['core', 'm']);
  });

  it('reads every per-target key', () => {
    const { config, issues } = resolve(doc(
      '[[targets]]',
      'name = "t"',
      'type = "shared"',
      'sources = ["a.c"]',
      'exclude = ["b.c"]',
      'link = ["z"]',
      'flags = ["-g"]',
      'c_flags = ["-std=c99"]',
      'cxx_flags = ["-fno-rtti"]',
      'include_dirs = ["inc"]',
      'link_flags = ["-Wl,--as-needed"]',
      'lib_dirs = ["libs"]',
      'pkg_config = ["zlib"]',
      '[targets.defines]',
      'T = 1',
    ));
    expect(issues).toEqual([]);
    expect(config.targets[0]).toEqual({
      name: 't', type: 'shared', sources: ['a.c'], exclude: ['b.c'], each: null, link: ['z'], pkgConfig: ['zlib'],
      own: { flags: ['-g'], cFlags: ['-std=c99'], cxxFlags: ['-fno-rtti'], includeDirs: ['inc'], defines: { T: '1' }, linkFlags: ['-Wl,--as-needed'], libDirs: ['libs'] },
      fromBinary: false,
    });
  });

  it('an `each` target without sources gets no default sources', () => {
    const { config, issues } = resolve(doc('[[targets]]', 'name = "tests"', 'each = "tests/*_test.cc"'));
    expect(issues).toEqual([]);
    expect(config.targets[0]).toMatchObject({ name: 'tests', each: 'tests/*_test.cc', sources: [] });
  });

  it('a target without a name is an error on its header line and is left out', () => {
    const { config, issues } = resolve(doc('[[targets]]', 'name = "a"', '[[targets]]', 'type = "static"'));
    expect(config.targets.map((t) => t.name)).toEqual(['a']);
    expect(errors(issues)).toEqual([expect.objectContaining({ key: 'targets[1]', line: 3, column: 1, message: expect.stringContaining('#2 needs a name') })]);
  });

  it('a target name with other characters is an error', () => {
    const { config, issues } = resolve(doc('[[targets]]', 'name = "my app"', '[[targets]]', 'name = "ok_1.2+x-y"'));
    expect(config.targets.map((t) => t.name)).toEqual(['ok_1.2+x-y']);
    expect(errors(issues)).toEqual([expect.objectContaining({ key: 'targets[0].name', line: 2, column: 1 })]);
  });

  it('two targets with one name are an error naming the second', () => {
    const { issues } = resolve(doc(
      '[[targets]]', // 1
      'name = "a"', // 2
      '[[targets]]', // 3
      'name = "b"', // 4
      '[[targets]]', // 5
      'name = "a"', // 6
    ));
    expect(errors(issues)).toEqual([{ severity: 'error', key: 'targets[2].name', message: 'two targets are named "a"', line: 6, column: 1 }]);
  });

  it('a duplicate after a rejected target still names the right [[targets]] entry', () => {
    const { issues } = resolve(doc(
      '[[targets]]', // 1
      'type = "static"', // 2  (no name: rejected)
      '[[targets]]', // 3
      'name = "a"', // 4
      '[[targets]]', // 5
      'name = "a"', // 6
    ));
    expect(errors(issues).map((i) => [i.key, i.line])).toEqual([['targets[0]', 1], ['targets[2].name', 6]]);
  });

  it('targets that are not an array of tables are an error', () => {
    const { config, issues } = resolve(doc('version = 1', 'targets = ["a", "b"]'));
    expect(errors(issues)).toEqual([expect.objectContaining({ key: 'targets', line: 2, column: 1, message: expect.stringContaining('array of tables') })]);
    // the default binary is used instead
    expect(config.targets.map((t) => t.name)).toEqual(['myproj']);
  });
});

describe('wrong types and values', () => {
  it('a string where an array is wanted names the dotted key, its line and column', () => {
    const { config, issues } = resolve(doc(
      '[project]', // 1
      'name = "p"', // 2
      '', // 3
      '[compile]', // 4
      'pipeline = "object"', // 5
      '  flags = "x"', // 6
    ));
    expect(issues).toEqual([{ severity: 'error', key: 'compile.flags', message: 'compile.flags must be an array of strings, not string "x"', line: 6, column: 3 }]);
    expect(config.compile.flags).toEqual([]);
  });

  it('a dotted key at the top level is found too', () => {
    const { issues } = resolve(doc('# comment', 'compile.flags = "x"'));
    expect(issues).toEqual([expect.objectContaining({ severity: 'error', key: 'compile.flags', line: 2, column: 1 })]);
  });

  it('a bad value in the second [[targets]] names targets[1]', () => {
    const { config, issues } = resolve(doc(
      '[[targets]]', // 1
      'name = "core"', // 2
      'type = "static"', // 3
      '', // 4
      '[[targets]]', // 5
      'name = "plugin"', // 6
      '    type = "dll"', // 7
    ));
    expect(issues).toEqual([{
      severity: 'error', key: 'targets[1].type',
      message: 'targets[1].type = "dll" is not one of "executable", "shared", "static"', line: 7, column: 5,
    }]);
    expect(config.targets[1]!.type).toBe('executable');
  });

  it('names the type that was given: number, boolean, table, array', () => {
    const { issues } = resolve(doc(
      '[project]',
      'name = 3',
      '[compile]',
      'pipeline = ["ir"]',
      'c_flags = { a = 1 }',
      'cxx_flags = [1, 2]',
      '[llvm]',
      'root = true',
    ));
    expect(issues.map((i) => [i.key, i.message, i.line])).toEqual([
      ['project.name', 'project.name must be a string, not number 3', 2],
      ['compile.pipeline', 'compile.pipeline must be a string, not an array', 4],
      ['compile.c_flags', 'compile.c_flags must be an array of strings, not a table', 5],
      ['compile.cxx_flags', 'compile.cxx_flags must be an array of strings, not an array', 6],
      ['llvm.root', 'llvm.root must be a string, not boolean true', 8],
    ]);
    expect(errors(issues)).toHaveLength(5);
  });

  it('an unknown pipeline is an error and the default stays', () => {
    const { config, issues } = resolve(doc('[compile]', 'pipeline = "llvm"'));
    expect(config.compile.pipeline).toBe('object');
    expect(errors(issues)).toEqual([expect.objectContaining({ key: 'compile.pipeline', message: expect.stringContaining('"object", "ir", "thinlto"'), line: 2 })]);
  });

  it('a section that is not a table is an error', () => {
    const { issues } = resolve(doc('profile = 3'));
    expect(errors(issues)).toEqual([expect.objectContaining({ key: 'profile', message: 'profile must be a table', line: 1 })]);
  });

  it('[llvm] tools must map to non-empty strings', () => {
    const { config, issues } = resolve(doc('[llvm]', 'tools = { opt = "/x/opt", llc = 14 }'));
    expect(config.llvm.tools).toEqual({ opt: '/x/opt' });
    expect(errors(issues)).toEqual([expect.objectContaining({ key: 'llvm.tools.llc', line: 2 })]);
  });

  it('an empty string is an error for a string key', () => {
    const { config, issues } = resolve(doc('[project]', 'name = "  "'), {}, 'fallback');
    expect(config.projectName).toBe('fallback');
    expect(errors(issues)).toEqual([expect.objectContaining({ key: 'project.name', message: 'project.name must not be empty' })]);
  });
});

describe('unknown keys', () => {
  it('warns with a did-you-mean, on the key’s line', () => {
    const { config, issues } = resolve(doc('[compile]', 'pipeline = "object"', 'flgs = ["-O2"]'));
    expect(issues).toEqual([{ severity: 'warning', key: 'compile.flgs', message: 'unknown key compile.flgs; did you mean "flags"?', line: 3, column: 1 }]);
    // an unknown key is not applied
    expect(config.compile.flags).toEqual([]);
  });

  it('suggests nothing when no known key is close', () => {
    const { issues } = resolve(doc('[compile]', 'completely_unrelated = 1'));
    expect(issues).toEqual([expect.objectContaining({ severity: 'warning', key: 'compile.completely_unrelated', message: 'unknown key compile.completely_unrelated' })]);
  });

  it('checks top-level sections, [[targets]] entries and profiles', () => {
    const { issues } = resolve(doc(
      '[compil]', // 1
      'flags = []', // 2
      '[[targets]]', // 3
      'name = "a"', // 4
      'sorces = ["a.c"]', // 5
      '[profile.fast]', // 6
      'flag = ["-O3"]', // 7
      '[daemon]', // 8
      'settle = 10', // 9
    ));
    expect(errors(issues)).toEqual([]);
    expect(warnings(issues).map((i) => [i.key, i.line, i.message.split('; ')[1]])).toEqual([
      ['compil', 1, 'did you mean "compile"?'],
      ['daemon.settle', 9, undefined],
      ['profile.fast.flag', 7, 'did you mean "flags"?'],
      ['targets[0].sorces', 5, 'did you mean "sources"?'],
    ]);
  });

  it('closest picks the nearest key within two edits, case-insensitively', () => {
    expect(closest('flgs', ['flags', 'c_flags'])).toBe('flags');
    expect(closest('FLAGS', ['flags'])).toBe('flags');
    expect(closest('outptu_dir', ['output_dir', 'pipeline'])).toBe('output_dir');
    expect(closest('xyz', ['flags', 'output_dir'])).toBeNull();
  });
});

describe('output_dir', () => {
  it.each(['../out', '..', '/abs', '/tmp/build', '.', './', 'a/../../out', 'sub/..', 'a/b/../..'])('"%s" is outside the root: an error, and build/ is kept', (dir) => {
    const { config, issues } = resolve(doc('[compile]', `output_dir = "${dir}"`));
    expect(config.compile.outputDir).toBe('build');
    expect(errors(issues)).toEqual([expect.objectContaining({ key: 'compile.output_dir', line: 2, column: 1, message: expect.stringContaining('inside the project root') })]);
  });

  it.each([['out', 'out'], ['./out/', 'out'], ['out/./debug', 'out/debug'], ['.build', '.build']])('"%s" is %s', (dir, expected) => {
    const { config, issues } = resolve(doc('[compile]', `output_dir = "${dir}"`));
    expect(issues).toEqual([]);
    expect(config.compile.outputDir).toBe(expected);
  });

  it('applies to profiles too', () => {
    const { config, issues } = resolve(doc('[profile.x]', 'output_dir = "/elsewhere"'));
    expect(config.profiles.x!.outputDir).toBeNull();
    expect(errors(issues)).toEqual([expect.objectContaining({ key: 'profile.x.output_dir', line: 2 })]);
  });
});

describe('flag arrays', () => {
  it('an empty string in a flag array is an error naming its index', () => {
    const { config, issues } = resolve(doc('[compile]', 'flags = ["-O2", "", "-g"]'));
    expect(config.compile.flags).toEqual([]);
    expect(issues).toEqual([{ severity: 'error', key: 'compile.flags', message: 'compile.flags[1] is an empty string', line: 2, column: 1 }]);
  });

  it('a blank string counts as empty, in targets and profiles too', () => {
    const { issues } = resolve(doc('[[targets]]', 'name = "a"', 'link_flags = ["  "]', '[profile.p]', 'c_flags = ["-x", " "]'));
    expect(errors(issues).map((i) => [i.key, i.message, i.line])).toEqual([
      ['profile.p.c_flags', 'profile.p.c_flags[1] is an empty string', 5],
      ['targets[0].link_flags', 'targets[0].link_flags[0] is an empty string', 3],
    ]);
  });
});

describe('defines', () => {
  it('true is a bare define, strings and numbers are values, false is left out', () => {
    const { config, issues } = resolve(doc(
      '[compile.defines]',
      'DEBUG = true',
      'LEVEL = 3',
      'RATIO = 1.5',
      'NAME = "\\"jmake\\""',
      'OFF = false',
      '_private = "x"',
    ));
    expect(issues).toEqual([]);
    expect(config.compile.defines).toEqual({ DEBUG: null, LEVEL: '3', RATIO: '1.5', NAME: '"jmake"', _private: 'x' });
  });

  it('an invalid macro name is an error on its line', () => {
    const { config, issues } = resolve(doc('[compile.defines]', 'OK = 1', '"1BAD" = 1', '"A-B" = true', '"has space" = 2'));
    expect(config.compile.defines).toEqual({ OK: '1' });
    expect(errors(issues).map((i) => [i.key, i.message, i.line])).toEqual([
      ['compile.defines.1BAD', '"1BAD" is not a valid macro name', 3],
      ['compile.defines.A-B', '"A-B" is not a valid macro name', 4],
      ['compile.defines.has space', '"has space" is not a valid macro name', 5],
    ]);
  });

  it('another type of value is an error', () => {
    const { config, issues } = resolve(doc('[compile]', 'defines = { A = [1], B = 2 }'));
    expect(config.compile.defines).toEqual({ B: '2' });
    // inside an inline table: the key holding it is named
    expect(errors(issues)).toEqual([expect.objectContaining({ key: 'compile.defines.A', message: 'compile.defines.A must be a string, a number or true', line: 2 })]);
  });

  it('defines that are not a table are an error', () => {
    const { issues } = resolve(doc('[compile]', 'defines = ["A"]'));
    expect(errors(issues)).toEqual([expect.objectContaining({ key: 'compile.defines', message: 'compile.defines must be a table' })]);
  });
});

describe('profiles', () => {
  it('reads each [profile.NAME] with its flags, link flags, defines and output dir', () => {
    const { config, issues } = resolve(doc(
      '[profile.fast]',
      'flags = ["-O3"]',
      'cxx_flags = ["-march=native"]',
      'link_flags = ["-s"]',
      'include_dirs = ["fast/include"]',
      'lib_dirs = ["fast/lib"]',
      'output_dir = "out/fast/"',
      '[profile.fast.defines]',
      'FAST = 1',
      '[profile.asan]',
      'flags = ["-fsanitize=address"]',
    ));
    expect(issues).toEqual([]);
    expect(Object.keys(config.profiles).sort()).toEqual(['asan', 'fast']);
    expect(config.profiles.fast).toEqual({
      name: 'fast', outputDir: 'out/fast',
      own: { flags: ['-O3'], cFlags: [], cxxFlags: ['-march=native'], includeDirs: ['fast/include'], defines: { FAST: '1' }, linkFlags: ['-s'], libDirs: ['fast/lib'] },
    });
    expect(config.profiles.asan).toMatchObject({ name: 'asan', outputDir: null, own: { flags: ['-fsanitize=address'] } });
  });

  it('a profile that is not a table is an error and left out', () => {
    const { config, issues } = resolve(doc('[profile]', 'quick = "O1"', '[profile.ok]', 'flags = []'));
    expect(Object.keys(config.profiles)).toEqual(['ok']);
    expect(errors(issues)).toEqual([expect.objectContaining({ key: 'profile.quick', message: 'profile.quick must be a table', line: 2 })]);
  });
});

describe('environment', () => {
  it('picks CC, CXX, CFLAGS, CXXFLAGS and LDFLAGS only', () => {
    const env = { CC: 'ccache gcc', CXX: 'g++', CFLAGS: '-O1', CXXFLAGS: '-O2 -g', LDFLAGS: '-L/x', PATH: '/usr/bin', HOME: '/root', CPPFLAGS: '-DX' };
    const { config } = resolve('', env);
    expect(config.env).toEqual({ CC: 'ccache gcc', CXX: 'g++', CFLAGS: '-O1', CXXFLAGS: '-O2 -g', LDFLAGS: '-L/x' });
  });

  it('leaves out empty and missing variables', () => {
    expect(pickEnv({ CC: '', CXX: undefined, CFLAGS: '-g' })).toEqual({ CFLAGS: '-g' });
    expect(pickEnv({})).toEqual({});
  });
});
