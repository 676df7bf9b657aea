/**
 * Issue 8, item 5: bad config and hostile input, checked against the file system. A real daemon
 * and a real compiler in a temp copy of a fixture (helpers/project.ts). Beside each project, in its
 * temp base dir, a sentinel folder `outside/` holds files that look like a victim (a header, an
 * object, a program source); every case snapshots everything outside the project (paths, content
 * hashes, mtimes, link targets) before and after `jmake build`, `jmake clean` and `jmake build
 * --force`, and requires the two to be equal. Each case also requires a clear error (exit 2 for
 * config errors, naming file:line:column, the key and what to do) or a safe success, and a daemon
 * that still answers `jmake status` afterwards.
 *
 * 1. every broken config of fixtures/config/broken/: the build refuses it with the errors of its
 *    .expected file, word for word, writes nothing, and leaves jmake.toml byte for byte (one with
 *    warnings only builds);
 * 2. output paths out of the root: output_dir `..`, absolute, `build/../..`, a profile's, a
 *    profile *name*, a project name that names the binary, [[jobs]] outputs, compdb_path;
 * 3. symbolic links out of the root: the output dir, a folder inside it, a dangling one; a source
 *    that links outside is an input, built and never deleted;
 * 4. shell metacharacters in flags, defines, link flags and [[jobs]] arguments reach the tools
 *    literally (the program prints them; compile_commands.json holds the argv; a job echoes them),
 *    also through a response file; nothing they would create exists;
 * 5. a 20 MB jmake.toml with a 300,000-item array, binary junk as jmake.toml (random bytes, NUL,
 *    invalid UTF-8, terminal escapes), binary junk and a 20 MB file as sources;
 * 6. file names: not UTF-8, spaces, quotes, `$`, `$(...)`, a newline, a leading `-`.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { delimiter, dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { build, runProgram } from '../helpers/build.js';
import { REPO_ROOT, createProject, disposeAll, type RunResult, type TestProject } from '../helpers/project.js';
import { seeded } from '../helpers/random.js';

afterEach(disposeAll);

const CORPUS = join(REPO_ROOT, 'fixtures', 'config', 'broken');
const CORPUS_FILES = readdirSync(CORPUS).filter((f) => f.endsWith('.toml')).sort();
const REFUSAL_HINT = 'hint: fix jmake.toml (`jmake validate` lists every problem)';

const onPath = (name: string) => (process.env.PATH ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, name)));
const HAS_CXX = onPath('clang++') || onPath('g++');
if (!HAS_CXX) process.stderr.write('hostile-input.test.ts: skipped, no C++ compiler (clang++ or g++) on PATH\n');

// ---------------------------------------------------------------------------------------------
// The file system, before and after.

/** Path (relative) -> what is there: a file's size, content hash and mtime, a link's target, or a folder. */
type Snapshot = Map<string, string>;

function snapshot(dir: string, skip: (rel: string) => boolean = () => false): Snapshot {
  const out: Snapshot = new Map();
  const walk = (abs: Buffer, rel: string) => {
    for (const name of readdirSync(abs, { encoding: 'buffer' })) {
      const shown = isUtf8(name) ? name.toString('utf8') : `hex:${name.toString('hex')}`;
      const childRel = rel === '' ? shown : `${rel}/${shown}`;
      if (skip(childRel)) continue;
      const child = Buffer.concat([abs, Buffer.from('/'), name]);
      const st = lstatSync(child);
      if (st.isSymbolicLink()) out.set(childRel, `link -> ${readlinkSync(child, 'utf8')}`);
      else if (st.isDirectory()) { out.set(childRel, 'dir'); walk(child, childRel); }
      else out.set(childRel, `file ${st.size} ${createHash('sha1').update(readFileSync(child)).digest('hex')} ${st.mtimeMs}`);
    }
  };
  walk(Buffer.from(dir), '');
  return out;
}

/** The project's temp base dir holds `project/`, the daemon's `run/` and `tmp/`; everything else is outside. */
const baseOf = (p: TestProject) => dirname(p.root);
// The daemon's own folders beside the project (socket dir, temp dir, the test's compile cache) are not the project's outside.
const outsideSnapshot = (p: TestProject) => snapshot(baseOf(p), (rel) => rel === 'project' || rel === 'run' || rel === 'tmp' || rel === 'cache');
/** The project as the user sees it: everything but the daemon's state. */
const projectSnapshot = (p: TestProject) => snapshot(p.root, (rel) => rel === '.jmake');

function expectSame(after: Snapshot, before: Snapshot, what: string): void {
  expect(Object.fromEntries(after), what).toEqual(Object.fromEntries(before));
}

/** `outside/` beside the project: files that must never be written or deleted. */
function makeSentinel(p: TestProject): string {
  const outside = join(baseOf(p), 'outside');
  mkdirSync(join(outside, 'obj', 'src'), { recursive: true });
  mkdirSync(join(outside, 'home'));
  writeFileSync(join(outside, 'victim.txt'), 'sentinel: never written or deleted by jmake\n');
  writeFileSync(join(outside, 'gen.h'), '#pragma once\n');
  writeFileSync(join(outside, 'obj', 'src', 'main.cpp.o'), 'not an object\n');
  writeFileSync(join(outside, 'home', '.profile'), '# a home dir\n');
  writeFileSync(join(outside, 'ext.cpp'), 'int ext_value() { return 40; }\n');
  return outside;
}

// ---------------------------------------------------------------------------------------------
// Running jmake.

const ESC = String.fromCharCode(27);

/** What a refusal must look like: exit 2, `jmake.toml:L:C: error: ...` naming `key`, a hint, and no control characters. */
function expectRefused(p: TestProject, result: RunResult, key: string): void {
  const text = rel(p, result.stderr);
  expect(result.code, text).toBe(2);
  const keyPattern = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  expect(text).toMatch(new RegExp(`^jmake: jmake\\.toml:\\d+:\\d+: error: .*${keyPattern}`, 'm'));
  expect(text).toMatch(/^ {2}hint: |^hint: /m);
  expectPrintable(text);
}

/** No terminal escapes or other control characters reach the user's terminal. */
function expectPrintable(text: string): void {
  // eslint-disable-next-line no-control-regex
  expect(text.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f]/);
  expect(text).not.toContain(ESC);
}

/** Messages name jmake.toml by its absolute path: make it relative, as `jmake validate` prints it. */
function rel(p: TestProject, text: string): string {
  return text.split(`${p.root}/`).join('');
}

async function expectAlive(p: TestProject): Promise<void> {
  const status = await p.run(['status', '--json']);
  expect(status.code, status.stderr).toBe(0);
  expect(JSON.parse(status.stdout)).toMatchObject({ daemon: { pid: p.daemonPid() } });
}

/** The error findings of a `.expected` file (each with its hint lines), as a build prints them. */
function expectedErrors(expected: string): string[] {
  const out: string[] = [];
  let inError = false;
  for (const line of expected.split('\n')) {
    if (/^jmake\.toml:\d+:\d+: error: /.test(line)) { out.push(line); inError = true; }
    else if (line.startsWith('  ') && inError) out.push(line);
    else inError = false;
  }
  return out;
}

const GOOD_TOML = readFileSync(join(REPO_ROOT, 'fixtures', 'hello', 'jmake.toml'), 'utf8');

// ---------------------------------------------------------------------------------------------

describe.skipIf(!HAS_CXX)('hostile config and input (issue 8): clear errors, nothing outside the project touched', () => {
  it('1. every broken config of the corpus: exit 2 with the errors of its .expected, word for word, nothing written, jmake.toml untouched (warnings only: it builds)', async () => {
    const p = await createProject('hello');
    makeSentinel(p);
    await expectAlive(p); // the daemon (and its output watcher's build/) exist before the first case
    expect(CORPUS_FILES.length).toBeGreaterThanOrEqual(12);
    for (const file of CORPUS_FILES) {
      const config = readFileSync(join(CORPUS, file));
      const expected = readFileSync(join(CORPUS, file.replace(/\.toml$/, '.expected')), 'utf8');
      const errors = expectedErrors(expected);
      // Replaced in one rename: written in place, the daemon could read it empty between the
      // truncate and the write on a loaded machine (a valid, default config) and act on that.
      const staged = join(baseOf(p), 'tmp', 'jmake.toml.staged');
      writeFileSync(staged, config);
      renameSync(staged, p.path('jmake.toml'));
      const outside = outsideSnapshot(p);
      const inside = projectSnapshot(p);

      const result = await p.run(['build']);

      if (errors.length > 0) {
        expect(result.code, `${file}: ${result.stderr}`).toBe(2);
        expect(rel(p, result.stderr), file).toBe(`jmake: ${errors.join('\n')}\n${REFUSAL_HINT}`);
        expect(result.stdout, file).toBe('');
        // Nothing written anywhere: the project (jmake.toml byte for byte) and outside it.
        expectSame(projectSnapshot(p), inside, `${file}: the project after a refused build`);
      } else {
        // Warnings only: it builds, inside the project.
        expect(result.code, `${file}: ${result.stderr}`).toBe(0);
        expect(readFileSync(p.path('jmake.toml')).equals(config), `${file}: jmake.toml`).toBe(true);
      }
      expectSame(outsideSnapshot(p), outside, `${file}: outside the project`);
    }
    await expectAlive(p);
  });

  it('2. output paths that leave the root are refused at their line; build, build --force and clean write and delete nothing outside', async () => {
    const p = await createProject('hello');
    const outside = makeSentinel(p);
    const base = baseOf(p);
    const absolute = join(base, 'abs-out');
    await expectAlive(p);
    const named = (rest: string) => `[project]\nname = "hello"\n${rest}`;
    const cases: { toml: string; key: string; args?: string[]; gone?: string[] }[] = [
      { toml: named('[compile]\noutput_dir = "../outside"\n'), key: 'compile.output_dir = "../outside" leaves the project root' },
      { toml: named(`[compile]\noutput_dir = "${absolute}"\n`), key: `compile.output_dir = "${absolute}" is an absolute path`, gone: [absolute] },
      { toml: named('[compile]\noutput_dir = "build/../../x"\n'), key: 'compile.output_dir = "build/../../x" leaves the project root', gone: [join(base, 'x')] },
      { toml: named('[profile.rel]\noutput_dir = "../outside/rel"\n'), key: 'profile.rel.output_dir = "../outside/rel" leaves the project root', args: ['--profile', 'rel'], gone: [join(outside, 'rel')] },
      { toml: named('[profile."../../outside/prof"]\nflags = ["-O1"]\n'), key: 'profile name "../../outside/prof" may only hold', args: ['--profile', '../../outside/prof'], gone: [join(outside, 'prof')] },
      // With no [binary] name, the project name names the program: build/bin/../../../outside/pwn.
      { toml: '[project]\nname = "../../../outside/pwn"\n', key: 'project.name = "../../../outside/pwn" names the binary', gone: [join(outside, 'pwn')] },
      // A failing job's declared outputs are deleted: one outside would have been (it was, before issue 8).
      { toml: named('[[jobs]]\nid = "gen"\nrun = ["sh", "-c", "exit 3"]\noutputs = ["../outside/victim.txt"]\n'), key: 'jobs[0].outputs[0] = "../outside/victim.txt" leaves the project root', args: ['gen'] },
      { toml: named('[[jobs]]\nid = "gen"\nrun = ["true"]\noutputs = ["build/../../outside/gen.h"]\n'), key: 'jobs[0].outputs[0] = "build/../../outside/gen.h" leaves the project root', args: ['gen'] },
      { toml: named('[compile]\ncompdb_path = "jmake.toml"\n'), key: 'compile.compdb_path = "jmake.toml" is jmake\'s own config file' },
      { toml: named('[compile]\ncompdb_path = "../outside/compile_commands.json"\n'), key: 'compile.compdb_path = "../outside/compile_commands.json" leaves the project root', gone: [join(outside, 'compile_commands.json')] },
    ];
    const before = outsideSnapshot(p);
    for (const c of cases) {
      writeFileSync(p.path('jmake.toml'), c.toml);
      for (const args of [['build', ...(c.args ?? [])], ['build', '--force', ...(c.args ?? [])]]) expectRefused(p, await p.run(args), c.key);
      expectSame(outsideSnapshot(p), before, `outside the project after: ${c.toml}`);
      for (const path of c.gone ?? []) expect(existsSync(path), path).toBe(false);
      expect(readFileSync(p.path('jmake.toml'), 'utf8')).toBe(c.toml);
    }
    await expectAlive(p);
    // Fixed, it builds; back to a hostile config, clean removes what was built inside and nothing else.
    writeFileSync(p.path('jmake.toml'), GOOD_TOML);
    expect((await build(p)).ok).toBe(true);
    writeFileSync(p.path('jmake.toml'), cases[0]!.toml);
    const clean = await p.run(['clean']);
    expect(clean, clean.stderr).toMatchObject({ code: 0, stdout: 'removed 3 outputs' });
    expect(existsSync(p.path('build/bin/hello'))).toBe(false);
    expectSame(outsideSnapshot(p), before, 'outside the project after clean');
    await expectAlive(p);
  });

  it('3. symbolic links out of the project: the output dir, a folder in it, a dangling one are refused; a source link is read, never deleted', async () => {
    const p = await createProject('hello');
    const outside = makeSentinel(p);
    const before = outsideSnapshot(p);

    // The output dir is a link to the sentinel folder, then a dangling link beside it.
    symlinkSync('../outside', p.path('build'));
    for (const args of [['build'], ['build', '--force']]) {
      const result = await p.run(args);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`jmake: build is a symbolic link to ${outside}, outside the project: jmake writes and deletes files only inside the project, so it refuses to use it`);
      expect(result.stderr).toContain('hint: remove the link (rm build) and jmake creates a real folder there, or point it at a folder inside the project');
    }
    expect((await p.run(['clean'])).code).toBe(0);
    expectSame(outsideSnapshot(p), before, 'outside, with build -> ../outside');
    rmSync(p.path('build'));
    symlinkSync('../outside/made-by-jmake', p.path('build'));
    expect((await p.run(['build'])).stderr).toContain(`build is a symbolic link to ${join(outside, 'made-by-jmake')}`);
    expect(existsSync(join(outside, 'made-by-jmake'))).toBe(false);
    await expectAlive(p);

    // A real output dir, built; then build/obj becomes a link to outside/obj and a source changes.
    rmSync(p.path('build'));
    expect((await build(p)).ok).toBe(true);
    const snapshotWithOutputs = outsideSnapshot(p);
    rmSync(p.path('build/obj'), { recursive: true });
    symlinkSync(join(outside, 'obj'), p.path('build/obj'));
    writeFileSync(p.path('src/main.cpp'), `${readFileSync(p.path('src/main.cpp'), 'utf8')}// changed\n`);
    for (const args of [[], ['--force']]) {
      const result = await build(p, args);
      expect(result.code).toBe(1);
      const compile = result.jobs.find((j) => j.id === 'build/obj/src/main.cpp.o');
      expect(compile).toMatchObject({ status: 'failed' });
      expect(compile!.log).toContain(`jmake: build/obj is a symbolic link to ${join(outside, 'obj')}, outside the project`);
      expect(compile!.log).toContain('hint: remove the link (rm build/obj)');
    }
    // clean removes what is inside (the program) and refuses what is behind the link.
    const clean = await p.run(['clean']);
    expect(clean.code).toBe(2);
    expect(clean.stderr).toMatch(/^jmake: build\/obj is a symbolic link to .*, outside the project/m);
    expect(clean.stderr).toMatch(/\(\d+ outputs? left in place, 1 removed\)/);
    expect(existsSync(p.path('build/bin/hello'))).toBe(false);
    expectSame(outsideSnapshot(p), snapshotWithOutputs, 'outside, with build/obj -> outside/obj');
    await expectAlive(p);

    // A source that is a link to a file outside is an input: compiled, and clean leaves it (and its target) alone.
    rmSync(p.path('build/obj'));
    symlinkSync('../../outside/ext.cpp', p.path('src/ext.cpp'));
    writeFileSync(p.path('src/main.cpp'), '#include <cstdio>\n#include "greet.h"\nint ext_value();\nint main() { std::printf("%s %d\\n", greeting(), ext_value() + 2); return 0; }\n');
    for (const args of [[], ['--force']]) expect((await build(p, args)).ok).toBe(true);
    expect(await runProgram(p.path('build/bin/hello'))).toBe('hello from jmake 42');
    expect((await p.run(['clean'])).code).toBe(0);
    expect(lstatSync(p.path('src/ext.cpp')).isSymbolicLink()).toBe(true);
    expectSame(outsideSnapshot(p), snapshotWithOutputs, 'outside, after building and cleaning with a linked source');
    await expectAlive(p);
  });

  it('4. shell metacharacters in flags, defines, link flags and [[jobs]] run reach the tools literally, never through a shell', async () => {
    const p = await createProject('hello');
    const outside = makeSentinel(p);
    // The daemon (so every compiler and job) gets the sentinel as HOME: `rm -rf ~` would empty it.
    const status = await p.run(['status'], { env: { ...p.env, HOME: join(outside, 'home') } });
    expect(status.code, status.stderr).toBe(0);
    const pwn = (name: string) => join(outside, `pwned-${name}`);
    const flagDef = `"$(touch ${pwn('flag')})"`;
    const evil = `"$(touch ${pwn('define')}); \`touch ${pwn('tick')}\` | cat && echo > ${pwn('redirect')} '; rm -rf ~' #"`;
    const jobArgs = [`$(touch ${pwn('job')})`, '; rm -rf ~', `\`touch ${pwn('jobtick')}\``, 'a | b', '&&', `> ${pwn('jobredirect')}`, 'x\ny', "'single'", '"double"', '*', '~'];
    const toml = (padding: string[]) => [
      '[project]', 'name = "hello"',
      '[compile]', `flags = ${JSON.stringify(['-std=c++17', `-DFLAGDEF=${flagDef}`, ...padding])}`, `defines = { EVIL = ${JSON.stringify(evil)} }`,
      '[link]', `flags = ${JSON.stringify(['-Wl,--no-as-needed', `-L${outside}/$(touch ${pwn('link')}) \`touch ${pwn('linktick')}\``])}`,
      '[[jobs]]', 'id = "echo"', `run = ${JSON.stringify(['printf', '%s|', ...jobArgs])}`,
      '',
    ].join('\n');
    writeFileSync(p.path('src/main.cpp'), '#include <cstdio>\n#include "greet.h"\nint main() { std::printf("%s\\n%s\\n%s\\n", greeting(), FLAGDEF, EVIL); return 0; }\n');
    writeFileSync(p.path('jmake.toml'), toml([]));
    const before = outsideSnapshot(p);
    const expectedOutput = `hello from jmake\n${flagDef.slice(1, -1)}\n${evil.slice(1, -1)}`;

    const first = await build(p);
    expect(first.ok, JSON.stringify(first.jobs.map((j) => j.log))).toBe(true);
    expect(await runProgram(p.path('build/bin/hello'))).toBe(expectedOutput);
    // compile_commands.json holds the argv: each flag one argument, as written.
    const compdb = JSON.parse(readFileSync(p.path('compile_commands.json'), 'utf8')) as { arguments: string[] }[];
    for (const entry of compdb) {
      expect(entry.arguments).toContain(`-DFLAGDEF=${flagDef}`);
      expect(entry.arguments).toContain(`-DEVIL=${evil}`);
    }
    // A [[jobs]] command is an argument list: printf gets each argument as it is.
    const job = await build(p, ['echo']);
    expect(job.jobs.find((j) => j.id === 'echo')).toMatchObject({ status: 'succeeded', log: `${jobArgs.join('|')}|` });

    // Past 100,000 characters the command goes through a response file, which jmake quotes itself.
    const padding = Array.from({ length: 2500 }, (_, i) => `-DPAD_${i}=${'x'.repeat(40)}`);
    writeFileSync(p.path('jmake.toml'), toml(padding));
    const long = await build(p);
    expect(long.ok, JSON.stringify(long.jobs.map((j) => j.log))).toBe(true);
    expect(long.jobs.filter((j) => j.kind === 'compile').map((j) => j.status)).toEqual(['succeeded', 'succeeded']);
    expect(await runProgram(p.path('build/bin/hello'))).toBe(expectedOutput);

    expect((await p.run(['clean'])).code).toBe(0);
    expectSame(outsideSnapshot(p), before, 'outside: nothing the metacharacters would create or delete');
    for (const name of readdirSync(p.root)) expect(name).not.toMatch(/pwned|^>|^\|/);
    await expectAlive(p);
  });

  it('5. enormous and binary jmake.toml: a 20 MB file builds; junk is refused at its line and column, never rewritten; junk sources fail to compile', async () => {
    const p = await createProject('hello');
    makeSentinel(p);
    await expectAlive(p);
    const before = outsideSnapshot(p);

    // 20 MB: a 300,000-item flags array (a call-stack overflow before issue 8) and a huge comment.
    const many = Array.from({ length: 300_000 }, () => '"-Wno-unused"').join(', ');
    const huge = `${GOOD_TOML.replace('flags = ["-std=c++17", "-Wall"]', `flags = ["-std=c++17", ${many}]`)}# ${'x'.repeat(16 * 1024 * 1024)}\n`;
    expect(huge.length).toBeGreaterThan(20 * 1024 * 1024);
    writeFileSync(p.path('jmake.toml'), huge);
    const big = await build(p);
    expect(big.ok, JSON.stringify(big.jobs.map((j) => j.log.slice(0, 500)))).toBe(true);
    expect(await runProgram(p.path('build/bin/hello'))).toBe('hello from jmake');
    expect(readFileSync(p.path('jmake.toml'), 'utf8') === huge).toBe(true);
    await expectAlive(p);

    // Binary junk: each refused with its place, the file never rewritten, nothing written.
    writeFileSync(p.path('jmake.toml'), GOOD_TOML);
    expect((await build(p)).ok).toBe(true);
    const random = seeded(8005);
    const good = Buffer.from(GOOD_TOML);
    const junk: { name: string; bytes: Buffer; at: string; message: RegExp }[] = [
      // Random bytes start with a few that happen to be text: the place is the first that is not.
      { name: 'random bytes', bytes: Buffer.from(Array.from({ length: 4096 }, () => Math.floor(random() * 256))), at: '\\d+:\\d+', message: /not valid UTF-8/ },
      { name: 'UTF-16', bytes: Buffer.from(`\ufeff${GOOD_TOML}`, 'utf16le'), at: '1:1', message: /not valid UTF-8: the bytes here are not a character \(is this a text file\?\)/ },
      { name: 'NUL bytes', bytes: Buffer.concat([good.subarray(0, 30), Buffer.from([0, 0, 0]), good.subarray(30)]), at: '1:31', message: /syntax error: control characters are not allowed in comments in `.*\\x00\\x00\\x00.*`/ },
      { name: 'invalid UTF-8 in a flag', bytes: Buffer.from(GOOD_TOML.replace('"-Wall"', '"-DX=\u00ff\u00fe"'), 'latin1'), at: '6:29', message: /not valid UTF-8: the bytes here are not a character/ },
      { name: 'terminal escapes in a key', bytes: Buffer.from(`${GOOD_TOML}\n${ESC}[2J${ESC}]0;pwned\u0007 = 1\n`), at: '13:1', message: /syntax error: .* in `\\x1b\[2J\\x1b\]0;pwned\\x07 = 1`/ },
    ];
    for (const j of junk) {
      writeFileSync(p.path('jmake.toml'), j.bytes);
      const inside = projectSnapshot(p);
      const result = await p.run(['build']);
      expect(result.code, `${j.name}: ${result.stderr}`).toBe(2);
      const text = rel(p, result.stderr);
      expect(text, j.name).toMatch(new RegExp(`^jmake: jmake\\.toml:${j.at}: error: `));
      expect(text, j.name).toMatch(j.message);
      expect(text, j.name).toContain(REFUSAL_HINT);
      expectPrintable(text);
      expect(readFileSync(p.path('jmake.toml')).equals(j.bytes), `${j.name}: jmake.toml untouched`).toBe(true);
      expectSame(projectSnapshot(p), inside, `${j.name}: the project`);
      const status = await p.json<{ config: { ok: boolean; error: { line: number; column: number; message: string } } }>(['status']);
      expect(status.config.ok).toBe(false);
      expect(`${status.config.error.line}:${status.config.error.column}`).toMatch(new RegExp(`^${j.at}$`));
    }

    // Junk as a source: a compile error, reported; a 20 MB source compiles.
    writeFileSync(p.path('jmake.toml'), GOOD_TOML);
    writeFileSync(p.path('src/junk.cpp'), Buffer.from(Array.from({ length: 8192 }, () => Math.floor(random() * 256))));
    const failed = await build(p);
    expect(failed.code).toBe(1);
    expect(failed.jobs.find((j) => j.id === 'build/obj/src/junk.cpp.o')).toMatchObject({ status: 'failed' });
    expect(failed.diagnostics.some((d) => d.file.endsWith('src/junk.cpp') && d.severity === 'error')).toBe(true);
    await expectAlive(p);
    rmSync(p.path('src/junk.cpp'));
    writeFileSync(p.path('src/big.cpp'), `${`// ${'y'.repeat(1000)}\n`.repeat(20 * 1024)}int big_value() { return 1; }\n`);
    expect((await build(p)).ok).toBe(true);
    await expectAlive(p);
    expectSame(outsideSnapshot(p), before, 'outside, after enormous and binary input');
  });

  it('6. file names: not UTF-8 or with a line break, named in a warning and left out; spaces, quotes, $, $(...), a leading - build and stay up to date', async () => {
    const p = await createProject('hello');
    makeSentinel(p);
    const before = outsideSnapshot(p);
    const names = ['sp ace.cpp', `q'uote".cpp`, 'dol$lar.cpp', '$(touch pwned).cpp', 'semi;colon.cpp', 'back\\slash.cpp', 'tab\there.cpp'];
    names.forEach((name, i) => writeFileSync(p.path(`src/${name}`), `#include "greet.h"\nint value_${i}() { return ${i}; }\n`));
    // At the root, with a leading "-": the compiler must get it as a file, not an option.
    writeFileSync(p.path('-x.cpp'), 'int value_dash() { return 100; }\n');
    writeFileSync(Buffer.concat([Buffer.from(p.path('src/bad')), Buffer.from([0xff, 0xfe]), Buffer.from('.cpp')]), 'int value_bad() { return 1000; }\n');
    // A depfile cannot hold a line break: what it includes could not be tracked.
    writeFileSync(p.path('src/new\nline.cpp'), '#include "greet.h"\nint value_newline() { return 10000; }\n');
    const calls = names.map((_, i) => `value_${i}()`).join(' + ');
    writeFileSync(p.path('src/main.cpp'), `#include <cstdio>\n${names.map((_, i) => `int value_${i}();`).join('\n')}\nint value_dash();\nint main() { std::printf("%d\\n", ${calls} + value_dash()); return 0; }\n`);
    writeFileSync(p.path('jmake.toml'), `${GOOD_TOML}\n[discovery]\ninclude = ["src/**/*.cpp", "*.cpp"]\n`);

    const first = await build(p);
    expect(first.ok, JSON.stringify(first.jobs.filter((j) => j.status === 'failed'))).toBe(true);
    const compiled = first.jobs.filter((j) => j.kind === 'compile').map((j) => j.id);
    for (const name of names) expect(compiled).toContain(`build/obj/src/${name}.o`);
    expect(compiled).toContain('build/obj/-x.cpp.o');
    expect(first.warnings).toEqual([
      'src/new\\nline.cpp: the file name holds a line break, which a depfile cannot describe, so jmake cannot track what it includes and leaves it out of the build; rename it',
      'src/bad\\xff\\xfe.cpp: the file name is not valid UTF-8, so jmake cannot open it and leaves it out of the build; rename it',
    ]);
    expect(compiled.some((id) => id.includes('line.cpp'))).toBe(false);
    expect(await runProgram(p.path('build/bin/hello'))).toBe(String(names.reduce((sum, _, i) => sum + i, 0) + 100));
    expect(existsSync(p.path('pwned')) || existsSync(p.path('src/pwned'))).toBe(false);
    // Their depfiles name them right: a second build has nothing to do, a header edit rebuilds them.
    expect((await build(p)).jobsRun).toBe(0);
    writeFileSync(p.path('src/greet.h'), `${readFileSync(p.path('src/greet.h'), 'utf8')}// edited\n`);
    const again = await build(p);
    for (const name of names) expect(again.jobs.map((j) => j.id)).toContain(`build/obj/src/${name}.o`);
    await expectAlive(p);

    // Renamed, they build like any other source.
    renameSync(Buffer.concat([Buffer.from(p.path('src/bad')), Buffer.from([0xff, 0xfe]), Buffer.from('.cpp')]), p.path('src/bad.cpp'));
    renameSync(p.path('src/new\nline.cpp'), p.path('src/newline.cpp'));
    const renamed = await build(p);
    expect(renamed.ok).toBe(true);
    expect(renamed.warnings).toEqual([]);
    expect(renamed.jobs.map((j) => j.id)).toEqual(expect.arrayContaining(['build/obj/src/bad.cpp.o', 'build/obj/src/newline.cpp.o']));
    expect((await p.run(['clean'])).code).toBe(0);
    expectSame(outsideSnapshot(p), before, 'outside, after odd file names');
    await expectAlive(p);
  });
});
