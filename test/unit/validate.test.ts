import { describe, expect, it } from 'vitest';
import { arrayItemLocation, formatFinding, parseSize, summarize, validateConfig, type Exists, type Finding } from '../../src/config/validate.js';

const doc = (...lines: string[]): string => `${lines.join('\n')}\n`;
const ROOT = '/home/me/app';
const everythingExists: Exists = () => true;

/** Findings as `line:column: severity: message`, with ` | hint` when there is one. */
function check(text: string, exists: Exists = everythingExists): string[] {
  return validateConfig(text, `${ROOT}/jmake.toml`, ROOT, exists).map((f) => `${f.line}:${f.column}: ${f.severity}: ${f.message}${f.hint ? ` | ${f.hint}` : ''}`);
}

describe('a valid config', () => {
  it('has no findings: empty, the simple form, targets, profiles and every table', () => {
    expect(check('')).toEqual([]);
    expect(check(doc('# only a comment'))).toEqual([]);
    expect(check(doc(
      'version = 1',
      '[project]', 'name = "app"',
      '[discovery]', 'include = ["src/**/*.c"]', 'exclude = ["src/old/**"]', 'exclude_dirs = ["third_party"]', 'files = []',
      '[compile]', 'flags = ["-Wall"]', 'c_flags = ["-std=c11"]', 'cxx_flags = ["-std=c++17"]', 'include_dirs = ["include", "/usr/include"]',
      'defines = { NDEBUG = true, OFF = false, VERSION = "\\"1.0\\"", LEVEL = 3 }', 'output_dir = "./out/"', 'pipeline = "thinlto"',
      '[link]', 'flags = ["-pthread"]', 'opt_level = "3"',
      '[[targets]]', 'name = "core"', 'type = "static"', 'sources = ["core/*.c"]',
      '[[targets]]', 'name = "tests"', 'each = "tests/*_test.c"', 'link = ["core", "m"]', 'pkg_config = ["zlib"]',
      '[profile.fast]', 'flags = ["-O3"]', 'output_dir = "build/fast"',
      '[llvm]', 'root = "/usr/lib/llvm-17"', 'prefer = "gcc"', 'tools = { "llvm-link" = "/opt/llvm/bin/llvm-link" }',
      '[cache]', 'enabled = false', 'dir = "/var/cache/jmake"', 'max_size = "500 MiB"',
      '[daemon]', 'idle_timeout = 600', 'settle_ms = 20', 'poll_interval = "500ms"', 'keep_recent_events = 0', 'build_on_change = false', 'watch_exclude = ["data"]',
      '[distributed]', 'enabled = true', 'hosts = ["build1/8", "build2.local/16"]',
      '[[jobs]]', 'id = "gen"', 'run = ["python3", "gen.py"]', 'outputs = ["build/gen/version.h"]', 'env = { LANG = "C" }', 'timeout = "10m"', 'retries = 2', 'retry_on = [75]',
      '[[jobs]]', 'id = "test"', 'run = ["./build/bin/tests"]', 'depends_on = ["gen"]', 'priority = -1',
    ))).toEqual([]);
  });
});

describe('syntax errors', () => {
  it('name the reason, the line and column smol-toml gives, and the offending text', () => {
    expect(check(doc('[compile]', 'flags = [-Wall]'))).toEqual([
      '2:10: error: syntax error: invalid value in `flags = [-Wall]` | a value is a "quoted string", a number, true or false, an [array] or an { inline = "table" }',
    ]);
    expect(check(doc('[project]', 'name = app'))).toEqual([
      '2:8: error: syntax error: invalid value in `name = app` | a value is a "quoted string", a number, true or false, an [array] or an { inline = "table" }',
    ]);
  });

  it('an array left open is reported at the end of the file', () => {
    expect(check(doc('[compile]', 'flags = ["-Wall"'))).toEqual([
      '3:1: error: syntax error: expected comma or end of structure at the end of the file | separate the items of an array or inline table with commas, and close it with ] or }',
    ]);
  });

  it('an unclosed string, a header without its bracket, two values on a line', () => {
    expect(check(doc('[binary]', 'name = "app'))).toEqual([
      '2:12: error: syntax error: control characters are not allowed in strings in `name = "app` | a string is not closed on its line: add the closing quote',
    ]);
    expect(check(doc('[compile', 'flags = []'))).toEqual([
      '1:9: error: syntax error: illegal character in key in `[compile` | a table header is [name] or [[name]], alone on its line; quote keys that hold characters other than letters, digits, _ and -',
    ]);
    expect(check(doc('[binary]', 'name = "a" "b"'))).toEqual([
      '2:12: error: syntax error: each key-value declaration must be followed by an end-of-line in `name = "a" "b"` | write one key = value per line, and quote strings that hold spaces',
    ]);
  });

  it('a table defined twice points at the first', () => {
    expect(check(doc('[compile]', 'flags = []', '', '[compile]', 'pipeline = "ir"'))).toEqual([
      '4:2: error: table [compile] is defined twice | the first [compile] is at line 1; merge the two into one',
    ]);
  });

  it('a table first created by a dotted key', () => {
    expect(check(doc('compile.flags = []', '[compile]', 'pipeline = "ir"'))).toEqual([
      '2:2: error: table [compile] is already defined above | a dotted key (compile.x = ...), an inline table or [[compile]] earlier in the file defines it; keep one form',
    ]);
  });

  it('a key defined twice in one table points at the first, in that table only', () => {
    expect(check(doc('[link]', 'flags = []', '[compile]', 'flags = ["-Wall"]', 'pipeline = "ir"', 'flags = ["-O2"]'))).toEqual([
      '6:1: error: key flags is defined twice in [compile] | the first is at line 4; keep one of them',
    ]);
    expect(check(doc('version = 1', 'version = 2'))).toEqual([
      '2:1: error: key version is defined twice | the first is at line 1; keep one of them',
    ]);
  });
});

describe('unknown keys', () => {
  it('are warnings with a "did you mean" against the keys valid at that place', () => {
    expect(check(doc('[compile]', 'flgs = ["-Wall"]', '[profile.fast]', 'flag = ["-O3"]', '[[targets]]', 'name = "a"', 'sorces = ["a.c"]'))).toEqual([
      '2:1: warning: unknown key compile.flgs; did you mean "flags"?',
      '4:1: warning: unknown key profile.fast.flag; did you mean "flags"?',
      '7:1: warning: unknown key targets[0].sorces; did you mean "sources"?',
    ]);
  });

  it('an unknown table', () => {
    expect(check(doc('[compiler]', 'flags = []', '[xyzzy]'))).toEqual([
      '1:1: warning: unknown table [compiler]; did you mean [compile]?',
      '3:1: warning: unknown table [xyzzy] | known tables: project, discovery, compile, link, binary, targets, profile, llvm, cache, daemon, distributed, jobs',
    ]);
  });

  it('a key that belongs to another table says which, and otherwise lists the valid keys', () => {
    expect(check(doc('[compile]', 'opt_level = "O3"', 'name = "x"', '[link]', 'completely_unrelated = 1'))).toEqual([
      '2:1: warning: unknown key compile.opt_level | opt_level is a key of [link]',
      '3:1: warning: unknown key compile.name | name is a key of [project], [binary], [[targets]]',
      '5:1: warning: unknown key link.completely_unrelated | [link] takes: enabled, flags, opt_level',
    ]);
  });

  it('a top-level key that belongs in a table', () => {
    expect(check(doc('name = "app"', 'verison = 1'))).toEqual([
      '1:1: warning: unknown key name | name is a key of [project], [binary], [[targets]]',
      '2:1: warning: unknown key verison; did you mean "version"?',
    ]);
  });
});

describe('wrong types', () => {
  it('name the key, what it must be and what it is', () => {
    expect(check(doc(
      '[compile]',
      'flags = "-Wall"', // 2
      'defines = ["X"]', // 3
      'output_dir = 3', // 4
      '[daemon]',
      'settle_ms = "50"', // 6
      'build_on_change = "yes"', // 7
      '[project]',
      'name = true', // 9
      '[[jobs]]',
      'id = "a"',
      'run = ["x"]',
      'retry_on = ["1"]', // 13
    ))).toEqual([
      '2:1: error: compile.flags must be an array of strings, not string "-Wall"',
      '3:1: error: compile.defines must be a table, not an array | e.g. defines = { NDEBUG = true, VERSION = "\\"1.0\\"", LEVEL = 3 }',
      '4:1: error: compile.output_dir must be a string, not number 3',
      '6:1: error: daemon.settle_ms must be a whole number, not string "50"',
      '7:1: error: daemon.build_on_change must be true or false, not string "yes"',
      '9:1: error: project.name must be a string, not boolean true',
      '13:13: error: jobs[0].retry_on[0] must be a whole number, not string "1"',
    ]);
    expect(check(doc('[[jobs]]', 'id = "a"', 'run = ["x"]', 'retry_on = 1'))).toEqual(['4:1: error: jobs[0].retry_on must be an array of whole numbers, not number 1']);
  });

  it('a table written as a value, an array of tables written as a table', () => {
    expect(check(doc('compile = 3', '[targets]', 'name = "a"'))).toEqual([
      '1:1: error: compile must be a table ([compile]), not number 3',
      '2:1: error: targets must be an array of tables ([[targets]]), not a table | write each entry as [[targets]], with two brackets',
    ]);
  });

  it('a date is named as such', () => {
    expect(check(doc('[project]', 'version = 2024-01-01'))).toEqual(['2:1: error: project.version must be a string, not a date']);
  });

  it('inside an inline table falls back to the line of the table', () => {
    expect(check(doc('[llvm]', 'tools = { opt = 3, llc = "" }'))).toEqual([
      '2:1: error: llvm.tools.opt must be a string, not number 3',
      '2:1: error: llvm.tools.llc must not be empty',
    ]);
  });

  it('bad macro names and values', () => {
    expect(check(doc('[compile]', 'defines = { "1X" = 1, Y = [1] }'))).toEqual([
      '2:1: error: "1X" in compile.defines is not a valid macro name | a macro name is letters, digits and _, not starting with a digit',
      '2:1: error: compile.defines.Y must be a string, a number or true, not an array',
    ]);
  });
});

describe('bad values', () => {
  it('an unknown pipeline, binary type, target type or compiler family lists the valid ones', () => {
    expect(check(doc('[compile]', 'pipeline = "thinlt"', '[binary]', 'type = "dll"', '[llvm]', 'prefer = "msvc"'))).toEqual([
      '2:1: error: unknown pipeline "thinlt" in compile.pipeline | did you mean "thinlto"? use one of "object", "ir", "thinlto"',
      '4:1: error: unknown binary type "dll" in binary.type | use one of "executable", "shared", "static"',
      '6:1: error: unknown compiler family "msvc" in llvm.prefer | use one of "clang", "gcc"',
    ]);
    expect(check(doc('[[targets]]', 'name = "a"', 'type = "shard"'))).toEqual([
      '3:1: error: unknown target type "shard" in targets[0].type | did you mean "shared"? use one of "executable", "shared", "static"',
    ]);
  });

  it('empty strings: a flag in a list, a plain value', () => {
    expect(check(doc('[compile]', 'flags = ["-Wall", ""]', 'cxx_flags = ["  "]', '[link]', 'flags = [""]', '[project]', 'name = ""'))).toEqual([
      '2:19: error: compile.flags[1] is an empty string | remove it: the tool would get an empty argument',
      '3:14: error: compile.cxx_flags[0] is an empty string | remove it: the tool would get an empty argument',
      '5:10: error: link.flags[0] is an empty string | remove it: the tool would get an empty argument',
      '7:1: error: project.name must not be empty | give it a value, or delete the line to use the default',
    ]);
    expect(check(doc('[discovery]', 'include = [""]'))).toEqual(['2:12: error: discovery.include[0] is an empty string | remove it']);
  });

  it('an optimisation level, durations, integers out of range, sizes, hosts', () => {
    expect(check(doc(
      '[link]', 'opt_level = "O4"', // 2
      '[daemon]', 'idle_timeout = "3 hours"', 'poll_interval = "10ms"', 'settle_ms = 6000', 'keep_recent_events = -1', // 4-7
      '[cache]', 'max_size = "5 gigs"', // 9
      '[distributed]', 'hosts = ["build1"]', // 11
      '[[jobs]]', 'id = "a"', 'run = ["x"]', 'timeout = "1000h"', 'retries = -1', // 15, 16
    ))).toEqual([
      '2:1: error: link.opt_level = "O4" is not an optimisation level | use O0, O1, O2, O3, Os or Oz',
      '4:1: error: daemon.idle_timeout = "3 hours" is not a duration | write a number of seconds, or a string with a unit: "500ms", "30s", "10m", "3h"',
      '5:1: error: daemon.poll_interval = "10ms" is too short | use at least 100ms',
      '6:1: error: daemon.settle_ms = 6000 is out of range | use 0 to 5000',
      '7:1: error: daemon.keep_recent_events = -1 is out of range | use 0 to 1000000000',
      '9:1: error: cache.max_size = "5 gigs" is not a size | write a number and a unit, e.g. "500 MiB" or "5 GiB" (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)',
      '11:10: error: distributed.hosts[0] = "build1" must be "host/slots", e.g. "build1/8"',
      '15:1: error: jobs[0].timeout = "1000h" is too long | use at most 596h (a timer holds no more)',
      '16:1: error: jobs[0].retries = -1 is out of range | use 0 or more',
    ]);
  });

  it('the format version', () => {
    expect(check(doc('version = 2'))).toEqual(['1:1: error: version = 2 is out of range | use 1']);
  });
});

describe('output paths', () => {
  const hint = 'outputs stay inside the project (jmake writes and deletes files there): use a path relative to the root, such as "build"';

  it('that leave the root, are absolute or are the root itself are errors', () => {
    expect(check(doc(
      '[compile]', 'output_dir = "../out"', // 2
      '[profile.a]', 'output_dir = "/tmp/out"', // 4
      '[profile.b]', 'output_dir = "build/../.."', // 6
      '[profile.c]', 'output_dir = "./"', // 8
      '[[jobs]]', 'id = "gen"', 'run = ["gen"]', 'outputs = ["gen.h", "../gen.c"]', // 12
    ))).toEqual([
      `2:1: error: compile.output_dir = "../out" leaves the project root | ${hint}`,
      `4:1: error: profile.a.output_dir = "/tmp/out" is an absolute path | ${hint}`,
      `6:1: error: profile.b.output_dir = "build/../.." leaves the project root | ${hint}`,
      `8:1: error: profile.c.output_dir = "./" is the project root itself | ${hint}`,
      '12:21: error: jobs[0].outputs[1] = "../gen.c" leaves the project root | outputs stay inside the project (jmake writes and deletes files there): use a path relative to the root, such as "build/gen/version.h"',
    ]);
  });

  it('a `..` that stays inside is refused too, with the plain form to write', () => {
    expect(check(doc('[compile]', 'output_dir = "out/../build"'))).toEqual(['2:1: error: compile.output_dir = "out/../build" must not contain ".." | write "build" instead']);
  });

  it('plain relative folders pass', () => {
    expect(check(doc('[compile]', 'output_dir = "build"', '[profile.x]', 'output_dir = "./build/x/"'))).toEqual([]);
  });

  it('jmake.toml and the .jmake state folder are never outputs', () => {
    expect(check(doc(
      '[compile]', 'compdb_path = "jmake.toml"', 'output_dir = ".jmake"', // 2, 3
      '[[jobs]]', 'id = "gen"', 'run = ["gen"]', 'outputs = ["./.jmake/events.log"]', // 7
    ))).toEqual([
      '2:1: error: compile.compdb_path = "jmake.toml" is jmake\'s own config file | jmake would overwrite or delete it; choose another path, such as "build/gen/version.h"',
      '3:1: error: compile.output_dir = ".jmake" is jmake\'s own state folder | jmake would overwrite or delete it; choose another path, such as "build"',
      '7:12: error: jobs[0].outputs[0] = "./.jmake/events.log" is jmake\'s own state folder | jmake would overwrite or delete it; choose another path, such as "build/gen/version.h"',
    ]);
    expect(check(doc('[compile]', 'output_dir = ".jmake-out"'))).toEqual([]);
  });
});

describe('hostile values (issue 8)', () => {
  const utf8Hint = 'save jmake.toml as UTF-8, as TOML requires; to mean the character U+FFFD itself, write "\\uFFFD" in a string';

  it('a file that is not UTF-8 is refused where it stops being text, and nothing else is said', () => {
    const bytes = Buffer.concat([Buffer.from('[compile]\nflags = ["-DX='), Buffer.from([0xff, 0xfe]), Buffer.from('"]\nbogus = [\n')]);
    expect(check(bytes.toString('utf8'))).toEqual([
      `2:15: error: not valid UTF-8: the bytes here are not a character (is this a text file?) | ${utf8Hint}`,
    ]);
    expect(check('# caf\uFFFD\n')).toHaveLength(1);
    expect(check('name = "\\uFFFD"\n')).toEqual(['1:1: warning: unknown key name | name is a key of [project], [binary], [[targets]]']);
  });

  it('quoted source text has its control characters escaped and is cut at 80 characters', () => {
    expect(check('# one\u0000two\n')).toEqual(['1:6: error: syntax error: control characters are not allowed in comments in `# one\\x00two`']);
    expect(check('\u001b[31m = 1\n')).toEqual([expect.stringMatching(/^1:1: error: syntax error: .* in `\\x1b\[31m = 1`/)]);
    const long = check(`x = ${'y'.repeat(500)}\n`)[0]!;
    expect(long).toMatch(/ in `x = y{76}\.\.\.`/);
  });

  it('a project name that names the binary may not leave its folder', () => {
    const hint = 'set [binary] name = "..." to a plain name (letters, digits and _ . + -), or give the project one';
    expect(check(doc('[project]', 'name = "../../outside/pwn"'))).toEqual([
      `2:1: error: project.name = "../../outside/pwn" names the binary (bin/NAME), and a file name may not hold "/" or control characters, or be "." or ".." | ${hint}`,
    ]);
    expect(check(doc('[project]', 'name = ".."'))).toHaveLength(1);
    expect(check(doc('[project]', 'name = "a\\nb"'))).toEqual([expect.stringContaining('project.name = "a\\x0ab" names the binary')]);
    // A binary name of its own, or targets: the project name is only a name.
    expect(check(doc('[project]', 'name = "my/app"', '[binary]', 'name = "app"'))).toEqual([]);
    expect(check(doc('[project]', 'name = "my/app"', '[[targets]]', 'name = "app"'))).toEqual([]);
    expect(check(doc('[project]', 'name = "My App 2"'))).toEqual([]);
  });
});

describe('input paths', () => {
  it('may be outside the root; a missing one is a warning, looked up from the root', () => {
    const seen: string[] = [];
    const exists: Exists = (p) => { seen.push(p); return p === '/usr/include' || p === `${ROOT}/include`; };
    expect(check(doc(
      '[compile]', 'include_dirs = ["include", "/usr/include", "../sibling/include", "gen/*"]', // 2
      '[binary]', 'lib_dirs = ["/opt/nolib"]', // 4
      '[discovery]', 'files = ["src/main.c"]', // 6
      '[llvm]', 'root = "/usr/lib/llvm-99"', // 8
    ), exists)).toEqual([
      '2:44: warning: compile.include_dirs[2] = "../sibling/include" does not exist | relative paths start at the project root (the folder holding jmake.toml)',
      '4:13: warning: binary.lib_dirs[0] = "/opt/nolib" does not exist | check the path, or install what should be there',
      '6:10: warning: discovery.files[0] = "src/main.c" does not exist | relative paths start at the project root (the folder holding jmake.toml)',
      '8:1: warning: llvm.root = "/usr/lib/llvm-99" does not exist | check the path, or install what should be there',
    ]);
    expect(seen).toEqual([`${ROOT}/include`, '/usr/include', '/home/me/sibling/include', '/opt/nolib', `${ROOT}/src/main.c`, '/usr/lib/llvm-99']);
  });
});

describe('targets, profiles and jobs', () => {
  it('a target without a name, two targets with one name, a bad name', () => {
    expect(check(doc('[[targets]]', 'name = "a"', '[[targets]]', 'type = "static"', '[[targets]]', 'name = "a"', '[[targets]]', 'name = "my app"'))).toEqual([
      '3:1: error: [[targets]] #2 has no name | add name = "...": the target\'s name, which names its artifact and lets other targets link it.',
      '6:1: error: two targets are named "a" | the other is at line 2; target names must be unique',
      '8:1: error: targets[3].name = "my app" may only hold letters, digits and _ . + -',
    ]);
  });

  it('[binary] with [[targets]] is a warning', () => {
    expect(check(doc('[binary]', 'name = "x"', '[[targets]]', 'name = "a"'))).toEqual([
      '1:1: warning: [binary] is ignored when [[targets]] are given | move its settings into a [[targets]] entry, or delete [binary]',
    ]);
  });

  it('a profile that is not a table, or whose name is no folder name', () => {
    expect(check(doc('[profile]', 'flags = ["-O3"]', '[profile."../up"]', 'flags = []', '[profile.release]', 'opt_level = "O3"'))).toEqual([
      '2:1: error: profile.flags must be a table ([profile.flags]), not an array | profile entries are tables you name: [profile.NAME], e.g. [profile.fast] with flags = ["-O3"]',
      '3:1: error: profile name "../up" may only hold letters, digits and _ . + - | the name is a folder name: its outputs go to <output_dir>/../up',
      '6:1: warning: unknown key profile.release.opt_level | opt_level is a key of [link]',
    ]);
  });

  it('jobs need an id and a command, unique ids, and dependencies that exist', () => {
    expect(check(doc('[[jobs]]', 'id = "gen"', 'run = []', '[[jobs]]', 'run = ["x"]', 'depends_on = ["gne", "zzz"]', '[[jobs]]', 'id = "gen"', 'run = ["y"]'))).toEqual([
      '3:1: error: [[jobs]] #1 has an empty run | add run = [...]: the command as an argument list (no shell), e.g. ["python3", "gen.py"].',
      '4:1: error: [[jobs]] #2 has no id | add id = "...": the job\'s name, unique among jobs; `depends_on` refers to it.',
      '6:15: error: jobs[1].depends_on[0] = "gne" names no job, target or output | did you mean "gen"?',
      '6:22: error: jobs[1].depends_on[1] = "zzz" names no job, target or output | jobs: gen; "build" waits for every target; an output path (with a /) for one output',
      '8:1: error: two jobs have the id "gen" | the other is at line 2; job ids must be unique',
    ]);
  });
});

describe('[[jobs]] dependencies and templates', () => {
  it('a job may wait for another job, the whole build, a target or an output path; templates must name something', () => {
    expect(check(doc('[compile]', 'flags = ["-O2"]', '[[targets]]', 'name = "app"', '[[jobs]]', 'id = "t"', 'run = ["{{project.root}}/run", "{{compile.flags}}", "{{discovery.files}}"]', 'depends_on = ["build", "app", "build/bin/app"]'))).toEqual([]);
    expect(check(doc('[[jobs]]', 'id = "gen"', 'run = ["python3", "{{project.rot}}/gen.py", "--f={{discovery.files}}"]'))).toEqual([
      '3:19: error: job "gen": unknown template {{project.rot}} (use project.root, config_path, compile.output_dir, discovery.files or a key of jmake.toml) | templates: {{project.root}}, {{config_path}}, {{compile.output_dir}}, {{discovery.files}}, or any key of jmake.toml by its dotted path',
      '3:45: error: job "gen": {{discovery.files}} is a list; a list must be a whole argument ("{{discovery.files}}"), one argument per item | templates: {{project.root}}, {{config_path}}, {{compile.output_dir}}, {{discovery.files}}, or any key of jmake.toml by its dotted path',
    ]);
  });
});

describe('locations', () => {
  it('findings are sorted by line, whatever order they were found in', () => {
    // [binary] beside [[targets]] is found after every key is checked, but its line comes first.
    const found = validateConfig(doc('[binary]', 'name = "x"', '[daemon]', 'settle_ms = -1', '[[targets]]', 'name = "a"', 'type = "dll"'), 'f', ROOT, everythingExists);
    expect(found.map((f) => [f.line, f.severity])).toEqual([[1, 'warning'], [4, 'error'], [7, 'error']]);
  });

  it('indented keys report their column', () => {
    expect(check(doc('[compile]', '    pipeline = "lto"'))).toEqual([
      '2:5: error: unknown pipeline "lto" in compile.pipeline | use one of "object", "ir", "thinlto"',
    ]);
  });

  it('a table made by dotted keys is reported at its first key, not at the table around it', () => {
    expect(check(doc('[compile]', 'pipeline = "ir"', 'link.opt_level = "O3"', 'flags.O = 2'))).toEqual([
      '3:1: warning: unknown key compile.link | link is a key of [[targets]]',
      '4:1: error: compile.flags must be an array of strings, not a table',
    ]);
  });
});

describe('array items', () => {
  const at = (text: string, index: number) => arrayItemLocation(text, { line: 1, column: 1 }, index);

  it('are found on one line and across lines, past comments, nested arrays and every kind of string', () => {
    expect(at('k = ["a", "b"]', 1)).toEqual({ line: 1, column: 11 });
    expect(at('k = [\n  "a",\n  # "x", "y",\n  "b",\n]', 1)).toEqual({ line: 4, column: 3 });
    expect(at('k = [[1, 2], "x, ]", \'y]\', """z\n,]""", 5]', 4)).toEqual({ line: 2, column: 8 });
    expect(at('k = ["a\\", ", "b"]', 1)).toEqual({ line: 1, column: 15 });
  });

  it('are not found past the end, or in a value that is not an array', () => {
    expect(at('k = ["a"]', 1)).toBeNull();
    expect(at('k = []', 0)).toBeNull();
    expect(at('k = "a, b"', 0)).toBeNull();
  });

  it('put a finding on the item\'s own line in a multi-line array', () => {
    expect(check(doc('[link]', 'flags = [', '  "-pthread",', '  "",', ']'))).toEqual([
      '4:3: error: link.flags[1] is an empty string | remove it: the tool would get an empty argument',
    ]);
  });
});

describe('printing', () => {
  const error: Finding = { severity: 'error', line: 3, column: 1, message: 'bad', hint: 'fix it' };
  const warning: Finding = { severity: 'warning', line: 5, column: 2, message: 'odd' };

  it('formats as compilers do, the hint on an indented line below', () => {
    expect(formatFinding('jmake.toml', error)).toBe('jmake.toml:3:1: error: bad\n  hint: fix it');
    expect(formatFinding('../jmake.toml', warning)).toBe('../jmake.toml:5:2: warning: odd');
  });

  it('summarizes counts', () => {
    expect(summarize([])).toBe('ok');
    expect(summarize([warning])).toBe('1 warning');
    expect(summarize([error, error, warning])).toBe('2 errors, 1 warning');
    expect(summarize([error, warning, warning])).toBe('1 error, 2 warnings');
  });

  it('parses sizes', () => {
    expect(parseSize('5 GiB')).toBe(5 * 2 ** 30);
    expect(parseSize('500MB')).toBe(500e6);
    expect(parseSize('1024')).toBe(1024);
    expect(parseSize('1.5 kib')).toBe(1536);
    expect(parseSize('5 gigs')).toBeNull();
    expect(parseSize('-1 GiB')).toBeNull();
  });
});
