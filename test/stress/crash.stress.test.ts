/**
 * The stress version of test/integration/crash.test.ts: 100 kill -9 trials (daemon, compiler,
 * client in turn) on one project, each followed by the check against a clean build. Bounded: it
 * stops after 100 trials or 25 minutes, whichever comes first, and says how many it ran.
 */
import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { createProject, disposeAll } from '../helpers/project.js';
import { build } from '../helpers/build.js';
import { FIXTURE_SOURCES, TARGETS, crashTrial, noBuildOnChange, seeded, type TrialOutcome } from '../helpers/crash.js';

afterEach((context) => disposeAll(context));

const TRIALS = Number(process.env.JMAKE_STRESS_TRIALS ?? 100);
const BUDGET_MS = 25 * 60_000;

describe('kill -9 stress', () => {
  it(`${TRIALS} trials: every next build matches a clean build byte for byte`, async () => {
    const seed = Number(process.env.JMAKE_TEST_SEED ?? Date.now() % 1_000_000);
    onTestFailed(() => { process.stderr.write(`crash stress seed: ${seed} (JMAKE_TEST_SEED=${seed} replays it)\n`); });
    const random = seeded(seed);
    const p = await createProject('multi');
    noBuildOnChange(p);
    expect((await build(p)).ok).toBe(true);
    const started = Date.now();
    const outcomes: TrialOutcome[] = [];
    for (let trial = 1; trial <= TRIALS && Date.now() - started < BUDGET_MS; trial++) {
      outcomes.push(await crashTrial(p, FIXTURE_SOURCES.multi, random, trial, TARGETS[(trial - 1) % TARGETS.length]!));
    }
    const summary = TARGETS.map((t) => {
      const of = outcomes.filter((o) => o.target === t);
      return `${t}: ${of.length} trials, ${of.filter((o) => o.killed).length} killed mid-build`;
    }).join('; ');
    process.stdout.write(`crash stress (seed ${seed}): ${outcomes.length} trials in ${Math.round((Date.now() - started) / 1000)} s; ${summary}; leftover temp files seen: ${outcomes.reduce((n, o) => n + o.leftoverTemps, 0)}\n`);
    expect(outcomes.length).toBeGreaterThanOrEqual(Math.min(TRIALS, 30));
  }, 30 * 60_000);
});
