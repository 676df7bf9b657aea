#!/usr/bin/env node
// Scenario 6: real code. Two real C/C++ libraries, fetched as npm packages, built by jmake:
//
// - brotli 1.0.7 (iltorb@2.4.5, package/brotli/c: C, 24 sources) as a static library plus
//   bench/real/brotli_roundtrip.c, with the object pipeline and (when lld is there) thinlto;
// - libsass 3.5.5 (node-sass@9.0.0, package/src/libsass: C++11, 46 sources) as a shared library
//   plus bench/real/sass_driver.c, with the object pipeline.
//
// For each: the daemon is started on the extracted tree and its watcher waited for; then a full
// build, the driver (it must pass), no-op rebuilds (0 jobs), and a one-file edit that changes the
// object (a small function body), its rebuild, the driver (it must see the edit), the revert and
// its rebuild. Figures: wall time of `jmake build --json` (spawn to exit) and jmake's durationMs,
// jobsRun and the jobs by kind.
//
// `node bench/real/run.js [--quick]` runs it alone, `node bench/run.js --only=real` from the suite
// (see bench/README.md); both write bench/results/latest.{json,md} and
// bench/results/latest-<mode>-real.{json,md}. Tarballs are
// fetched with `npm pack` into a temp dir, checked against pinned sha512 integrities and cached
// in bench/work/real/ (gitignored); build trees live in temp dirs, removed at the end with their
// daemons stopped, also after a failure or Ctrl-C.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BENCH_DIR, REPO_ROOT, benchEnv, fmtMs, log, machineInfo, makeProject, makeTempDir, cleanUpOnExit, sleep, summarize, tail } from '../lib.js';

const REAL_DIR = dirname(fileURLToPath(import.meta.url));
export const CACHE_DIR = join(BENCH_DIR, 'work', 'real');

/** The npm packages the sources come from; integrity as `npm pack --json` reports it (sha512 of the .tgz). */
export const PACKAGES = {
  iltorb: {
    spec: 'iltorb@2.4.5',
    file: 'iltorb-2.4.5.tgz',
    integrity: 'sha512-EMCMl3LnnNSZJS5QrxyZmMTaAC4+TJkM5woD+xbpm9RB+mFYCr7C05GFE3TEGCsVQSVHmjX+3sf5AiwsylNInQ==',
  },
  'node-sass': {
    spec: 'node-sass@9.0.0',
    file: 'node-sass-9.0.0.tgz',
    integrity: 'sha512-yltEuuLrfH6M7Pq2gAj5B6Zm7m+gdZoG66wTqG6mIZV/zijq3M2OO2HswtT6oBspPyFhHDcaxWpsBm0fRNDHPg==',
  },
};

const BUILD_TIMEOUT_MS = 30 * 60_000;
/** Pause between saving an edit and building, as a user would (jmake syncs with its watcher anyway). */
const EDIT_SETTLE_MS = 300;

/**
 * The projects. `subdir` is the folder of the package that becomes the project root; `toml` and
 * `driver` are committed in bench/real/ and copied in (the driver to jmake-bench/). The edit
 * changes a small function body in one library source; `edited`/`original` match the driver's
 * output after the edit and after the revert.
 */
const BROTLI = {
  key: 'brotli',
  label: 'brotli 1.0.7',
  pkg: 'iltorb',
  subdir: 'package/brotli/c',
  toml: 'brotli.jmake.toml',
  pipeline: 'object',
  driver: 'brotli_roundtrip.c',
  binary: 'build/bin/brotli_roundtrip',
  library: 'build/lib/libbrotlistatic.a',
  // Round-trip a binary file and a text file of the tree besides the driver's own inputs.
  driverArgs: ['common/dictionary.bin', 'enc/encode.c'],
  driverOk: /^ALL OK$/m,
  librarySources: { dirs: ['common', 'dec', 'enc'], ext: /\.c$/ },
  // library compiles + archive, and the driver's compile + link
  fullJobs: (n) => ({ compile: n + 1, archive: 1, link: 1 }),
  edit: {
    file: 'dec/decode.c',
    what: 'dec/decode.c: BrotliDecoderVersion() returns BROTLI_VERSION + 1',
    // The package's sources have CRLF line ends.
    pattern: /(uint32_t BrotliDecoderVersion\(\) \{\r?\n[ \t]*return BROTLI_VERSION);/,
    replacement: '$1 + 1;',
    jobs: { compile: 1, archive: 1, link: 1 },
    edited: /^decoder version 1\.0\.8 /m,
    original: /^decoder version 1\.0\.7 /m,
  },
};

const CASES = [
  BROTLI,
  { ...BROTLI, key: 'brotli-thinlto', pipeline: 'thinlto', needs: 'lld' },
  {
    key: 'libsass',
    label: 'libsass 3.5.5',
    pkg: 'node-sass',
    subdir: 'package/src/libsass',
    toml: 'libsass.jmake.toml',
    pipeline: 'object',
    driver: 'sass_driver.c',
    binary: 'build/bin/sass_driver',
    library: 'build/lib/libsass.so',
    driverArgs: [],
    driverOk: /^CSS OK$/m,
    // src/*.cpp, src/memory/*.cpp and src/cencode.c, as in the toml
    librarySources: { dirs: ['src', 'src/memory'], ext: /\.cpp$/, extra: ['src/cencode.c'] },
    // library compiles + its link, and the driver's compile + link
    fullJobs: (n) => ({ compile: n + 1, link: 2 }),
    edit: {
      file: 'src/sass.cpp',
      what: 'src/sass.cpp: libsass_version() returns LIBSASS_VERSION "-jmake-edit"',
      pattern: /(const char\* ADDCALL libsass_version\(void\)\r?\n[ \t]*\{\r?\n[ \t]*return LIBSASS_VERSION);/,
      replacement: '$1 "-jmake-edit";',
      // the compile, libsass.so, and the driver (linked against the changed libsass.so)
      jobs: { compile: 1, link: 2 },
      edited: /^libsass 3\.5\.5-jmake-edit /m,
      original: /^libsass 3\.5\.5 /m,
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Fetching

function sha512Integrity(path) {
  return `sha512-${createHash('sha512').update(readFileSync(path)).digest('base64')}`;
}

/**
 * The cached tarball of a package, fetched with `npm pack` into a temp dir when it is not cached
 * (or the cached copy does not match the pinned integrity). Throws an Error that says what to do
 * when the fetch fails.
 */
export function fetchTarball(name) {
  const pkg = PACKAGES[name];
  const cached = join(CACHE_DIR, pkg.file);
  if (existsSync(cached)) {
    const actual = sha512Integrity(cached);
    if (actual === pkg.integrity) {
      log(`real: ${pkg.spec}: cached ${relative(REPO_ROOT, cached)}`);
      return cached;
    }
    log(`real: ${pkg.spec}: cached ${relative(REPO_ROOT, cached)} has integrity ${actual}, not ${pkg.integrity}; fetching it again`);
    rmSync(cached, { force: true });
  }
  const tmp = makeTempDir('fetch');
  try {
    log(`real: ${pkg.spec}: npm pack`);
    const t0 = performance.now();
    // npm gets this process's environment as it is (proxy and CA settings included).
    const result = spawnSync('npm', ['pack', pkg.spec, '--json', '--pack-destination', tmp.dir], {
      cwd: tmp.dir, encoding: 'utf8', timeout: 5 * 60_000, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const hint = `bench/real needs the npm registry (\`npm config get registry\`) to fetch ${pkg.spec}; `
      + `alternatively put ${pkg.file} (integrity ${pkg.integrity}) into ${CACHE_DIR}/ yourself`;
    if (result.error) {
      const why = result.error.code === 'ENOENT' ? 'npm is not on PATH' : result.error.code === 'ETIMEDOUT' ? 'npm pack timed out after 5 minutes' : String(result.error.message);
      throw new Error(`could not fetch ${pkg.spec}: ${why}.\n${hint}`);
    }
    if (result.status !== 0) {
      // npm's error without its stack frames: the code, the URL, the message.
      const text = (result.stderr || result.stdout).split('\n').filter((l) => !/^npm (error|ERR!)\s+at /.test(l) && l.trim() !== '');
      throw new Error(`could not fetch ${pkg.spec}: \`npm pack ${pkg.spec}\` exited with ${result.status ?? result.signal}:\n${text.slice(0, 10).join('\n')}\n${hint}`);
    }
    let filename = pkg.file;
    try {
      const parsed = JSON.parse(result.stdout);
      if (Array.isArray(parsed) && parsed[0]?.filename) filename = parsed[0].filename;
    } catch { /* older npm: the file name is the conventional one */ }
    const packed = join(tmp.dir, filename);
    if (!existsSync(packed)) throw new Error(`could not fetch ${pkg.spec}: npm pack succeeded but wrote no ${filename} into ${tmp.dir}:\n${result.stdout}\n${hint}`);
    const actual = sha512Integrity(packed);
    if (actual !== pkg.integrity) {
      throw new Error(`could not fetch ${pkg.spec}: the tarball from the registry has integrity ${actual}, expected ${pkg.integrity} (bench/real/run.js pins it); is the registry a mirror that rewrites packages?`);
    }
    mkdirSync(CACHE_DIR, { recursive: true });
    const partial = `${cached}.tmp-${process.pid}`;
    copyFileSync(packed, partial);
    renameSync(partial, cached);
    log(`real: ${pkg.spec}: fetched in ${fmtMs(performance.now() - t0)}, cached as ${relative(REPO_ROOT, cached)}`);
    return cached;
  } finally {
    tmp.remove();
  }
}

/** Extract `subdir` of a package tarball into `dest` (its contents become dest's). */
function extract(tarball, subdir, dest) {
  const depth = subdir.split('/').length;
  const result = spawnSync('tar', ['-xzf', tarball, '-C', dest, `--strip-components=${depth}`, subdir], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(`could not extract ${subdir} from ${tarball} with tar (exit ${result.status ?? result.error?.code}):\n${result.stderr}\n(delete the cached tarball to fetch it again)`);
  }
}

// ---------------------------------------------------------------------------------------------
// Building

function hasLld() {
  return ['ld.lld', 'ld.lld-14', 'ld.lld-15', 'ld.lld-16', 'ld.lld-17', 'ld.lld-18', 'ld.lld-19'].some((tool) => {
    const r = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
    return r.status === 0;
  });
}

function countSources(root, { dirs, ext, extra = [] }) {
  let n = extra.filter((f) => existsSync(join(root, f))).length;
  for (const dir of dirs) n += readdirSync(join(root, dir)).filter((f) => ext.test(f)).length;
  return n;
}

/** The jobs that ran or were restored from the compile cache (a revert's compile is), by kind. */
function byKind(jobs) {
  const out = {};
  for (const job of jobs) if (job.status === 'succeeded' || job.status === 'cached') out[job.kind] = (out[job.kind] ?? 0) + 1;
  return out;
}

/** How a build's jobs came about, for the notes: restored from the cache, run by the build the daemon started on change. */
function provenance(b) {
  const parts = [];
  if (b.cached > 0) parts.push(`${b.cached} restored from the compile cache`);
  if (b.onChange > 0) parts.push(`${b.onChange} done by the build started on change`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

function sameKinds(a, b) {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => (a[k] ?? 0) === (b[k] ?? 0));
}

function kindsText(kinds) {
  return Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(' + ') || 'none';
}

/** `jmake build --json` in the project: the parsed document, plus wall time. Throws when it fails. */
async function build(project, what) {
  const result = await project.cli(['build', '--json'], { timeoutMs: BUILD_TIMEOUT_MS });
  let doc = null;
  try { doc = JSON.parse(result.stdout); } catch { /* reported below */ }
  if (!doc || result.code !== 0 || !doc.ok) {
    const failed = (doc?.jobs ?? []).filter((j) => j.status === 'failed').map((j) => `${j.id}:\n${tail(j.log ?? '', 20)}`);
    throw new Error(`${what}: \`jmake build --json\` failed (exit ${result.code}) in ${project.root}:\n`
      + `${failed.join('\n') || tail(result.stdout, 20)}\n${tail(result.stderr, 20)}\ndaemon log:\n${tail(project.daemonLog(), 20)}`);
  }
  const compiles = doc.jobs.filter((j) => j.kind === 'compile' && j.status === 'succeeded');
  return {
    wallMs: result.ms,
    durationMs: doc.durationMs,
    jobsRun: doc.jobsRun,
    cached: doc.jobs.filter((j) => j.status === 'cached').length,
    onChange: doc.jobs.filter((j) => j.startedOnChange).length,
    kinds: byKind(doc.jobs),
    jobs: doc.jobs.map((j) => ({ id: j.id, kind: j.kind, status: j.status, durationMs: j.durationMs, reason: j.reason, startedOnChange: j.startedOnChange === true })),
    compileMsSum: compiles.reduce((s, j) => s + j.durationMs, 0),
    slowestCompile: compiles.reduce((best, j) => (best && best.durationMs >= j.durationMs ? best : j), null),
    diagnostics: countDiagnostics(doc.diagnostics ?? []),
    warnings: doc.warnings ?? [],
  };
}

function countDiagnostics(list) {
  const out = { error: 0, warning: 0, note: 0 };
  for (const d of list) out[d.severity] = (out[d.severity] ?? 0) + 1;
  return out;
}

/** Run the driver; it must exit 0 and print `ok`, and match `expect` when given. */
function runDriver(project, c, expect, what) {
  const path = join(project.root, c.binary);
  const t0 = performance.now();
  const result = spawnSync(path, c.driverArgs, { cwd: project.root, env: benchEnv(), encoding: 'utf8', timeout: 10 * 60_000 });
  const ms = performance.now() - t0;
  if (result.error || result.status !== 0 || !c.driverOk.test(result.stdout) || (expect && !expect.test(result.stdout))) {
    throw new Error(`${what}: the driver ${c.binary} ${result.error ? `could not run (${result.error.message})` : `exited with ${result.status ?? result.signal}`}`
      + `${expect && !expect.test(result.stdout) ? ` and its output does not match ${expect}` : ''}:\n${tail(result.stdout, 20)}\n${tail(result.stderr, 20)}`);
  }
  // The line the check looked at (the version line the edit changes), else the first.
  const lines = result.stdout.trim().split('\n');
  const shown = (expect && lines.find((l) => expect.test(`${l}\n`))) ?? lines[0];
  return { ms, line: shown, lines: lines.length };
}

function isBitcode(path) {
  const head = readFileSync(path).subarray(0, 4);
  return head[0] === 0x42 && head[1] === 0x43 && head[2] === 0xc0 && head[3] === 0xde;
}

async function runCase(c, base, { noopRuns }) {
  const tarball = fetchTarball(c.pkg);
  const project = makeProject(base, `real-${c.key}`);
  try {
    const root = project.root;
    extract(tarball, c.subdir, root);
    let toml = readFileSync(join(REAL_DIR, c.toml), 'utf8');
    if (c.pipeline !== 'object') {
      const replaced = toml.replace(/^pipeline = "object"$/m, `pipeline = "${c.pipeline}"`);
      if (replaced === toml) throw new Error(`bench/real/${c.toml} has no line \`pipeline = "object"\` to switch to ${c.pipeline}`);
      toml = replaced;
    }
    writeFileSync(join(root, 'jmake.toml'), toml);
    mkdirSync(join(root, 'jmake-bench'));
    copyFileSync(join(REAL_DIR, c.driver), join(root, 'jmake-bench', c.driver));
    const librarySources = countSources(root, c.librarySources);
    const expectedFull = c.fullJobs(librarySources);

    const { pid } = await project.start();
    const ready = await project.waitReady({ deadlineMs: 120_000, intervalMs: 100 });
    log(`real: ${c.key}: daemon ${pid} ready, ${ready.status.files.tracked} files tracked; full build (${librarySources} library sources, ${c.pipeline} pipeline)`);

    const full = await build(project, `${c.key}: full build`);
    log(`real: ${c.key}: full build ${fmtMs(full.wallMs)}, ${full.jobsRun} jobs (${kindsText(full.kinds)}), diagnostics ${JSON.stringify(full.diagnostics)}`);
    const driver = runDriver(project, c, c.edit.original, `${c.key}: after the full build`);
    log(`real: ${c.key}: driver OK in ${fmtMs(driver.ms)} (${driver.line})`);
    let bitcode = null;
    if (c.pipeline === 'thinlto') {
      const obj = join(root, 'build', 'obj', 'brotlistatic', `${c.edit.file}.o`);
      bitcode = isBitcode(obj);
      if (!bitcode) throw new Error(`${c.key}: ${relative(root, obj)} is not LLVM bitcode: the thinlto pipeline did not compile with -flto=thin`);
    }

    const noops = [];
    for (let i = 0; i < noopRuns; i++) noops.push(await build(project, `${c.key}: no-op rebuild ${i + 1}`));
    log(`real: ${c.key}: no-op rebuilds ${noops.map((b) => `${b.jobsRun} jobs ${fmtMs(b.wallMs)}`).join(', ')}`);

    // The edit, then the revert: each must rebuild exactly the edited source and what links it.
    const editPath = join(root, c.edit.file);
    // latin1: a byte-exact round trip whatever the encoding, so the revert restores the file exactly.
    const original = readFileSync(editPath, 'latin1');
    const matches = original.match(new RegExp(c.edit.pattern.source, 'g'))?.length ?? 0;
    if (matches !== 1) throw new Error(`${c.key}: the edit pattern ${c.edit.pattern} matches ${matches} times in ${c.edit.file}, not once`);
    const edited = original.replace(c.edit.pattern, c.edit.replacement);
    const edits = [];
    for (const [step, text, expect] of [['edit', edited, c.edit.edited], ['revert', original, c.edit.original]]) {
      writeFileSync(editPath, text, 'latin1');
      await sleep(EDIT_SETTLE_MS);
      const b = await build(project, `${c.key}: rebuild after the ${step}`);
      const d = runDriver(project, c, expect, `${c.key}: after the ${step} of ${c.edit.file}`);
      edits.push({ step, ...b, driver: d.line });
      log(`real: ${c.key}: ${step} of ${c.edit.file}: ${fmtMs(b.wallMs)}, ${b.jobsRun} jobs (${kindsText(b.kinds)}); driver: ${d.line}`);
    }
    const after = await build(project, `${c.key}: no-op after the revert`);
    noops.push(after);
    log(`real: ${c.key}: no-op after the revert: ${after.jobsRun} jobs ${fmtMs(after.wallMs)}`);

    return { key: c.key, pid, trackedFiles: ready.status.files.tracked, readyMs: ready.detectedMs, librarySources, expectedFull, full, driver, bitcode, noops, edits };
  } finally {
    project.dispose(); // stops the daemon, removes the tree
  }
}

// ---------------------------------------------------------------------------------------------
// Rows

/** ", archive 210 ms, link 600 ms": the jobs other than compiles. */
function otherJobs(b) {
  return b.jobs.filter((j) => j.kind !== 'compile' && j.status === 'succeeded').map((j) => `, ${j.kind} ${j.id.split('/').pop()} ${fmtMs(j.durationMs)}`).join('');
}

function rowsFor(c, r) {
  const name = `6. ${c.label} (${c.pipeline})`;
  const fullMet = r.full.jobsRun === Object.values(r.expectedFull).reduce((a, b) => a + b, 0) && sameKinds(r.full.kinds, r.expectedFull);
  const noopWall = summarize(r.noops.map((b) => b.wallMs));
  const noopMet = r.noops.every((b) => b.jobsRun === 0);
  const editWall = summarize(r.edits.map((b) => b.wallMs));
  // Ran or restored: a revert's compile may come from the cache (it compiled that content before).
  const editMet = r.edits.every((b) => sameKinds(b.kinds, c.edit.jobs) && b.jobsRun + b.cached === Object.values(c.edit.jobs).reduce((a, n) => a + n, 0));
  const diag = r.full.diagnostics;
  const slowest = r.full.slowestCompile;
  return [
    {
      scenario: `${name}: full build`, runs: 1, unit: 'ms',
      median: r.full.wallMs, min: r.full.wallMs, max: r.full.wallMs,
      target: `${kindsText(r.expectedFull)}`, ratio: null, met: fullMet,
      notes: `jobsRun ${r.full.jobsRun} (${kindsText(r.full.kinds)}); jmake durationMs ${fmtMs(r.full.durationMs)}; `
        + `compiles sum ${fmtMs(r.full.compileMsSum)}${otherJobs(r.full)}, slowest ${slowest ? `${slowest.id.split('/').slice(-2).join('/')} ${fmtMs(slowest.durationMs)}` : '—'}; `
        + `${diag.warning} warnings, ${diag.error} errors; driver OK (${r.driver.line})`
        + `${r.bitcode ? '; objects are LLVM bitcode (-flto=thin), archive by llvm-ar, link by lld' : ''}; `
        + `daemon ready with ${r.trackedFiles} files tracked`,
    },
    {
      scenario: `${name}: no-op rebuild`, runs: r.noops.length, unit: 'ms',
      median: noopWall.median, min: noopWall.min, max: noopWall.max,
      target: '0 jobs', ratio: null, met: noopMet,
      notes: `jobsRun ${r.noops.map((b) => b.jobsRun).join(', ')}; jmake durationMs ${r.noops.map((b) => fmtMs(b.durationMs)).join(', ')} (the rest is the client); the last one after the edit was reverted`,
    },
    {
      scenario: `${name}: one-file edit rebuild`, runs: r.edits.length, unit: 'ms',
      median: editWall.median, min: editWall.min, max: editWall.max,
      target: kindsText(c.edit.jobs), ratio: null, met: editMet,
      notes: `${c.edit.what}, then reverted; jobsRun ${r.edits.map((b) => b.jobsRun).join(', ')}; `
        + r.edits.map((b) => `${b.step}: ${fmtMs(b.wallMs)} (jmake's request ${fmtMs(b.durationMs)}; jobs ${b.jobs.map((j) => `${j.kind} ${fmtMs(j.durationMs)}${j.status === 'cached' ? ' cached' : ''}`).join(', ')}${provenance(b)}), driver "${b.driver}"`).join('; '),
    },
  ];
}

/** The scenario, as bench/run.js calls it. */
export async function benchReal({ base, quick = false }) {
  const noopRuns = quick ? 2 : 3;
  const lld = hasLld();
  const rows = [];
  const failures = [];
  const details = { cacheDir: relative(REPO_ROOT, CACHE_DIR), packages: PACKAGES, noopRuns, cases: {}, skipped: [] };
  for (const c of CASES) {
    if (c.needs === 'lld' && !lld) {
      details.skipped.push({ case: c.key, why: 'ld.lld is not installed' });
      log(`real: ${c.key}: skipped, ld.lld is not installed`);
      continue;
    }
    if (quick && c.pipeline !== 'object') {
      details.skipped.push({ case: c.key, why: '--quick' });
      continue;
    }
    const t0 = performance.now();
    try {
      const r = await runCase(c, base, { noopRuns });
      details.cases[c.key] = { ...r, durationMs: performance.now() - t0 };
      rows.push(...rowsFor(c, r));
    } catch (err) {
      // One project failing does not stop the others; the scenario fails at the end.
      log(`real: ${c.key} FAILED: ${err?.stack ?? err}`);
      failures.push(err);
      details.cases[c.key] = { durationMs: performance.now() - t0, error: err?.stack ?? String(err) };
      rows.push({ scenario: `6. ${c.label} (${c.pipeline})`, error: String(err?.message ?? err) });
    }
  }
  if (failures.length > 0) {
    const err = new Error(`${failures.length} of the real-code builds failed:\n${failures.map((e) => e?.message ?? e).join('\n\n')}`);
    err.partial = { rows, details }; // bench/run.js reports these rows (the failed ones as FAILED)
    throw err;
  }
  return { rows, details };
}

// ---------------------------------------------------------------------------------------------
// Standalone: node bench/real/run.js [--quick]

async function main() {
  const { writeResults } = await import('../report.js');
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  if (argv.some((a) => a !== '--quick')) {
    process.stderr.write('usage: node bench/real/run.js [--quick]\n');
    process.exit(2);
  }
  if (!existsSync(join(REPO_ROOT, 'dist', 'client.cjs'))) {
    process.stderr.write('bench: dist/client.cjs is missing; run `npm run build`\n');
    process.exit(2);
  }
  const cleanup = cleanUpOnExit(log);
  const started = performance.now();
  const machine = machineInfo();
  const mode = quick ? 'quick' : 'full';
  const results = { mode, only: ['real'], machine, startedAt: machine.date, durationMs: 0, rows: [], scenarios: {}, failures: [] };
  const base = makeTempDir('real');
  try {
    const { rows, details } = await benchReal({ base: base.dir, quick });
    results.rows.push(...rows);
    results.scenarios.real = { durationMs: performance.now() - started, ...details };
  } catch (err) {
    const message = err?.stack ?? String(err);
    log(`real FAILED: ${message}`);
    results.failures.push({ scenario: 'real', error: message });
    if (err?.partial) results.rows.push(...err.partial.rows);
    else results.rows.push({ scenario: '6. Real code', error: String(err?.message ?? err) });
    results.scenarios.real = { durationMs: performance.now() - started, ...(err?.partial?.details ?? {}), error: message };
  } finally {
    cleanup();
  }
  results.durationMs = performance.now() - started;
  results.machine.loadAverageAtEnd = loadavg().map((x) => Math.round(x * 100) / 100);
  // The same files as `node bench/run.js --only=real`.
  const written = writeResults(['latest', `latest-${mode}-real`], results);
  log(`done in ${(results.durationMs / 1000).toFixed(1)} s; wrote ${written.map((p) => relative(REPO_ROOT, p)).join(', ')}`);
  if (results.failures.length > 0) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    process.stderr.write(`bench: ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  });
}
