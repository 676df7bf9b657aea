import { describe, expect, it } from 'vitest';
import { resolveBuildConfig, type BuildEnv } from '../../src/config/build-config.js';
import { parseConfig } from '../../src/config/load.js';
import { asidePathOf, isCxx, tempPathOf, isSource, outBaseFor, planBuild, profileFor, splitFlags, type Plan, type PlanInput, type PlanToolchain, type PlannedJob } from '../../src/graph/plan.js';
import type { ToolRole } from '../../src/toolchain/discover.js';

const tools = (map: Partial<Record<ToolRole, string>>): PlanToolchain['tools'] =>
  Object.fromEntries(Object.entries(map).map(([role, path]) => [role, { argv: path.split(' ') }]));

const CLANG: PlanToolchain = {
  family: 'clang',
  tools: tools({ cc: 'clang', cxx: 'clang++', ar: 'ar', 'llvm-link': 'llvm-link-14', opt: 'opt-14', llc: 'llc-14', 'llvm-ar': 'llvm-ar-14', lld: 'ld.lld-14' }),
};
const GCC: PlanToolchain = { family: 'gcc', tools: tools({ cc: 'gcc', cxx: 'g++', ar: 'ar' }) };

interface Options {
  profile?: string | null;
  toolchain?: PlanToolchain;
  env?: BuildEnv;
  pkgConfig?: PlanInput['pkgConfig'];
  parallelism?: number;
}

function plan(toml: string, files: readonly string[], options: Options = {}): Plan {
  const parsed = parseConfig(Buffer.from(toml), 'hash');
  if (!parsed.ok) throw new Error(`test TOML does not parse: ${parsed.error.message}`);
  const { config, issues } = resolveBuildConfig(parsed.values, parsed.text, options.env ?? {}, 'proj');
  expect(issues).toEqual([]);
  return planBuild({
    config, profile: options.profile ?? null, files, toolchain: options.toolchain ?? GCC,
    pkgConfig: options.pkgConfig ?? {}, parallelism: options.parallelism ?? 4,
  });
}

const doc = (...lines: string[]): string => `${lines.join('\n')}\n`;
const job = (p: Plan, id: string): PlannedJob => {
  const j = p.jobs.get(id);
  if (!j) throw new Error(`no job ${id}; jobs: ${[...p.jobs.keys()].join(', ')}`);
  return j;
};
const ids = (p: Plan) => [...p.jobs.keys()];
/** The argv without the tool. */
const args = (p: Plan, id: string) => job(p, id).argv.slice(1);
const tmp = (path: string) => path.replace(/[^/]*$/, (name) => `.jmake-tmp/${name}`);

describe('helpers', () => {
  it('isSource knows the C and C++ extensions', () => {
    for (const f of ['a.c', 'src/a.cc', 'a.cpp', 'a.cxx', 'a.c++', 'a.C']) expect(isSource(f), f).toBe(true);
    for (const f of ['a.h', 'a.hpp', 'a.o', 'Makefile', 'src.c/readme', 'a.c.txt', 'a.']) expect(isSource(f), f).toBe(false);
  });

  it('isCxx is true for everything but .c', () => {
    expect(isCxx('a.c')).toBe(false);
    expect(isCxx('a.C')).toBe(true);
    expect(isCxx('a.cc')).toBe(true);
  });

  it('splitFlags splits on whitespace', () => {
    expect(splitFlags('  -O2\t-g  -Wall ')).toEqual(['-O2', '-g', '-Wall']);
    expect(splitFlags('')).toEqual([]);
    expect(splitFlags(undefined)).toEqual([]);
  });
});

describe('object pipeline', () => {
  const files = ['src/main.c', 'src/util.c', 'src/util.h', 'README.md', 'tests/t.c'];

  it('a lone [binary]: one compile per source in build/obj/, then the link; ids are the output paths', () => {
    const p = plan('', files);
    expect(p.errors).toEqual([]);
    expect(p.outBase).toBe('build');
    expect(p.pipeline).toBe('object');
    expect(ids(p)).toEqual(['build/obj/src/main.c.o', 'build/obj/src/util.c.o', 'build/bin/proj']);
    for (const [id, j] of p.jobs) {
      expect(j.id).toBe(id);
      expect(j.output).toBe(id);
      expect(j.tmpOutput).toBe(id.replace(/[^/]*$/, (name) => `.jmake-tmp/${name}`));
      expect(j.target).toBe('proj');
    }
    expect(p.targets).toEqual([{ name: 'proj', type: 'executable', output: 'build/bin/proj', jobs: ids(p) }]);
  });

  it('a compile writes a depfile and a temporary output', () => {
    const p = plan('', files);
    expect(job(p, 'build/obj/src/main.c.o')).toEqual({
      id: 'build/obj/src/main.c.o', kind: 'compile', target: 'proj', tool: 'cc',
      argv: ['gcc', '-MD', '-MF', 'build/obj/src/main.c.o.d', '-MT', 'build/obj/src/main.c.o', '-c', 'src/main.c', '-o', 'build/obj/src/.jmake-tmp/main.c.o'],
      cosmeticArgs: ['-fdiagnostics-color=always'],
      output: 'build/obj/src/main.c.o', tmpOutput: 'build/obj/src/.jmake-tmp/main.c.o', depfile: 'build/obj/src/main.c.o.d',
      source: 'src/main.c', deps: [], priority: 0,
    });
  });

  it('the link reads every object, with the C driver for C sources', () => {
    const p = plan('', files);
    expect(job(p, 'build/bin/proj')).toMatchObject({
      kind: 'link', tool: 'cc', depfile: null, source: null, priority: 40,
      argv: ['gcc', 'build/obj/src/main.c.o', 'build/obj/src/util.c.o', '-o', 'build/bin/.jmake-tmp/proj'],
      deps: ['build/obj/src/main.c.o', 'build/obj/src/util.c.o'],
      cosmeticArgs: ['-fdiagnostics-color=always'],
    });
  });

  it('C++ sources compile and link with the C++ driver', () => {
    const p = plan('', ['src/main.cc', 'src/c_part.c', 'src/x.cpp'], { toolchain: CLANG });
    expect(job(p, 'build/obj/src/main.cc.o').tool).toBe('cxx');
    expect(job(p, 'build/obj/src/main.cc.o').argv[0]).toBe('clang++');
    expect(job(p, 'build/obj/src/c_part.c.o').tool).toBe('cc');
    expect(job(p, 'build/obj/src/c_part.c.o').argv[0]).toBe('clang');
    expect(job(p, 'build/bin/proj')).toMatchObject({ tool: 'cxx', argv: expect.arrayContaining(['clang++']) });
  });

  it('a multi-word compiler (ccache gcc) keeps every word in argv', () => {
    const p = plan('', ['src/a.c'], { toolchain: { family: 'gcc', tools: tools({ cc: 'ccache gcc' }) } });
    expect(job(p, 'build/obj/src/a.c.o').argv.slice(0, 3)).toEqual(['ccache', 'gcc', '-MD']);
  });

  it('sources are sorted and the plan is deterministic', () => {
    const a = plan('', ['src/z.c', 'src/a.c', 'src/m/b.c']);
    const b = plan('', ['src/m/b.c', 'src/z.c', 'src/a.c']);
    expect(ids(a)).toEqual(['build/obj/src/a.c.o', 'build/obj/src/m/b.c.o', 'build/obj/src/z.c.o', 'build/bin/proj']);
    expect(ids(b)).toEqual(ids(a));
    expect([...b.jobs.values()]).toEqual([...a.jobs.values()]);
  });

  it('orders flags: [compile], target, profile, then the environment; then -I and sorted -D, then pkg-config', () => {
    const toml = doc(
      '[compile]',
      'flags = ["-Wall"]',
      'c_flags = ["-std=c11"]',
      'cxx_flags = ["-std=c++20"]',
      'include_dirs = ["inc/common"]',
      '[compile.defines]',
      'B = true',
      'A = 1',
      '[[targets]]',
      'name = "app"',
      'sources = ["src/*.c", "src/*.cc"]',
      'flags = ["-Wextra"]',
      'c_flags = ["-Wno-unused"]',
      'include_dirs = ["inc/app"]',
      'pkg_config = ["zlib"]',
      '[targets.defines]',
      'A = 2',
      'C = "x"',
      '[[targets]]',
      'name = "other"',
      'sources = ["lib/*.c"]',
      '[profile.p]',
      'flags = ["-O1"]',
      'c_flags = ["-fno-common"]',
      'include_dirs = ["inc/p"]',
      '[profile.p.defines]',
      'D = true',
    );
    const p = plan(toml, ['src/a.c', 'src/b.cc', 'lib/l.c'], {
      profile: 'p', env: { CFLAGS: '-g3 -fno-omit-frame-pointer', CXXFLAGS: '-g1' },
      pkgConfig: { zlib: { cflags: ['-I/usr/include/zlib'], libs: ['-lz'] } },
    });
    expect(p.errors).toEqual([]);
    expect(args(p, 'build/p/obj/app/src/a.c.o')).toEqual([
      '-Wall', '-std=c11', '-Wextra', '-Wno-unused', '-O1', '-fno-common', '-g3', '-fno-omit-frame-pointer',
      '-Iinc/app', '-Iinc/common', '-Iinc/p',
      '-DA=2', '-DB', '-DC=x', '-DD',
      '-I/usr/include/zlib',
      '-MD', '-MF', 'build/p/obj/app/src/a.c.o.d', '-MT', 'build/p/obj/app/src/a.c.o', '-c', 'src/a.c', '-o', tmp('build/p/obj/app/src/a.c.o'),
    ]);
    // C++ takes cxx_flags and CXXFLAGS instead
    expect(args(p, 'build/p/obj/app/src/b.cc.o').slice(0, 6)).toEqual(['-Wall', '-std=c++20', '-Wextra', '-O1', '-g1', '-Iinc/app']);
    // another target gets only its own and the shared levels
    expect(args(p, 'build/p/obj/other/lib/l.c.o').slice(0, 9)).toEqual(['-Wall', '-std=c11', '-O1', '-fno-common', '-g3', '-fno-omit-frame-pointer', '-Iinc/common', '-Iinc/p', '-DA=1']);
    // pkg-config libs, link flags and LDFLAGS on the link line
    expect(args(p, 'build/p/bin/app')).toContain('-lz');
  });

  it('the link line: objects, output, -L dirs, libraries, pkg-config libs, link flags, LDFLAGS', () => {
    const toml = doc(
      '[link]',
      'flags = ["-pthread"]',
      '[[targets]]',
      'name = "app"',
      'sources = ["src/*.c"]',
      'link = ["m", "-ldl", "vendor/libx.a", "libso.so.1"]',
      'link_flags = ["-Wl,--as-needed"]',
      'lib_dirs = ["vendor"]',
      'pkg_config = ["zlib"]',
      '[[targets]]',
      'name = "other"',
      'sources = ["lib/*.c"]',
    );
    const p = plan(toml, ['src/a.c', 'lib/l.c'], { env: { LDFLAGS: '-L/opt/lib -s' }, pkgConfig: { zlib: { cflags: [], libs: ['-L/z', '-lz'] } } });
    expect(args(p, 'build/bin/app')).toEqual([
      'build/obj/app/src/a.c.o', '-o', tmp('build/bin/app'),
      '-Lvendor', '-lm', '-ldl', 'vendor/libx.a', 'libso.so.1', '-L/z', '-lz',
      '-pthread', '-Wl,--as-needed', '-L/opt/lib', '-s',
    ]);
    expect(job(p, 'build/bin/app').deps).toEqual(['build/obj/app/src/a.c.o']);
  });

  it('[binary] link_libraries and lib_dirs reach the link line', () => {
    const p = plan(doc('[binary]', 'name = "calc"', 'link_libraries = ["m", "pthread"]', 'lib_dirs = ["/opt/lib"]'), ['src/main.c']);
    expect(args(p, 'build/bin/calc')).toEqual(['build/obj/src/main.c.o', '-o', tmp('build/bin/calc'), '-L/opt/lib', '-lm', '-lpthread']);
  });

  it('[[targets]] keep their objects in build/obj/<target>/', () => {
    const toml = doc('[[targets]]', 'name = "one"', 'sources = ["a/*.c"]', '[[targets]]', 'name = "two"', 'sources = ["b/*.c", "a/shared.c"]');
    const p = plan(toml, ['a/x.c', 'a/shared.c', 'b/y.c']);
    expect(ids(p)).toEqual([
      'build/obj/one/a/shared.c.o', 'build/obj/one/a/x.c.o', 'build/bin/one',
      'build/obj/two/a/shared.c.o', 'build/obj/two/b/y.c.o', 'build/bin/two',
    ]);
    expect(p.targets.map((t) => [t.name, t.output, t.jobs.length])).toEqual([['one', 'build/bin/one', 3], ['two', 'build/bin/two', 3]]);
    expect(job(p, 'build/obj/two/a/shared.c.o').target).toBe('two');
  });

  it('a single [[targets]] entry also uses build/obj/<target>/', () => {
    const p = plan(doc('[[targets]]', 'name = "only"', 'sources = ["src/*.c"]'), ['src/a.c']);
    expect(ids(p)).toEqual(['build/obj/only/src/a.c.o', 'build/bin/only']);
  });

  it('renaming a lone [binary] changes only the link job', () => {
    const before = plan(doc('[binary]', 'name = "old"'), ['src/a.c']);
    const after = plan(doc('[binary]', 'name = "new"'), ['src/a.c']);
    expect(ids(before)).toEqual(['build/obj/src/a.c.o', 'build/bin/old']);
    expect(ids(after)).toEqual(['build/obj/src/a.c.o', 'build/bin/new']);
    expect(job(after, 'build/obj/src/a.c.o').argv).toEqual(job(before, 'build/obj/src/a.c.o').argv);
  });

  it('-fPIC for the sources of a shared target only', () => {
    const toml = doc(
      '[[targets]]', 'name = "greet"', 'type = "shared"', 'sources = ["lib/*.c"]',
      '[[targets]]', 'name = "st"', 'type = "static"', 'sources = ["st/*.c"]',
      '[[targets]]', 'name = "app"', 'sources = ["src/*.c"]',
    );
    const p = plan(toml, ['lib/g.c', 'st/s.c', 'src/main.c']);
    expect(args(p, 'build/obj/greet/lib/g.c.o')[0]).toBe('-fPIC');
    expect(args(p, 'build/obj/st/st/s.c.o')).not.toContain('-fPIC');
    expect(args(p, 'build/obj/app/src/main.c.o')).not.toContain('-fPIC');
    expect(job(p, 'build/lib/libgreet.so')).toMatchObject({
      kind: 'link', argv: ['gcc', '-shared', '-Wl,-soname,libgreet.so', 'build/obj/greet/lib/g.c.o', '-o', tmp('build/lib/libgreet.so')],
    });
  });

  it('links to an in-tree static library: its archive on the link line and as a dependency', () => {
    const toml = doc(
      '[[targets]]', 'name = "core"', 'type = "static"', 'sources = ["src/core/*.c"]',
      '[[targets]]', 'name = "app"', 'sources = ["src/app/*.c"]', 'link = ["core", "m"]',
    );
    const p = plan(toml, ['src/core/a.c', 'src/core/b.c', 'src/app/main.c']);
    expect(p.errors).toEqual([]);
    expect(job(p, 'build/lib/libcore.a')).toMatchObject({
      kind: 'archive', tool: 'ar', priority: 40, cosmeticArgs: [],
      argv: ['ar', 'rcsD', tmp('build/lib/libcore.a'), 'build/obj/core/src/core/a.c.o', 'build/obj/core/src/core/b.c.o'],
      deps: ['build/obj/core/src/core/a.c.o', 'build/obj/core/src/core/b.c.o'],
    });
    const link = job(p, 'build/bin/app');
    expect(link.argv).toEqual(['gcc', 'build/obj/app/src/app/main.c.o', '-o', tmp('build/bin/app'), 'build/lib/libcore.a', '-lm']);
    expect(link.deps).toEqual(['build/obj/app/src/app/main.c.o', 'build/lib/libcore.a']);
    // all C, the library too: the C driver links (no libstdc++)
    expect(link.tool).toBe('cc');
    expect(p.targets.map((t) => [t.name, t.type, t.output])).toEqual([['core', 'static', 'build/lib/libcore.a'], ['app', 'executable', 'build/bin/app']]);
  });

  it('links to an in-tree shared library with an rpath to $ORIGIN/../lib', () => {
    const toml = doc(
      '[[targets]]', 'name = "greet"', 'type = "shared"', 'sources = ["lib/*.cc"]',
      '[[targets]]', 'name = "app"', 'sources = ["src/*.cc"]', 'link = ["greet"]',
      '[[targets]]', 'name = "plugin"', 'type = "shared"', 'sources = ["plugin/*.cc"]', 'link = ["greet"]',
    );
    const p = plan(toml, ['lib/g.cc', 'src/main.cc', 'plugin/p.cc']);
    expect(args(p, 'build/bin/app')).toEqual(['build/obj/app/src/main.cc.o', '-o', tmp('build/bin/app'), 'build/lib/libgreet.so', '-Wl,-rpath,$ORIGIN/../lib']);
    expect(job(p, 'build/bin/app').deps).toEqual(['build/obj/app/src/main.cc.o', 'build/lib/libgreet.so']);
    // a shared library next to it in lib/: $ORIGIN
    expect(args(p, 'build/lib/libplugin.so')).toEqual([
      '-shared', '-Wl,-soname,libplugin.so', 'build/obj/plugin/plugin/p.cc.o', '-o', tmp('build/lib/libplugin.so'), 'build/lib/libgreet.so', '-Wl,-rpath,$ORIGIN',
    ]);
  });

  it('`each` makes one executable per matching source, built with the shared sources', () => {
    const toml = doc(
      '[[targets]]', 'name = "core"', 'type = "static"', 'sources = ["src/*.cc"]',
      '[[targets]]', 'name = "tests"', 'each = "tests/*_test.cc"', 'sources = ["tests/main.cc"]', 'link = ["core"]',
    );
    const p = plan(toml, ['src/lib.cc', 'tests/a_test.cc', 'tests/b_test.cc', 'tests/main.cc', 'tests/helper.cc']);
    expect(p.errors).toEqual([]);
    expect(p.targets.map((t) => t.name)).toEqual(['core', 'a_test', 'b_test']);
    expect(p.targets.map((t) => t.output)).toEqual(['build/lib/libcore.a', 'build/bin/a_test', 'build/bin/b_test']);
    expect(p.targets[1]!.jobs).toEqual(['build/obj/a_test/tests/a_test.cc.o', 'build/obj/a_test/tests/main.cc.o', 'build/bin/a_test']);
    expect(job(p, 'build/bin/b_test').deps).toEqual(['build/obj/b_test/tests/b_test.cc.o', 'build/obj/b_test/tests/main.cc.o', 'build/lib/libcore.a']);
    expect(job(p, 'build/obj/b_test/tests/b_test.cc.o').target).toBe('b_test');
    expect(ids(p)).not.toContain('build/obj/a_test/tests/helper.cc.o');
  });

  it('an `each` that matches nothing is an error', () => {
    const p = plan(doc('[[targets]]', 'name = "tests"', 'each = "tests/*_test.cc"'), ['src/a.cc']);
    expect(p.errors).toEqual([{ target: 'tests', message: 'target "tests": each = "tests/*_test.cc" matches no source' }]);
    expect(p.jobs.size).toBe(0);
  });

  it('exclude globs of a target remove sources', () => {
    const toml = doc('[[targets]]', 'name = "app"', 'sources = ["src/**/*.c"]', 'exclude = ["src/legacy/**", "**/*_win.c"]');
    const p = plan(toml, ['src/a.c', 'src/legacy/old.c', 'src/io_win.c', 'src/sub/io_posix.c']);
    expect(ids(p)).toEqual(['build/obj/app/src/a.c.o', 'build/obj/app/src/sub/io_posix.c.o', 'build/bin/app']);
  });

  it('[discovery] include and exclude choose the sources of [binary]', () => {
    const p = plan(doc('[discovery]', 'include = ["**/*.c"]', 'exclude = ["examples/**"]'), ['main.c', 'lib/x.c', 'examples/demo.c']);
    expect(ids(p)).toEqual(['build/obj/lib/x.c.o', 'build/obj/main.c.o', 'build/bin/proj']);
  });

  it('discovery.exclude_dirs and the output folder are never sources', () => {
    const toml = doc('[discovery]', 'include = ["**/*.c"]', 'exclude_dirs = ["third_party/", "gen"]');
    const p = plan(toml, ['main.c', 'third_party/z/z.c', 'gen/g.c', 'generated/ok.c', 'build/stale.c', 'build/debug/x.c']);
    expect(ids(p)).toEqual(['build/obj/generated/ok.c.o', 'build/obj/main.c.o', 'build/bin/proj']);
  });

  it('a profile with its own output dir keeps the default output dir out of the sources too', () => {
    const toml = doc('[discovery]', 'include = ["**/*.c"]', '[profile.x]', 'output_dir = "out"');
    const p = plan(toml, ['main.c', 'out/o.c', 'build/b.c'], { profile: 'x' });
    expect(ids(p)).toEqual(['out/obj/main.c.o', 'out/bin/proj']);
  });

  it('a target with no sources is an error; the other targets are still planned', () => {
    const toml = doc('[[targets]]', 'name = "empty"', 'sources = ["nothing/*.c"]', '[[targets]]', 'name = "app"', 'sources = ["src/*.c"]');
    const p = plan(toml, ['src/a.c']);
    expect(p.errors).toEqual([{ target: 'empty', message: 'target "empty" has no sources (patterns: nothing/*.c)' }]);
    expect(p.targets.map((t) => t.name)).toEqual(['app']);
    expect(ids(p)).toEqual(['build/obj/app/src/a.c.o', 'build/bin/app']);
  });

  it('a project without any source is an error for its binary', () => {
    const p = plan('', ['README.md']);
    expect(p.errors).toEqual([{ target: 'proj', message: expect.stringContaining('has no sources') }]);
    expect(p.jobs.size).toBe(0);
  });

  it('explicit (non-glob) sources are taken as written, without ./', () => {
    const p = plan(doc('[discovery]', 'files = ["./main.c", "util.c"]'), ['main.c', 'util.c', 'src/ignored.c']);
    expect(ids(p)).toEqual(['build/obj/main.c.o', 'build/obj/util.c.o', 'build/bin/proj']);
  });
});

describe('profiles', () => {
  const files = ['src/main.c'];

  it('no profile: build/, no extra flags', () => {
    const p = plan('', files, { profile: null });
    expect(p.outBase).toBe('build');
    expect(args(p, 'build/obj/src/main.c.o')[0]).toBe('-MD');
  });

  it('built-in debug: build/debug with -O0 -g', () => {
    const p = plan('', files, { profile: 'debug' });
    expect(p.errors).toEqual([]);
    expect(p.outBase).toBe('build/debug');
    expect(ids(p)).toEqual(['build/debug/obj/src/main.c.o', 'build/debug/bin/proj']);
    expect(args(p, 'build/debug/obj/src/main.c.o').slice(0, 3)).toEqual(['-O0', '-g', '-MD']);
  });

  it('built-in release: build/release with -O2 -DNDEBUG', () => {
    const p = plan('', files, { profile: 'release' });
    expect(p.outBase).toBe('build/release');
    expect(args(p, 'build/release/obj/src/main.c.o').slice(0, 3)).toEqual(['-O2', '-DNDEBUG', '-MD']);
  });

  it('a user profile: its flags, link flags and lib dirs, under <output_dir>/<name> or its own output_dir', () => {
    const toml = doc(
      '[compile]', 'output_dir = "out"',
      '[profile.fast]', 'flags = ["-O3"]', 'link_flags = ["-flto"]', 'lib_dirs = ["fastlib"]',
      '[profile.asan]', 'flags = ["-fsanitize=address"]', 'output_dir = "asan-build"',
    );
    const fast = plan(toml, files, { profile: 'fast' });
    expect(fast.outBase).toBe('out/fast');
    expect(args(fast, 'out/fast/obj/src/main.c.o')[0]).toBe('-O3');
    expect(args(fast, 'out/fast/bin/proj')).toEqual(['out/fast/obj/src/main.c.o', '-o', tmp('out/fast/bin/proj'), '-Lfastlib', '-flto']);
    const asan = plan(toml, files, { profile: 'asan' });
    expect(asan.outBase).toBe('asan-build');
    expect(ids(asan)).toEqual(['asan-build/obj/src/main.c.o', 'asan-build/bin/proj']);
  });

  it('a user profile named like a built-in one replaces it', () => {
    const p = plan(doc('[profile.debug]', 'flags = ["-Og", "-g3"]'), files, { profile: 'debug' });
    expect(p.outBase).toBe('build/debug');
    expect(args(p, 'build/debug/obj/src/main.c.o').slice(0, 3)).toEqual(['-Og', '-g3', '-MD']);
  });

  it('an unknown profile is an error and plans nothing', () => {
    const p = plan('', files, { profile: 'nope' });
    expect(p.jobs.size).toBe(0);
    expect(p.targets).toEqual([]);
    expect(p.errors).toEqual([{ message: expect.stringContaining('no profile named "nope"') }]);
  });

  it('profileFor and outBaseFor', () => {
    const parsed = parseConfig(Buffer.from(doc('[profile.mine]', 'output_dir = "m"')), 'h');
    if (!parsed.ok) throw new Error('unreachable');
    const { config } = resolveBuildConfig(parsed.values, parsed.text, {}, 'proj');
    expect(profileFor(config, null)).toBeNull();
    expect(profileFor(config, 'missing')).toBeUndefined();
    expect(profileFor(config, 'release')?.own.defines).toEqual({ NDEBUG: null });
    expect(outBaseFor(config, null)).toBe('build');
    expect(outBaseFor(config, profileFor(config, 'mine')!)).toBe('m');
    expect(outBaseFor(config, profileFor(config, 'debug')!)).toBe('build/debug');
  });
});

describe('ir pipeline', () => {
  const toml = doc('[compile]', 'pipeline = "ir"', '[link]', 'opt_level = "O3"', '[binary]', 'name = "app"');
  const files = ['src/a.c', 'src/b.cc'];

  it('emit-ir per source, then link-ir, opt, codegen and the link', () => {
    const p = plan(toml, files, { toolchain: CLANG });
    expect(p.errors).toEqual([]);
    expect(p.pipeline).toBe('ir');
    expect([...p.jobs.values()].map((j) => [j.id, j.kind, j.tool, j.priority])).toEqual([
      ['build/ir/app/src/a.c.bc', 'emit-ir', 'cc', 0],
      ['build/ir/app/src/b.cc.bc', 'emit-ir', 'cxx', 0],
      ['build/ir/app/app.linked.bc', 'link-ir', 'llvm-link', 10],
      ['build/ir/app/app.opt.bc', 'opt', 'opt', 20],
      ['build/ir/app/app.o', 'codegen', 'llc', 30],
      ['build/bin/app', 'link', 'cxx', 40],
    ]);
  });

  it('emits bitcode at the target level with the LLVM passes disabled', () => {
    const p = plan(toml, files, { toolchain: CLANG });
    expect(job(p, 'build/ir/app/src/a.c.bc')).toMatchObject({
      argv: [
        'clang', '-O3', '-Xclang', '-disable-llvm-passes', '-emit-llvm',
        '-MD', '-MF', 'build/ir/app/src/a.c.bc.d', '-MT', 'build/ir/app/src/a.c.bc', '-c', 'src/a.c', '-o', tmp('build/ir/app/src/a.c.bc'),
      ],
      depfile: 'build/ir/app/src/a.c.bc.d', source: 'src/a.c', deps: [],
    });
  });

  it('chains llvm-link -> opt -> llc (pic) -> link through deps', () => {
    const p = plan(toml, files, { toolchain: CLANG });
    expect(job(p, 'build/ir/app/app.linked.bc')).toMatchObject({
      argv: ['llvm-link-14', 'build/ir/app/src/a.c.bc', 'build/ir/app/src/b.cc.bc', '-o', tmp('build/ir/app/app.linked.bc')],
      deps: ['build/ir/app/src/a.c.bc', 'build/ir/app/src/b.cc.bc'], cosmeticArgs: [], depfile: null,
    });
    expect(job(p, 'build/ir/app/app.opt.bc')).toMatchObject({
      argv: ['opt-14', '-O3', 'build/ir/app/app.linked.bc', '-o', tmp('build/ir/app/app.opt.bc')], deps: ['build/ir/app/app.linked.bc'],
    });
    expect(job(p, 'build/ir/app/app.o')).toMatchObject({
      argv: ['llc-14', '-O3', '-filetype=obj', '-relocation-model=pic', 'build/ir/app/app.opt.bc', '-o', tmp('build/ir/app/app.o')],
      deps: ['build/ir/app/app.opt.bc'],
    });
    expect(job(p, 'build/bin/app')).toMatchObject({ argv: ['clang++', 'build/ir/app/app.o', '-o', tmp('build/bin/app')], deps: ['build/ir/app/app.o'] });
  });

  it('the default opt level is O2, and a static target archives the one object', () => {
    const p = plan(doc('[compile]', 'pipeline = "ir"', '[binary]', 'type = "static"', 'name = "core"'), ['src/a.c'], { toolchain: CLANG });
    expect(args(p, 'build/ir/core/src/a.c.bc')[0]).toBe('-O2');
    expect(job(p, 'build/lib/libcore.a')).toMatchObject({ tool: 'ar', argv: ['ar', 'rcsD', tmp('build/lib/libcore.a'), 'build/ir/core/core.o'], deps: ['build/ir/core/core.o'] });
  });

  it('a missing llvm-link is a plan error', () => {
    const { 'llvm-link': _missing, ...rest } = CLANG.tools;
    const p = plan(toml, files, { toolchain: { family: 'clang', tools: rest } });
    expect(p.errors).toEqual([{ message: expect.stringMatching(/the ir pipeline needs llvm-link .*not found/) }]);
    expect(job(p, 'build/ir/app/app.linked.bc').argv[0]).toBe('<no llvm-link>');
  });

  it('gcc alone cannot run the ir pipeline: every LLVM tool is reported', () => {
    const p = plan(toml, files, { toolchain: GCC });
    const messages = p.errors.map((e) => e.message).join('\n');
    expect(p.errors).toHaveLength(3);
    expect(messages).toContain('llvm-link');
    expect(messages).toContain('opt (apt install llvm)');
    expect(messages).toContain('llc (apt install llvm)');
  });
});

describe('thinlto pipeline', () => {
  const toml = doc(
    '[compile]', 'pipeline = "thinlto"',
    '[[targets]]', 'name = "core"', 'type = "static"', 'sources = ["lib/*.cc"]',
    '[[targets]]', 'name = "app"', 'sources = ["src/*.cc"]', 'link = ["core"]',
  );
  const files = ['lib/l.cc', 'src/main.cc'];

  it('compiles with -flto=thin, archives with llvm-ar and links with lld and a ThinLTO cache', () => {
    const p = plan(toml, files, { toolchain: CLANG, parallelism: 8 });
    expect(p.errors).toEqual([]);
    expect(args(p, 'build/obj/app/src/main.cc.o')).toEqual([
      '-flto=thin', '-MD', '-MF', 'build/obj/app/src/main.cc.o.d', '-MT', 'build/obj/app/src/main.cc.o', '-c', 'src/main.cc', '-o', tmp('build/obj/app/src/main.cc.o'),
    ]);
    expect(job(p, 'build/lib/libcore.a')).toMatchObject({ tool: 'llvm-ar', argv: ['llvm-ar-14', 'rcsD', tmp('build/lib/libcore.a'), 'build/obj/core/lib/l.cc.o'] });
    expect(job(p, 'build/bin/app').argv).toEqual([
      'clang++', '-flto=thin', '-fuse-ld=lld', '-Wl,--thinlto-cache-dir=build/thinlto-cache', '-Wl,--thinlto-jobs=8',
      'build/obj/app/src/main.cc.o', '-o', tmp('build/bin/app'), 'build/lib/libcore.a',
    ]);
  });

  it('the ThinLTO cache lives under the profile output', () => {
    const p = plan(toml, files, { toolchain: CLANG, profile: 'release', parallelism: 2 });
    expect(job(p, 'build/release/bin/app').argv).toContain('-Wl,--thinlto-cache-dir=build/release/thinlto-cache');
    expect(job(p, 'build/release/bin/app').argv).toContain('-Wl,--thinlto-jobs=2');
  });

  it('without lld it is a plan error', () => {
    const { lld: _missing, ...rest } = CLANG.tools;
    const p = plan(toml, files, { toolchain: { family: 'clang', tools: rest } });
    expect(p.errors).toEqual([{ message: expect.stringMatching(/the thinlto pipeline needs lld .*not found/) }]);
  });

  it('without llvm-ar a static target is a plan error', () => {
    const { 'llvm-ar': _missing, ...rest } = CLANG.tools;
    const p = plan(toml, files, { toolchain: { family: 'clang', tools: rest } });
    expect(p.errors.map((e) => e.message)).toEqual([expect.stringContaining('llvm-ar')]);
  });
});

describe('missing compilers', () => {
  it('a C++ source without a C++ compiler is a plan error; a C project needs no C++ compiler', () => {
    const onlyCc: PlanToolchain = { family: 'gcc', tools: tools({ cc: 'gcc', ar: 'ar' }) };
    expect(plan('', ['src/a.c'], { toolchain: onlyCc }).errors).toEqual([]);
    const p = plan('', ['src/a.cc'], { toolchain: onlyCc });
    expect(p.errors).toEqual([{ message: expect.stringContaining('a C++ compiler (clang++ or g++)') }]);
    expect(job(p, 'build/obj/src/a.cc.o').argv[0]).toBe('<no cxx>');
  });

  it('each missing tool is reported once', () => {
    const p = plan('', ['src/a.c', 'src/b.c', 'src/c.c'], { toolchain: { family: 'gcc', tools: {} } });
    expect(p.errors).toHaveLength(1);
    expect(p.errors[0]!.message).toContain('a C compiler');
  });
});

describe('links between targets, in any order', () => {
  it('a target may link to one declared after it', () => {
    const p = plan(doc(
      '[[targets]]', 'name = "app"', 'sources = ["app/*.c"]', 'link = ["util"]',
      '[[targets]]', 'name = "util"', 'type = "shared"', 'sources = ["util/*.c"]',
    ), ['app/main.c', 'util/u.c']);
    expect(p.errors).toEqual([]);
    const link = job(p, 'build/bin/app');
    expect(link.deps).toContain('build/lib/libutil.so');
    expect(link.argv).toContain('build/lib/libutil.so');
    expect(link.argv).toContain('-Wl,-rpath,$ORIGIN/../lib');
  });

  it('linking to an executable, duplicate `each` names and missing explicit sources are errors', () => {
    const exe = plan(doc(
      '[[targets]]', 'name = "tool"', 'sources = ["tool/*.c"]',
      '[[targets]]', 'name = "app"', 'sources = ["app/*.c"]', 'link = ["tool"]',
    ), ['tool/t.c', 'app/main.c']);
    expect(exe.errors.map((e) => e.message)).toEqual(['target "app" links to "tool", which is an executable']);

    const dup = plan(doc('[[targets]]', 'name = "tests"', 'each = "**/*_test.c"'), ['a/x_test.c', 'b/x_test.c']);
    expect(dup.errors.map((e) => e.message).join('\n')).toMatch(/two targets are named "x_test"/);

    const missing = plan(doc('[[targets]]', 'name = "app"', 'sources = ["src/main.c", "src/gone.c"]'), ['src/main.c']);
    expect(missing.errors.map((e) => e.message)).toEqual(['target "app": src/gone.c does not exist']);
  });
});

describe('link closure', () => {
  it('a static library passes on what it links; C++ inside it makes the program link as C++', () => {
    const p = plan(doc(
      '[[targets]]', 'name = "base"', 'type = "static"', 'sources = ["base/*.cc"]', 'link = ["dl"]',
      '[[targets]]', 'name = "mid"', 'type = "static"', 'sources = ["mid/*.c"]', 'link = ["base", "m"]',
      '[[targets]]', 'name = "app"', 'sources = ["app/*.c"]', 'link = ["mid"]',
    ), ['base/b.cc', 'mid/m.c', 'app/main.c']);
    expect(p.errors).toEqual([]);
    const link = job(p, 'build/bin/app');
    expect(link.tool).toBe('cxx');
    expect(link.argv.slice(4)).toEqual(['build/lib/libmid.a', 'build/lib/libbase.a', '-ldl', '-lm']);
    expect(link.deps).toEqual(['build/obj/app/app/main.c.o', 'build/lib/libmid.a', 'build/lib/libbase.a']);
  });

  it('a shared library carries its own dependencies: a C program linking a C++ .so links as C', () => {
    const p = plan(doc(
      '[[targets]]', 'name = "greet"', 'type = "shared"', 'sources = ["greet/*.cc"]',
      '[[targets]]', 'name = "app"', 'sources = ["app/*.c"]', 'link = ["greet"]',
    ), ['greet/g.cc', 'app/main.c']);
    expect(job(p, 'build/bin/app').tool).toBe('cc');
    expect(job(p, 'build/lib/libgreet.so').tool).toBe('cxx');
  });
});

describe('hostile values (issue 8)', () => {
  it('a path that leaves the project is a plan error, whatever made it (a project name, an each match, a job output)', () => {
    const named = plan(doc('[project]', 'name = "../../../outside/pwn"'), ['src/main.c']);
    expect(named.errors.map((e) => e.message)).toEqual([
      'link build/bin/../../../outside/pwn would write "build/bin/../../../outside/pwn", which is not a plain path inside the project (no "..", ".", or leading "/"): jmake writes and deletes files only inside the project',
    ]);
    // A file named `...c` makes an `each` target named "..".
    const dots = plan(doc('[[targets]]', 'name = "t"', 'each = "tests/*c"'), ['tests/...c']);
    expect(dots.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^compile tests\/\.\.\.c would write "build\/obj\/\.\.\/tests\/\.\.\.c\.o"/),
      expect.stringMatching(/^link build\/bin\/\.\. would write "build\/bin\/\.\."/),
    ]);
    const job = plan(doc('[[jobs]]', 'id = "gen"', 'run = ["true"]', 'outputs = ["../outside/gen.h"]'), ['src/main.c']);
    expect(job.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^job "gen" declares the output "\.\.\/outside\/gen\.h", which is not a plain path/)]);
    const absolute = plan(doc('[[jobs]]', 'id = "gen"', 'run = ["true"]', 'outputs = ["/tmp/gen.h"]'), ['src/main.c']);
    expect(absolute.errors).toHaveLength(1);
  });

  it('a source whose name starts with "-" is passed as ./-name, never as an option', () => {
    const p = plan(doc('[discovery]', 'include = ["*.c"]'), ['-x.c', 'main.c']);
    expect(p.errors).toEqual([]);
    const compile = job(p, 'build/obj/-x.c.o');
    expect(compile.argv.slice(compile.argv.indexOf('-c'), compile.argv.indexOf('-c') + 2)).toEqual(['-c', './-x.c']);
    expect(compile.source).toBe('-x.c');
    expect(args(p, 'build/obj/main.c.o')).toContain('main.c');
  });

  it('a source with a line break in its name is left out with a note: a depfile could not describe it', () => {
    const p = plan(doc('[project]', 'name = "app"'), ['src/main.c', 'src/new\nline.c', 'src/cr\r.c']);
    expect(p.errors).toEqual([]);
    expect(ids(p)).toEqual(['build/obj/src/main.c.o', 'build/bin/app']);
    expect(p.notes).toEqual([
      'src/new\\nline.c: the file name holds a line break, which a depfile cannot describe, so jmake cannot track what it includes and leaves it out of the build; rename it',
      'src/cr\\r.c: the file name holds a line break, which a depfile cannot describe, so jmake cannot track what it includes and leaves it out of the build; rename it',
    ]);
    expect(plan(doc('[project]', 'name = "app"'), ['src/main.c']).notes).toEqual([]);
  });

  it('a list of 300,000 flags is planned (no call-stack overflow), every flag once, in order', () => {
    const many = Array.from({ length: 300_000 }, (_, i) => `"-DF${i}"`).join(', ');
    const p = plan(doc('[compile]', `flags = [${many}]`), ['src/main.c']);
    expect(p.errors).toEqual([]);
    const argv = job(p, 'build/obj/src/main.c.o').argv;
    expect(argv[1]).toBe('-DF0');
    expect(argv[300_000]).toBe('-DF299999');
  });
});

describe('temp paths', () => {
  it('puts a job\'s temp file and its previous output in a .jmake-tmp folder beside the output, under the output\'s own name', () => {
    expect(tempPathOf('build/obj/src/a.c.o')).toBe('build/obj/src/.jmake-tmp/a.c.o');
    expect(asidePathOf('build/bin/app')).toBe('build/bin/.jmake-tmp/app.jmake-old');
    expect(tempPathOf('app')).toBe('.jmake-tmp/app');
  });
});
