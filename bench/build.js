// Scenario 5: builds, jmake against ninja and make on the same synthetic C project.
//
// One generated tree (1,000 sources in 100 dirs; 10,000 in 1,000 dirs with --build-10k), written
// three times: each tool builds its own copy. Every source includes three shared headers from
// include/ (config.h, group_GG.h, util_U.h) and its dir's local.h; src/main.c calls every source's
// function and prints a checksum, which is checked after every build. The three tools run the
// same compiler (the one `jmake tools --json` says jmake uses for C) with the same flags, and the
// same link step (an executable linking every object):
//   jmake: jmake.toml ([compile] flags = ["-O0"], include_dirs = ["include"], [binary] executable)
//   ninja: build.ninja, `deps = gcc`, `depfile = $out.d` (-MD -MF $out.d)
//   make:  Makefile, -MD -MF $@.d and `-include` of the .d files (builtin rules off)
// Measured, tools alternating run by run (the order rotates), medians of several runs:
//   5a full build from clean, -j 2;
//   5b no-op, the whole command, with `node -e 0` in the same loop as the floor;
//   5c one source edited (a constant in one .c: one compile + the link);
//   5d one shared header edited (group_07.h, included by K sources: K compiles + the link).
// Every build is checked: which objects and binaries changed on disk (mtimes, all three tools),
// jmake's jobsRun and job list from --json, and the binary's output.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, cpSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, JMAKE, NATIVE_CLIENT_BUILT, NODE, REPO_ROOT, benchEnv, fmtCount, log, makeProject, onCleanup, sleep, summarize } from './lib.js';

const JOBS = 2;
const GROUPS = 32; // include/group_GG.h: source i includes group_(i % 32)
const UTILS = 8; // include/util_U.h: source i includes util_(dir % 8)
const PER_DIR = 10; // sources per leaf dir
const MODS_PER_LIB = 10; // src/libLL/modMM/
const CONFIG_BIAS = 1;
const EDITED_GROUP = 7; // the shared header edited in 5d
const MAIN_ARG = 2; // main() calls every fn with this argument
/** Pause between writing an edit and the builds: a user saves, then runs the command. */
const EDIT_SETTLE_MS = 300;
/** Pause after cleaning, before the full builds (the jmake daemon sees the outputs go). */
const CLEAN_SETTLE_MS = 1000;
/**
 * A 1k full build costs ~1,000 compiler starts per tool (clang 14: ~0.1 s of CPU each, most of it
 * loading libLLVM), so a round of the three tools takes ~3 minutes on 2 cores: a further round only
 * starts when the rounds so far suggest it ends within this budget (the rounds run are reported).
 */
const FULL_BUILDS_BUDGET_MS = 300_000;
/** jmake passes link command lines over 100 kB through a response file; ninja and make do the same here. */
const RSP_OVER = 100_000;
const TOOLS = ['jmake', 'ninja', 'make'];

// ---------------------------------------------------------------------------------------------
// The synthetic project

const pad = (n, w) => String(n).padStart(w, '0');

export function sourceInfo(i) {
  const dirIndex = Math.floor(i / PER_DIR);
  const lib = Math.floor(dirIndex / MODS_PER_LIB);
  const mod = dirIndex % MODS_PER_LIB;
  const dir = `src/lib${pad(lib, 3)}/mod${pad(mod, 2)}`;
  return {
    i, dirIndex, dir,
    path: `${dir}/f${pad(i % PER_DIR, 2)}.c`,
    fn: `fn_${pad(i, 5)}`,
    group: i % GROUPS,
    util: dirIndex % UTILS,
  };
}

const groupName = (g) => `group_${pad(g, 2)}`;
const localValue = (dirIndex) => (dirIndex % 50) + 1;
const utilScale = (u) => u + 1;

export function sourceText(s, constant) {
  return `/* ${s.path}: synthetic benchmark source ${s.i} */
#include "config.h"
#include "${groupName(s.group)}.h"
#include "util_${s.util}.h"
#include "local.h"

static int helper(int x) { return UTIL_${s.util}_SCALE * x + CONFIG_BIAS; }

int ${s.fn}(int x) {
  int acc = ${groupName(s.group).toUpperCase()}_VALUE + LOCAL_VALUE;
  for (int k = 0; k < x; k++) acc += helper(k);
  return acc + ${constant}; /* the constant scenario 5c edits */
}
`;
}

function groupHeaderText(g, value) {
  const guard = `${groupName(g).toUpperCase()}_H`;
  return `#ifndef ${guard}\n#define ${guard}\n#define ${groupName(g).toUpperCase()}_VALUE ${value}\n#endif\n`;
}

/**
 * The project's state as a model: the constants of the sources and the values of the group headers,
 * from which the checksum main() prints is computed.
 */
export class Model {
  constructor(sources) {
    this.sources = sources;
    this.constants = Array.from({ length: sources }, (_, i) => (i % 1000) + 1);
    this.groupValues = Array.from({ length: GROUPS }, (_, g) => g);
  }

  checksum() {
    let total = 0;
    for (let i = 0; i < this.sources; i++) {
      const s = sourceInfo(i);
      let acc = this.groupValues[s.group] + localValue(s.dirIndex);
      for (let k = 0; k < MAIN_ARG; k++) acc += utilScale(s.util) * k + CONFIG_BIAS;
      total += acc + this.constants[i];
    }
    return String(total);
  }
}

/** Write the sources and headers (not the build files) under `root`. */
export function writeSources(root, model) {
  const started = performance.now();
  const n = model.sources;
  mkdirSync(join(root, 'include'), { recursive: true });
  writeFileSync(join(root, 'include', 'config.h'), `#ifndef CONFIG_H\n#define CONFIG_H\n#include <stdint.h>\n#include <string.h>\n#define CONFIG_BIAS ${CONFIG_BIAS}\n#endif\n`);
  for (let g = 0; g < GROUPS; g++) writeFileSync(join(root, 'include', `${groupName(g)}.h`), groupHeaderText(g, model.groupValues[g]));
  for (let u = 0; u < UTILS; u++) {
    writeFileSync(join(root, 'include', `util_${u}.h`), `#ifndef UTIL_${u}_H\n#define UTIL_${u}_H\n#define UTIL_${u}_SCALE ${utilScale(u)}\nstatic inline int util_${u}_twice(int x) { return 2 * x; }\n#endif\n`);
  }
  const dirs = new Set();
  const decls = [];
  const calls = [];
  for (let i = 0; i < n; i++) {
    const s = sourceInfo(i);
    if (!dirs.has(s.dir)) {
      dirs.add(s.dir);
      mkdirSync(join(root, s.dir), { recursive: true });
      writeFileSync(join(root, s.dir, 'local.h'), `#ifndef LOCAL_H\n#define LOCAL_H\n/* ${s.dir} */\n#define LOCAL_VALUE ${localValue(s.dirIndex)}\n#endif\n`);
    }
    writeFileSync(join(root, s.path), sourceText(s, model.constants[i]));
    decls.push(`int ${s.fn}(int x);`);
    calls.push(`  total += ${s.fn}(${MAIN_ARG});`);
  }
  writeFileSync(join(root, 'src', 'main.c'), `#include <stdio.h>\n\n${decls.join('\n')}\n\nint main(void) {\n  long long total = 0;\n${calls.join('\n')}\n  printf("%lld\\n", total);\n  return 0;\n}\n`);
  return { dirs: dirs.size, ms: performance.now() - started };
}

/** Every source file (main.c last, as jmake sorts them), its object, and the binary. */
export function layout(n) {
  const sources = [];
  for (let i = 0; i < n; i++) sources.push(sourceInfo(i).path);
  sources.push('src/main.c');
  sources.sort();
  const objects = sources.map((s) => `build/obj/${s}.o`);
  return { sources, objects, binary: 'build/bin/bench' };
}

/**
 * `cache`: scenario 9 (bench/cache.js) turns the compile cache on; the others measure compiling.
 * `gcc`: the build uses gcc (`--quick`: gcc starts about twice as fast as clang 14 here, and all
 * three tools take the compiler jmake chose, so the ratios compare the same compiles).
 */
export function jmakeToml({ cache = false, gcc = false } = {}) {
  const cacheOff = `
# These scenarios measure compiling: a full build after \`jmake clean\` would otherwise be restored
# from the compile cache (scenario 9, bench/cache.js, measures that).
[cache]
enabled = false
`;
  return `# Synthetic build benchmark (bench/build.js).
[project]
name = "bench"

[compile]
flags = ["-O0"]
include_dirs = ["include"]
output_dir = "build"

[binary]
type = "executable"
name = "bench"
${cache ? '' : cacheOff}${gcc ? '\n[llvm]\nprefer = "gcc"\n' : ''}`;
}

export function ninjaFile(cc, lay, rsp = linkArgsLength(lay) > RSP_OVER) {
  const lines = [
    '# Synthetic build benchmark (bench/build.js): the same compiler, flags and link as jmake.',
    'ninja_required_version = 1.10',
    `cc = ${cc}`,
    'cflags = -O0 -Iinclude',
    '',
    'rule cc',
    '  command = $cc $cflags -MD -MF $out.d -MT $out -c $in -o $out',
    '  deps = gcc',
    '  depfile = $out.d',
    '  description = CC $out',
    '',
  ];
  if (rsp) {
    lines.push('rule link', '  command = $cc @$out.rsp -o $out', '  rspfile = $out.rsp', '  rspfile_content = $in', '  description = LINK $out', '');
  } else {
    lines.push('rule link', '  command = $cc $in -o $out', '  description = LINK $out', '');
  }
  for (let k = 0; k < lay.sources.length; k++) lines.push(`build ${lay.objects[k]}: cc ${lay.sources[k]}`);
  lines.push('', `build ${lay.binary}: link ${lay.objects.join(' ')}`, '', `default ${lay.binary}`, '');
  return lines.join('\n');
}

export function makeFile(cc, lay, rsp = linkArgsLength(lay) > RSP_OVER) {
  const dirs = [...new Set(lay.objects.map((o) => o.slice(0, o.lastIndexOf('/'))))].sort();
  const lines = [
    '# Synthetic build benchmark (bench/build.js): the same compiler, flags and link as jmake.',
    'MAKEFLAGS += --no-builtin-rules',
    '.SUFFIXES:',
    `CC := ${cc}`,
    'CFLAGS := -O0 -Iinclude',
    '',
    `OBJS := ${lay.objects.join(' \\\n  ')}`,
    '',
    `OBJDIRS := ${dirs.join(' \\\n  ')} build/bin`,
    '',
    `all: ${lay.binary}`,
    '.PHONY: all clean',
    '',
    `${lay.binary}: $(OBJS) | build/.dirs`,
    rsp ? '\t$(file >$@.rsp,$^)\n\t$(CC) @$@.rsp -o $@' : '\t$(CC) $^ -o $@',
    '',
    'build/obj/%.c.o: %.c | build/.dirs',
    '\t$(CC) $(CFLAGS) -MD -MF $@.d -MT $@ -c $< -o $@',
    '',
    '# All object dirs in one process.',
    'build/.dirs:',
    '\tmkdir -p $(OBJDIRS) && touch $@',
    '',
    'clean:',
    '\trm -rf build',
    '',
    '-include $(OBJS:=.d)',
    '',
  ];
  return lines.join('\n');
}

function linkArgsLength(lay) {
  return lay.objects.reduce((n, o) => n + o.length + 1, 0);
}

// ---------------------------------------------------------------------------------------------
// Running the tools

/**
 * Run a command in its own process group (so cleanup can kill the compilers too); wall time from
 * spawn to the process's exit.
 */
export function runTimed(file, args, { cwd, env, timeoutMs, stdoutFile = null }) {
  return new Promise((resolvePromise, reject) => {
    const outFd = stdoutFile ? openSync(stdoutFile, 'w') : null;
    const startedAtMs = Date.now();
    const started = process.hrtime.bigint();
    let exitedAt = null;
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', outFd ?? 'pipe', 'pipe'], detached: true });
    if (outFd !== null) closeSync(outFd);
    // Registered after the project, so cleanup kills the group before the daemon stops and the dirs go.
    const undoKill = onCleanup(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout?.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => {
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
      reject(new Error(`${file} ${args.join(' ')} timed out after ${timeoutMs} ms in ${cwd}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', () => { exitedAt = process.hrtime.bigint(); });
    child.on('error', (err) => { clearTimeout(timer); undoKill(); reject(err); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      undoKill();
      const ms = Number((exitedAt ?? process.hrtime.bigint()) - started) / 1e6;
      if (stdoutFile) stdout = readFileSync(stdoutFile, 'utf8');
      resolvePromise({ code: code ?? -1, signal, stdout, stderr, ms, startedAtMs, exitedAtMs: startedAtMs + ms });
    });
  });
}

/** Short commands (the no-op loop), timed like scenario 1: spawnSync, spawn to exit. */
export function runSyncTimed(file, args, { cwd, env }) {
  const startedAtMs = Date.now();
  const started = process.hrtime.bigint();
  const r = spawnSync(file, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { code: r.status ?? -1, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ms, error: r.error, startedAtMs, exitedAtMs: startedAtMs + ms };
}

/** `keepDepfiles`: ninja leaves each depfile in place (--quick gives make a copy of ninja's build). */
function commandOf(tool, { keepDepfiles = false } = {}) {
  if (tool === 'jmake') return { file: JMAKE, args: ['build', '-j', String(JOBS), '--json'] };
  if (tool === 'ninja') return { file: 'ninja', args: [...(keepDepfiles ? ['-d', 'keepdepfile'] : []), '-j', String(JOBS)] };
  if (tool === 'make') return { file: 'make', args: [`-j${JOBS}`] };
  if (tool === 'node') return { file: NODE, args: ['-e', '0'] };
  throw new Error(tool);
}

/** The no-op command: the whole `jmake build` as a user types it (no --json); `jmake-node`: through the Node CLI. */
function noopCommandOf(tool) {
  if (tool === 'jmake') return { file: JMAKE, args: ['build', '-j', String(JOBS)] };
  if (tool === 'jmake-node') return { file: NODE, args: [BIN, 'build', '-j', String(JOBS)] };
  return commandOf(tool);
}

function parseJmakeJson(result, what) {
  let json;
  try {
    json = JSON.parse(result.stdout);
  } catch {
    throw new Error(`jmake build --json (${what}) printed no JSON (exit ${result.code}):\n${result.stdout.slice(0, 2000)}\n${result.stderr}`);
  }
  if (result.code !== 0 || !json.ok) {
    throw new Error(`jmake build (${what}) failed (exit ${result.code}):\n${JSON.stringify(json, null, 1).slice(0, 4000)}\n${result.stderr}`);
  }
  return json;
}

/**
 * Where a jmake command's wall time went, from the daemon log (ms timestamps, the same clock):
 * spawn → the daemon logs the client's hello (node start, the client bundle, connect); the build
 * request in the daemon (its log line's duration); the request's end → the client's exit (reply,
 * printing, exit). Null when the lines are not found. `command` is the jmake command run (its client
 * name is `jmake <command>` and its request method `<command>`: build, notify).
 */
export function jmakeTimeline(project, r, command = 'build') {
  let text;
  try {
    const path = join(project.root, '.jmake', 'daemon.log');
    const size = statSync(path).size;
    const fd = openSync(path, 'r');
    try {
      const len = Math.min(size, 256 * 1024);
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, size - len);
      text = buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
  const lines = text.split('\n');
  let conn = null;
  let helloAt = NaN;
  for (let i = lines.length - 1; i >= 0; i--) {
    // The Node CLI says `jmake build` and sends `build`; the native client says `jmake-client build` and sends `cli`.
    const m = new RegExp(`^(\\S+) \\[request\\] #(\\d+) hello from jmake(?:-client)? ${command} `).exec(lines[i]);
    if (m) { conn = m[2]; helloAt = Date.parse(m[1]); break; }
  }
  if (conn === null) return null;
  const done = new RegExp(`^(\\S+) \\[request\\] #${conn} (?:cli )?${command} rid=\\d+ \\S+ ([\\d.]+)ms`);
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = done.exec(lines[i]);
    if (!m) continue;
    const endAt = Date.parse(m[1]);
    return { toHelloMs: helloAt - r.startedAtMs, requestMs: Number(m[2]), afterRequestMs: r.exitedAtMs - endAt };
  }
  return null;
}

/** mtimes (ns) of every object and the binary; null when missing. */
function outputMtimes(root, lay) {
  const out = new Map();
  for (const p of [...lay.objects, lay.binary]) {
    try {
      out.set(p, statSync(join(root, p), { bigint: true }).mtimeNs);
    } catch {
      out.set(p, null);
    }
  }
  return out;
}

function changedOutputs(before, after) {
  const changed = [];
  for (const [p, t] of after) if (t !== before.get(p)) changed.push(p);
  return changed.sort();
}

export function checkBinary(root, expected, who) {
  const r = spawnSync(join(root, 'build', 'bin', 'bench'), [], { encoding: 'utf8', timeout: 30_000 });
  const got = (r.stdout ?? '').trim();
  if (r.status !== 0 || got !== expected) {
    throw new Error(`${who}: build/bin/bench printed ${JSON.stringify(got)} (exit ${r.status}), expected ${expected}`);
  }
}

function sameSet(a, b) {
  const sa = [...new Set(a)].sort();
  const sb = [...new Set(b)].sort();
  return sa.length === sb.length && sa.every((x, i) => x === sb[i]);
}

function describeDiff(got, want) {
  const g = new Set(got);
  const w = new Set(want);
  const missing = [...w].filter((x) => !g.has(x));
  const extra = [...g].filter((x) => !w.has(x));
  return `${got.length} changed, expected ${want.length}; missing ${missing.slice(0, 5).join(', ') || 'none'}${missing.length > 5 ? ` (+${missing.length - 5})` : ''}; unexpected ${extra.slice(0, 5).join(', ') || 'none'}${extra.length > 5 ? ` (+${extra.length - 5})` : ''}`;
}

/** ninja's own job times for its last build, from .ninja_log (v5: start, end, mtime, output, hash; ms since ninja started). */
function ninjaLogJobs(root, outputs) {
  const text = readFileSync(join(root, '.ninja_log'), 'utf8');
  const last = new Map();
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    if (f.length < 5) continue;
    last.set(f[3], { start: Number(f[0]), end: Number(f[1]) });
  }
  return outputs.map((o) => ({ output: o, ...(last.get(o) ?? { start: NaN, end: NaN }) }));
}

/**
 * A lower bound of the time the jobs themselves need at -j JOBS: the link waits for every compile,
 * so max(longest compile, sum of compiles / JOBS) + link. For one compile: compile + link, the
 * critical path.
 */
function jobsLowerBound(compileMs, linkMs) {
  if (compileMs.length === 0) return linkMs;
  const sum = compileMs.reduce((a, b) => a + b, 0);
  return Math.max(Math.max(...compileMs), sum / JOBS) + linkMs;
}

// ---------------------------------------------------------------------------------------------
// The scenario

export async function benchBuild({ base, quick, build10k = false }) {
  const sizes = build10k === 'only' ? [10_000] : build10k ? [1000, 10_000] : [1000];
  const rows = [];
  const details = {};
  for (const n of sizes) {
    const r = await benchSize({ base, quick, n });
    rows.push(...r.rows);
    details[`${n / 1000}k`] = r.details;
  }
  return { rows, details };
}

export async function benchSize({ base, quick, n }) {
  const label = `${n / 1000}k`;
  const big = n >= 10_000;
  const runs = {
    // Full builds: at most this many rounds (all three tools each), and a further round only starts
    // when the rounds so far suggest it ends within FULL_BUILDS_BUDGET_MS (see above).
    full: quick || big ? 1 : 3,
    fullMax: quick || big ? 1 : 3,
    noop: quick ? 10 : 20,
    noopWarmup: 2,
    source: quick ? 3 : 7,
    header: quick ? 2 : big ? 3 : 5, // --quick: two, to stay under 3 minutes on a loaded machine
  };
  const timeouts = { full: big ? 3_600_000 : 600_000, edit: big ? 600_000 : 120_000 };
  const model = new Model(n);
  const lay = layout(n);
  const t0 = performance.now();
  const distBuilt = statSync(join(REPO_ROOT, 'dist', 'client.cjs')).mtime.toISOString();

  // The three copies: jmake's is a project with its own daemon (own XDG_RUNTIME_DIR and TMPDIR).
  const project = makeProject(base, `build-${label}-jmake`);
  const roots = { jmake: project.root, ninja: join(base, `build-${label}-ninja`), make: join(base, `build-${label}-make`) };
  const undoDirs = onCleanup(() => {
    for (const t of ['ninja', 'make']) rmSync(roots[t], { recursive: true, force: true, maxRetries: 5 });
  });
  const env = { jmake: project.env, ninja: benchEnv(), make: benchEnv(), node: project.env };
  // jmake's --json goes to a file, not a pipe: piped, `jmake build --json` loses everything past the
  // first 64 KiB (the client exits before the pipe drains; see bench/README.md). Outside the watched root.
  const stdoutFile = { jmake: join(project.dir, 'jmake-build-stdout.json'), ninja: null, make: null };
  const out = { rows: [], details: {} };
  try {
    const written = writeSources(project.root, model);
    // --quick and 10k compile with gcc when there is one (see jmakeToml) and do not time make's full
    // build: --quick must end in minutes, and at 10k each full build takes ~10 minutes per tool.
    const short = quick || big;
    const gcc = short && spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status === 0;
    writeFileSync(join(project.root, 'jmake.toml'), jmakeToml({ gcc }));
    for (const t of ['ninja', 'make']) {
      cpSync(join(project.root, 'src'), join(roots[t], 'src'), { recursive: true });
      cpSync(join(project.root, 'include'), join(roots[t], 'include'), { recursive: true });
    }
    log(`build ${label}: ${fmtCount(n)} sources + main.c in ${fmtCount(written.dirs)} dirs, ${GROUPS + UTILS + 1} shared headers, written in ${(written.ms / 1000).toFixed(1)} s (x3)`);

    // The daemon, ready before anything is measured.
    const started = await project.start();
    const ready = await project.waitReady({ deadlineMs: big ? 240_000 : 60_000, intervalMs: 200 });
    log(`build ${label}: jmake daemon ${started.pid} ready, ${fmtCount(ready.status.files.tracked)} files tracked`);

    // The compiler jmake uses for C, then the same for ninja and make.
    const tools = project.cliSync(['tools', '--json']);
    if (tools.status !== 0) throw new Error(`jmake tools --json failed (exit ${tools.status}):\n${tools.stdout}\n${tools.stderr}`);
    const toolsJson = JSON.parse(tools.stdout);
    const cc = toolsJson.chosen?.cc?.path;
    if (!cc) throw new Error(`jmake tools --json names no cc:\n${tools.stdout}`);
    writeFileSync(join(roots.ninja, 'build.ninja'), ninjaFile(cc, lay));
    writeFileSync(join(roots.make, 'Makefile'), makeFile(cc, lay));
    const commands = checkCommands(project, cc, lay, stdoutFile.jmake);
    log(`build ${label}: compiler ${cc} (${toolsJson.chosen.cc.version}, family ${toolsJson.family}) for all three; jmake's commands match ninja's and make's; jmake's dist built ${distBuilt}`);

    const edited = sourceInfo(Math.floor(n / 2));
    const editedObject = `build/obj/${edited.path}.o`;
    const headerSources = [];
    for (let i = 0; i < n; i++) if (sourceInfo(i).group === EDITED_GROUP) headerSources.push(sourceInfo(i).path);
    const K = headerSources.length;
    const headerObjects = headerSources.map((p) => `build/obj/${p}.o`);

    const perTool = () => ({ jmake: [], ninja: [], make: [] });
    const samples = { full: perTool(), noop: { node: [], jmake: [], ninja: [], make: [], 'jmake-node': [] }, source: perTool(), sourceAtOnce: perTool(), header: perTool(), headerAtOnce: perTool() };
    const jmakeRuns = { full: [], source: [], sourceAtOnce: [], header: [], headerAtOnce: [] };
    const ninjaJobs = { source: [], sourceAtOnce: [], header: [], headerAtOnce: [] };

    // ---- 5a: full builds from clean. --quick and 10k time jmake's and ninja's only (make's full
    // build has no target) and give make a copy of ninja's build: the same commands, its depfiles kept.
    const fullTools = short ? ['jmake', 'ninja'] : TOOLS;
    const fullStarted = performance.now();
    for (let run = 0; run < runs.full; run++) {
      const spent = performance.now() - fullStarted;
      if (run > 0 && spent + spent / run > FULL_BUILDS_BUDGET_MS) {
        log(`build ${label}: ${run} full-build round(s) took ${(spent / 1000).toFixed(0)} s; no further round (budget ${FULL_BUILDS_BUDGET_MS / 1000} s)`);
        runs.full = run;
        break;
      }
      for (const t of TOOLS) await cleanTool(t, roots[t], project);
      await sleep(CLEAN_SETTLE_MS);
      for (const t of rotate(fullTools, run)) {
        const before = Date.now();
        const { file, args } = commandOf(t, { keepDepfiles: short });
        const r = await runTimed(file, args, { cwd: roots[t], env: env[t], timeoutMs: timeouts.full, stdoutFile: stdoutFile[t] });
        if (t !== 'jmake' && r.code !== 0) throw new Error(`${t} full build failed (exit ${r.code}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
        if (t === 'jmake') {
          const json = parseJmakeJson(r, 'full build');
          if (json.jobsRun !== lay.objects.length + 1) throw new Error(`jmake full build ran ${json.jobsRun} jobs, expected ${lay.objects.length + 1}`);
          jmakeRuns.full.push({ wallMs: r.ms, daemonMs: json.durationMs, jobsRun: json.jobsRun, jobsSumMs: json.jobs.reduce((a, j) => a + j.durationMs, 0), timeline: jmakeTimeline(project, r) });
        }
        const missing = [...outputMtimes(roots[t], lay)].filter(([, m]) => m === null || Number(m / 1000000n) < before - 1000).map(([p]) => p);
        if (missing.length > 0) throw new Error(`${t} full build left ${missing.length} outputs missing or stale, e.g. ${missing.slice(0, 3).join(', ')}`);
        checkBinary(roots[t], model.checksum(), `${t} full build`);
        samples.full[t].push(r.ms);
        log(`build ${label}: full build ${run + 1}/${runs.full} ${t}: ${(r.ms / 1000).toFixed(2)} s`);
      }
    }

    if (short) {
      cpSync(join(roots.ninja, 'build'), join(roots.make, 'build'), { recursive: true, preserveTimestamps: true });
      writeFileSync(join(roots.make, 'build', '.dirs'), '');
      const upToDate = spawnSync('make', ['-q'], { cwd: roots.make, env: env.make, stdio: 'ignore' });
      if (upToDate.status !== 0) throw new Error(`make's copy of ninja's build is not up to date for make (make -q exit ${upToDate.status})`);
      log(`build ${label}: make's tree is a copy of ninja's build (${quick ? '--quick' : '10k'}), up to date for make -q`);
    }

    // ---- 5b: no-op
    const noopBefore = Object.fromEntries(TOOLS.map((t) => [t, outputMtimes(roots[t], lay)]));
    const noopTools = ['node', ...TOOLS, 'jmake-node'];
    const noopTimeline = [];
    for (let round = -runs.noopWarmup; round < runs.noop; round++) {
      for (const t of rotate(noopTools, round + runs.noopWarmup)) {
        const { file, args } = noopCommandOf(t);
        // `node -e 0` and the Node CLI run where jmake does, in its environment.
        const home = t === 'node' || t === 'jmake-node' ? 'jmake' : t;
        const r = runSyncTimed(file, args, { cwd: roots[home], env: env[home] });
        if (r.code !== 0) throw new Error(`no-op ${t} failed (exit ${r.code}${r.error ? `, ${r.error.message}` : ''}):\n${r.stdout}\n${r.stderr}`);
        if (t.startsWith('jmake') && !/no work to do/.test(r.stdout)) throw new Error(`${t} no-op did work:\n${r.stdout}\n${r.stderr}`);
        if (t === 'jmake' && round >= 0) noopTimeline.push(jmakeTimeline(project, r));
        if (t === 'ninja' && !/no work to do/.test(r.stdout)) throw new Error(`ninja no-op did work:\n${r.stdout}`);
        if (t === 'make' && /clang|gcc|cc /.test(r.stdout)) throw new Error(`make no-op did work:\n${r.stdout}`);
        if (round >= 0) samples.noop[t].push(r.ms);
      }
    }
    for (const t of TOOLS) {
      const changed = changedOutputs(noopBefore[t], outputMtimes(roots[t], lay));
      if (changed.length > 0) throw new Error(`${t}: the no-op builds changed ${changed.length} outputs, e.g. ${changed.slice(0, 3).join(', ')}`);
    }
    const noopJson = parseJmakeJson(await runTimed(JMAKE, ['build', '-j', String(JOBS), '--json'], { cwd: roots.jmake, env: env.jmake, timeoutMs: 60_000, stdoutFile: stdoutFile.jmake }), 'no-op check');
    if (noopJson.jobsRun !== 0) throw new Error(`jmake no-op ran ${noopJson.jobsRun} jobs`);
    log(`build ${label}: no-op medians: ${noopTools.map((t) => `${t} ${summarize(samples.noop[t]).median.toFixed(1)} ms`).join(', ')}`);

    // ---- 5c, 5d: one source edited, one shared header edited. Each tool's tree is edited just
    // before its own build, so a build jmake starts on change never overlaps another tool's run.
    // `pause`: the command comes EDIT_SETTLE_MS after the save (a user switching to the terminal;
    // jmake's build on change uses it), or at once (the save-to-done latency, jmake's overhead).
    const headerPath = `include/${groupName(EDITED_GROUP)}.h`;
    const editRuns = async (key, count, pause, edit) => {
      for (let run = 0; run < count; run++) {
        const { path, text, want, what } = edit(run);
        for (const t of rotate(TOOLS, run)) {
          const before = outputMtimes(roots[t], lay);
          writeFileSync(join(roots[t], path), text);
          if (pause) await sleep(EDIT_SETTLE_MS);
          const r = await timedEditBuild(t, roots[t], env[t], timeouts.edit, stdoutFile[t]);
          if (t === 'jmake') r.timeline = jmakeTimeline(project, r);
          verifyRebuilt(t, r, before, roots[t], lay, want, what);
          checkBinary(roots[t], model.checksum(), `${t} after the ${what}`);
          samples[key][t].push(r.ms);
          if (t === 'jmake') jmakeRuns[key].push(jmakeOverhead(r));
          if (t === 'ninja') ninjaJobs[key].push(ninjaOverhead(roots.ninja, r.ms, want.slice(0, -1), lay.binary));
        }
      }
      log(`build ${label}: ${key} medians: ${TOOLS.map((t) => `${t} ${summarize(samples[key][t]).median.toFixed(0)} ms`).join(', ')}`);
    };
    const sourceEdit = (base) => (run) => {
      model.constants[edited.i] = base + run;
      return { path: edited.path, text: sourceText(edited, model.constants[edited.i]), want: [editedObject, lay.binary], what: 'source edit' };
    };
    const headerEdit = (base) => (run) => {
      model.groupValues[EDITED_GROUP] = base + run;
      return { path: headerPath, text: groupHeaderText(EDITED_GROUP, model.groupValues[EDITED_GROUP]), want: [...headerObjects, lay.binary], what: 'header edit' };
    };
    await editRuns('source', runs.source, true, sourceEdit(5000));
    await editRuns('sourceAtOnce', runs.source, false, sourceEdit(9000));
    await editRuns('header', runs.header, true, headerEdit(100));
    await editRuns('headerAtOnce', runs.header, false, headerEdit(200));

    out.rows = makeRows({ label, n, K, samples, jmakeRuns, ninjaJobs, noopTimeline, runs, started, ready, cc, toolsJson, headerPath, edited });
    out.details = {
      sources: n + 1, dirs: written.dirs, sharedHeaders: GROUPS + UTILS + 1, editedSource: edited.path, editedHeader: headerPath, headerIncludedBy: K,
      compiler: { path: cc, version: toolsJson.chosen.cc.version, family: toolsJson.family }, commands,
      jobs: JOBS, runs, fullBuildsBudgetMs: FULL_BUILDS_BUDGET_MS, editSettleMs: EDIT_SETTLE_MS, jmakeDistBuilt: distBuilt, daemonStartMs: started.ms, trackedFiles: ready.status.files.tracked,
      stats: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).map(([t, s]) => [t, summarize(s)]))])),
      samplesMs: samples, jmakeRuns, ninjaJobs, noopTimeline,
      durationMs: performance.now() - t0,
    };
    return out;
  } finally {
    project.dispose();
    undoDirs();
    for (const t of ['ninja', 'make']) rmSync(roots[t], { recursive: true, force: true, maxRetries: 5 });
  }
}

function rotate(list, k) {
  const o = ((k % list.length) + list.length) % list.length;
  return [...list.slice(o), ...list.slice(0, o)];
}

async function cleanTool(tool, root, project) {
  if (tool === 'jmake') {
    const r = project.cliSync(['clean'], 120_000);
    if (r.status !== 0) throw new Error(`jmake clean failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  } else {
    rmSync(join(root, 'build'), { recursive: true, force: true });
  }
}

async function timedEditBuild(tool, root, env, timeoutMs, stdoutFile) {
  const { file, args } = commandOf(tool);
  const r = await runTimed(file, args, { cwd: root, env, timeoutMs, stdoutFile });
  if (tool === 'jmake') {
    r.json = parseJmakeJson(r, 'edit');
  } else if (r.code !== 0) {
    throw new Error(`${tool} failed (exit ${r.code}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  }
  return r;
}

/** The outputs that changed on disk must be exactly `want`; for jmake, its job list too. */
function verifyRebuilt(tool, r, before, root, lay, want, what) {
  const changed = changedOutputs(before, outputMtimes(root, lay));
  if (!sameSet(changed, want)) throw new Error(`${tool} after the ${what}: wrong outputs rebuilt: ${describeDiff(changed, want)}`);
  if (tool === 'jmake') {
    const ids = r.json.jobs.filter((j) => j.status === 'succeeded').map((j) => j.id);
    if (r.json.jobsRun !== want.length || !sameSet(ids, want)) {
      throw new Error(`jmake after the ${what}: jobsRun ${r.json.jobsRun}, jobs ${describeDiff(ids, want)}`);
    }
  }
}

/**
 * jmake's overhead over its jobs. The jobs' own time is a lower bound at -j JOBS from the --json job
 * durations (spawn to exit of each tool, as the daemon measured them): max(longest compile, sum of
 * compiles / JOBS) + link, which for one compile is compile + link, the critical path.
 * End to end: the command's wall time minus that; daemon side: the build's durationMs minus that.
 * Meaningful only when the command started with the save (the "at once" runs): after a pause, jobs
 * the daemon started on change ran before the command (`startedOnChange` counts them).
 */
function jmakeOverhead(r) {
  const compiles = r.json.jobs.filter((j) => j.kind === 'compile').map((j) => j.durationMs);
  const link = r.json.jobs.filter((j) => j.kind !== 'compile').reduce((a, j) => a + j.durationMs, 0);
  const bound = jobsLowerBound(compiles, link);
  return {
    wallMs: r.ms, daemonMs: r.json.durationMs, compiles: compiles.length, compileMs: compiles.reduce((a, b) => a + b, 0),
    maxCompileMs: Math.max(0, ...compiles), linkMs: link, jobsBoundMs: bound,
    overheadMs: r.ms - bound, daemonOverheadMs: r.json.durationMs - bound,
    startedOnChange: r.json.jobs.filter((j) => j.startedOnChange).length, jobsRun: r.json.jobsRun,
    toHelloMs: r.timeline?.toHelloMs ?? NaN, requestMs: r.timeline?.requestMs ?? NaN, afterRequestMs: r.timeline?.afterRequestMs ?? NaN,
  };
}

/** The same figure for ninja, from .ninja_log. */
function ninjaOverhead(root, wallMs, objects, binary) {
  const jobs = ninjaLogJobs(root, [...objects, binary]);
  const compiles = jobs.slice(0, -1).map((j) => j.end - j.start);
  const link = jobs[jobs.length - 1];
  const bound = jobsLowerBound(compiles, link.end - link.start);
  return { wallMs, compileMs: compiles.reduce((a, b) => a + b, 0), linkMs: link.end - link.start, jobsBoundMs: bound, overheadMs: wallMs - bound, lastEndMs: link.end };
}

/**
 * jmake's commands (from `jmake build -n --json`) must be the ones build.ninja and the Makefile run:
 * the same compiler and flags (jmake writes to <folder>/.jmake-tmp/<name> and renames), the same link.
 */
function checkCommands(project, cc, lay, stdoutFile) {
  // The dry run's JSON (every job's command line) is far over 64 KiB: to a file (see runTimed's callers).
  const fd = openSync(stdoutFile, 'w');
  let r;
  try {
    r = spawnSync(NODE, [BIN, 'build', '-n', '--json', '-j', String(JOBS)], { cwd: project.root, env: project.env, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', fd, 'pipe'] });
  } finally {
    closeSync(fd);
  }
  const stdout = readFileSync(stdoutFile, 'utf8');
  if (r.status !== 0) throw new Error(`jmake build -n --json failed (exit ${r.status}):\n${stdout.slice(0, 3000)}\n${r.stderr}`);
  const json = JSON.parse(stdout);
  const src = lay.sources[0];
  const obj = lay.objects[0];
  const compile = json.jobs.find((j) => j.id === obj);
  const link = json.jobs.find((j) => j.id === lay.binary);
  if (!compile || !link) throw new Error(`jmake build -n names no job ${obj} or ${lay.binary}`);
  const norm = (argv) => argv.join(' ').replaceAll('/.jmake-tmp/', '/');
  const wantCompile = `${cc} -O0 -Iinclude -MD -MF ${obj}.d -MT ${obj} -c ${src} -o ${obj}`;
  const wantLink = `${cc} ${lay.objects.join(' ')} -o ${lay.binary}`;
  const jmakeCompile = norm(compile.command);
  const jmakeLink = norm(link.command);
  const sameTokens = (a, b) => sameSet(a.split(' '), b.split(' ')) && a.split(' ').length === b.split(' ').length;
  if (!sameTokens(jmakeCompile, wantCompile)) throw new Error(`jmake's compile command differs from ninja's and make's:\n jmake: ${jmakeCompile}\n ours:  ${wantCompile}`);
  if (!sameTokens(jmakeLink, wantLink)) throw new Error(`jmake's link command differs from ninja's and make's:\n jmake: ${jmakeLink.slice(0, 300)}…\n ours:  ${wantLink.slice(0, 300)}…`);
  return { compile: jmakeCompile, link: `${jmakeLink.slice(0, 200)}… (${lay.objects.length} objects)`, sameOrder: jmakeLink === wantLink };
}

// ---------------------------------------------------------------------------------------------
// Rows

function makeRows({ label, n, K, samples, jmakeRuns, ninjaJobs, noopTimeline, runs, started, ready, cc, toolsJson, headerPath, edited }) {
  const rows = [];
  const st = (list) => summarize(list);
  const pick = (s) => ({ median: s.median, min: s.min, max: s.max });
  const med = (list) => summarize(list).median;
  const ms = (v) => (Number.isFinite(v) ? (Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`) : '—');
  const src = `${fmtCount(n)} sources + main.c`;

  // 5a
  const fullNinja = med(samples.full.ninja);
  for (const t of TOOLS) {
    if (samples.full[t].length === 0) {
      rows.push({ scenario: `5a. Full build, ${label}: ${t}`, runs: 0, unit: 'ms', median: NaN, min: NaN, max: NaN, target: null, ratio: NaN, met: null, notes: 'not timed (--quick, 10k): its tree is a copy of ninja\'s build (the same commands, depfiles kept)' });
      continue;
    }
    const s = st(samples.full[t]);
    let notes = `${src}, -j ${JOBS}, from clean, ${cc} -O0 for all three; ${s.n} round(s) (at most ${runs.fullMax}, rounds capped at ${FULL_BUILDS_BUDGET_MS / 1000} s)`;
    if (t === 'jmake') {
      notes = `${notes}; daemon running (started and ready before: ${ms(started.ms)} for \`daemon start\`, ${fmtCount(ready.status.files.tracked)} files tracked); daemon-side ${ms(med(jmakeRuns.full.map((x) => x.daemonMs)))}; sum of job times ${ms(med(jmakeRuns.full.map((x) => x.jobsSumMs)))} (/${JOBS} = ${ms(med(jmakeRuns.full.map((x) => x.jobsSumMs)) / JOBS)})`;
    }
    if (t === 'make') notes = `${notes}; one mkdir -p for the object dirs`;
    rows.push({ scenario: `5a. Full build, ${label}: ${t}`, runs: s.n, unit: 'ms', ...pick(s), target: null, ratio: s.median / fullNinja, met: null, notes: `ratio vs ninja; ${notes}` });
  }

  // 5b
  const node = med(samples.noop.node);
  const noopNinja = med(samples.noop.ninja);
  rows.push({ scenario: `5b. No-op, ${label}: \`node -e 0\` (floor)`, runs: samples.noop.node.length, unit: 'ms', ...pick(st(samples.noop.node)), target: null, ratio: 1, met: null, notes: 'ratio vs node -e 0; same loop, same env as jmake (NODE_EXTRA_CA_CERTS removed)' });
  for (const t of [...TOOLS, 'jmake-node']) {
    const s = st(samples.noop[t]);
    const ratio = s.median / node;
    const perRound = samples.noop[t].map((v, i) => v / samples.noop.node[i]);
    const base = `ratio vs node -e 0; ${(s.median / noopNinja).toFixed(2)} × ninja; median of per-round ratios to node ${med(perRound).toFixed(3)}`;
    const cmd = {
      jmake: `\`jmake build -j 2\` (whole command: bin/jmake, ${NATIVE_CLIENT_BUILT ? 'the native client' : 'the Node CLI: no native client was built'})`,
      'jmake-node': '`node bin/run.cjs build -j 2` (the Node CLI)',
      ninja: '`ninja -j 2`',
      make: '`make -j2`',
    }[t];
    rows.push({
      scenario: `5b. No-op, ${label}: ${cmd}`, runs: s.n, unit: 'ms', ...pick(s),
      target: t === 'jmake' ? '≤ 1.25 × node -e 0' : null, ratio, met: t === 'jmake' ? ratio <= 1.25 : null,
      notes: t === 'jmake' ? `${base}; jmake − node = ${ms(s.median - node)}; ${timelineNote(noopTimeline)}` : base,
    });
  }

  // 5c, 5d: each edit after a pause (what a user waits for after typing the command), and at once
  // (save to done; the overhead rows).
  const editScenarios = [
    ['source', 'c', `one source edited (${edited.path}: 1 compile + link), command ${EDIT_SETTLE_MS} ms after the save`],
    ['sourceAtOnce', 'c', `one source edited (${edited.path}), command at once (save to done)`],
    ['header', 'd', `one header edited (${headerPath}, included by K = ${K}: ${K} compiles + link), command ${EDIT_SETTLE_MS} ms after the save`],
    ['headerAtOnce', 'd', `one header edited (${headerPath}), command at once (save to done)`],
  ];
  for (const [key, letter, title] of editScenarios) {
    const atOnce = key.endsWith('AtOnce');
    const header = key.startsWith('header');
    const want = header ? K + 1 : 2;
    const ninjaMed = med(samples[key].ninja);
    const o = jmakeRuns[key];
    for (const t of TOOLS) {
      const s = st(samples[key][t]);
      const ratio = s.median / ninjaMed;
      let notes = `ratio vs ninja; ${want} outputs rebuilt, checked by mtime (all) and --json jobs (jmake); binary output checked`;
      if (t === 'jmake') {
        notes += `; jobs started on change before the build request: ${o.map((x) => x.startedOnChange).join(', ')} of ${want}`;
        notes += atOnce
          ? `; jobs ${ms(med(o.map((x) => x.jobsBoundMs)))} (compile ${ms(med(o.map((x) => x.compileMs)))}${header ? ' summed' : ''}, link ${ms(med(o.map((x) => x.linkMs)))})`
          : `; the command's own time (wall − daemon-side) ${ms(med(o.map((x) => x.wallMs - x.daemonMs)))}`;
      }
      if (t === 'ninja') {
        const nj = ninjaJobs[key];
        notes += `; its jobs (.ninja_log) ${ms(med(nj.map((x) => x.jobsBoundMs)))}, overhead ${ms(med(nj.map((x) => x.overheadMs)))}`;
      }
      if (t === 'make') notes += '; make prints every command';
      rows.push({
        scenario: `5${letter}. ${cap(title)}, ${label}: ${t}`, runs: s.n, unit: 'ms', ...pick(s),
        target: t === 'jmake' ? '≤ 1.0 × ninja' : null, ratio, met: t === 'jmake' ? ratio <= 1.0 : null, notes,
      });
    }
    if (!atOnce) continue;
    const over = st(o.map((x) => x.overheadMs));
    const overTarget = header ? null : '≤ 20 ms';
    rows.push({
      scenario: `5${letter}. jmake overhead over its jobs, ${header ? 'header' : 'source'} edit at once, ${label}`, runs: over.n, unit: 'ms', ...pick(over),
      target: overTarget, ratio: overTarget ? over.median / 20 : null, met: overTarget ? over.median <= 20 : null,
      notes: `wall − jobs, jobs = ${header ? `max(longest compile, Σ compiles / ${JOBS}) + link` : 'compile + link (critical path)'} from --json durationMs; the jobs ran in the build the daemon started on change (${o.map((x) => x.startedOnChange).join(', ')} of ${header ? K + 1 : 2}), which the request waited for, so the request's own durationMs does not split the overhead into daemon and client sides; ${timelineNote(o)}; ninja's overhead by the same formula ${ms(med(ninjaJobs[key].map((x) => x.overheadMs)))}`,
    });
  }
  return rows;
}

/** Medians of the daemon-log timeline of jmake commands (see jmakeTimeline). */
function timelineNote(list) {
  const ok = list.filter((x) => x && Number.isFinite(x.requestMs));
  if (ok.length === 0) return 'no daemon-log timeline';
  const m = (k) => Math.round(summarize(ok.map((x) => x[k])).median);
  return `from the daemon log: spawn → hello ${m('toHelloMs')} ms, build request in the daemon ${m('requestMs')} ms, request end → exit ${m('afterRequestMs')} ms`;
}

function cap(s) {
  return s[0].toUpperCase() + s.slice(1);
}
