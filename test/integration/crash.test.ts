/**
 * kill -9 at random moments of a build: of the daemon, of a compiler it runs, of the client.
 * After each, the next build succeeds and its outputs are byte-identical to a clean build's. A few
 * trials here; `npm run stress` runs 100 (test/stress/crash.stress.test.ts). JMAKE_TEST_SEED
 * replays a run.
 */
import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { createProject, disposeAll } from '../helpers/project.js';
import { build } from '../helpers/build.js';
import { FIXTURE_SOURCES, TARGETS, crashTrial, noBuildOnChange, seeded } from '../helpers/crash.js';

afterEach((context) => disposeAll(context));

describe('kill -9 during a build', () => {
  it('of the daemon, a compiler or the client: the next build matches a clean build byte for byte', async () => {
    const seed = Number(process.env.JMAKE_TEST_SEED ?? 20261129);
    onTestFailed(() => { process.stderr.write(`crash test seed: ${seed} (JMAKE_TEST_SEED=${seed} replays it)\n`); });
    const random = seeded(seed);
    const p = await createProject('hello');
    noBuildOnChange(p);
    expect((await build(p)).ok).toBe(true);
    const outcomes = [];
    for (const [trial, target] of TARGETS.entries()) outcomes.push(await crashTrial(p, FIXTURE_SOURCES.hello, random, trial + 1, target));
    // Each kind was really exercised (the build was still running when the kill came).
    expect(outcomes.filter((o) => o.killed).map((o) => o.target)).toEqual([...TARGETS]);
    expect(outcomes.find((o) => o.target === 'compiler')!.clientExit).toBe(1);
  }, 180_000);
});
