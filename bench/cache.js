// Scenario 9: the compile cache. The 1k-source synthetic project (bench/build.js's generator),
// built by ninja from clean (its full build, the yardstick), then by jmake with the cache on:
//   - fill: jmake's first build into an empty cache (every compile runs, and is stored);
//   - after `jmake clean`: every compile restored, the link run;
//   - a second checkout: the same sources copied elsewhere, its own daemon, the same cache.
// Target (issue 8 of 8): a clean build from the cache ≥ 10 × faster than ninja's full build.
// Every build's program is run and checked (bench/build.js's checksum).
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Model, checkBinary, jmakeToml, layout, ninjaFile, runTimed, writeSources } from './build.js';
import { BIN, NODE, benchEnv, log, makeProject, summarize } from './lib.js';

const SOURCES = 1000;
const JOBS = 2;
const TARGET_SPEEDUP = 10;


export async function benchCache({ base, quick }) {
  const rounds = quick ? 2 : 3;
  const model = new Model(SOURCES);
  const lay = layout(SOURCES);
  const first = makeProject(base, 'cache-a');
  const second = makeProject(base, 'cache-b');
  const cacheDir = join(base, 'cache-shared');
  for (const p of [first, second]) p.env.JMAKE_CACHE_DIR = cacheDir;
  const ninjaRoot = join(base, 'cache-ninja');
  const t0 = performance.now();
  try {
    writeSources(first.root, model);
    writeFileSync(join(first.root, 'jmake.toml'), jmakeToml({ cache: true }));
    for (const dir of ['src', 'include']) {
      cpSync(join(first.root, dir), join(second.root, dir), { recursive: true });
      cpSync(join(first.root, dir), join(ninjaRoot, dir), { recursive: true });
    }
    writeFileSync(join(second.root, 'jmake.toml'), jmakeToml({ cache: true }));
    for (const p of [first, second]) {
      await p.start();
      await p.waitReady({ deadlineMs: 60_000, intervalMs: 100 });
    }
    const tools = JSON.parse(first.cliSync(['tools', '--json']).stdout);
    writeFileSync(join(ninjaRoot, 'build.ninja'), ninjaFile(tools.chosen.cc.path, lay));

    const jmakeBuild = async (p, what, wantCached) => {
      const r = await runTimed(NODE, [BIN, 'build', '-j', String(JOBS), '--json'], { cwd: p.root, env: p.env, timeoutMs: 900_000, stdoutFile: join(p.dir, 'out.json') });
      const json = JSON.parse(r.stdout);
      const cached = json.jobs.filter((j) => j.status === 'cached').length;
      if (r.code !== 0 || !json.ok) throw new Error(`jmake build (${what}) failed (exit ${r.code}):\n${r.stderr.slice(-2000)}`);
      if (wantCached !== null && cached !== wantCached) throw new Error(`jmake build (${what}) restored ${cached} compiles, expected ${wantCached}`);
      checkBinary(p.root, model.checksum(), `jmake ${what}`);
      return { ms: r.ms, cached, jobsRun: json.jobsRun };
    };

    const fill = await jmakeBuild(first, 'into an empty cache', 0);
    log(`cache: fill (every compile runs and is stored): ${(fill.ms / 1000).toFixed(1)} s`);
    const samples = { ninja: [], afterClean: [], otherCheckout: [] };
    for (let round = 0; round < rounds; round++) {
      rmSync(join(ninjaRoot, 'build'), { recursive: true, force: true });
      const ninja = await runTimed('ninja', ['-j', String(JOBS)], { cwd: ninjaRoot, env: benchEnv(), timeoutMs: 900_000 });
      if (ninja.code !== 0) throw new Error(`ninja failed:\n${ninja.stdout.slice(-2000)}`);
      checkBinary(ninjaRoot, model.checksum(), 'ninja full build');
      samples.ninja.push(ninja.ms);

      if (first.cliSync(['clean']).status !== 0) throw new Error('jmake clean failed');
      samples.afterClean.push((await jmakeBuild(first, 'after jmake clean', lay.objects.length)).ms);
      if (second.cliSync(['clean']).status !== 0) throw new Error('jmake clean (second checkout) failed');
      samples.otherCheckout.push((await jmakeBuild(second, 'in a second checkout', lay.objects.length)).ms);
      log(`cache: round ${round + 1}/${rounds}: ninja full ${(ninja.ms / 1000).toFixed(1)} s, jmake after clean ${(samples.afterClean.at(-1) / 1000).toFixed(2)} s, second checkout ${(samples.otherCheckout.at(-1) / 1000).toFixed(2)} s`);
    }
    const pick = (list) => { const s = summarize(list); return { median: s.median, min: s.min, max: s.max }; };
    const ninja = pick(samples.ninja);
    const row = (scenario, values, notes) => {
      const s = pick(values);
      const speedup = ninja.median / s.median;
      return { scenario, runs: rounds, unit: 'ms', ...s, target: `≥ ${TARGET_SPEEDUP} × faster than ninja's full build`, ratio: s.median / ninja.median, met: speedup >= TARGET_SPEEDUP, notes: `${speedup.toFixed(1)} × faster than ninja's full build; ${notes}` };
    };
    const rows = [
      { scenario: `9. ninja full build, ${SOURCES} sources, -j ${JOBS} (the yardstick)`, runs: rounds, unit: 'ms', ...ninja, target: null, ratio: 1, met: null, notes: 'rm -rf build, then ninja' },
      { scenario: '9. jmake build into an empty cache (fill)', runs: 1, unit: 'ms', median: fill.ms, min: fill.ms, max: fill.ms, target: null, ratio: fill.ms / ninja.median, met: null, notes: `every compile runs and is stored; ${fill.jobsRun} jobs` },
      row('9. jmake build after `jmake clean`, from the cache', samples.afterClean, `${lay.objects.length} compiles restored, the link run`),
      row('9. jmake build in a second checkout, from the cache', samples.otherCheckout, 'the same sources at another path, its own daemon, the same cache'),
    ];
    log(`cache: done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    return { rows, details: { sources: SOURCES, jobs: JOBS, samples, fillMs: fill.ms } };
  } finally {
    for (const p of [first, second]) p.cliSync(['daemon', 'stop']);
  }
}
