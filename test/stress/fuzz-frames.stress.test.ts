/**
 * Bad frames, the full run (reliability suite, item 4): 10,000 malformed, truncated, oversized,
 * wrongly typed and random frames from a fuzzing client, while a well-behaved client keeps asking
 * for status; the same harness and checks as the quick run in
 * test/integration/fuzz-frames.test.ts (test/helpers/fuzz-frames.ts), with the figures printed: frames per kind, the
 * well-behaved client's latency, what the daemon holds after a full collection before and after,
 * and its RSS (baseline, peak, after).
 * Bounded: it stops after 10,000 frames. A random seed each run unless JMAKE_TEST_SEED is set;
 * the seed is printed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { disposeAll } from '../helpers/project.js';

import { runFrameFuzz } from '../helpers/fuzz-frames.js';

afterEach((ctx) => disposeAll(ctx));

describe('bad frames from a fuzzing client (stress)', () => {
  it('10,000 frames: the daemon answers a well-behaved client throughout, refuses each bad frame as documented, and its memory comes back', async () => {
    const seed = Number(process.env.JMAKE_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
    process.stdout.write(`fuzz-frames stress seed: ${seed} (JMAKE_TEST_SEED=${seed} reproduces the frames)\n`);
    const report = await runFrameFuzz({ seed, frames: 10_000, workers: 4, statusDeadlineMs: 5000, verbose: true });
    expect(report.frames).toBeGreaterThanOrEqual(10_000);
    expect(report.frames).toBeLessThan(10_200);
    expect(report.refusedConnections).toBeGreaterThan(500);
  }, 15 * 60_000);
});
