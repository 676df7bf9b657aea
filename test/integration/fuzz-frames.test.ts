/**
 * Bad frames (reliability suite, item 4), the quick run: 2,000 frames from a seeded fuzzing client
 * while a well-behaved client keeps asking for status (harness: test/helpers/fuzz-frames.ts; the
 * full 10,000 frames are in test/stress/fuzz-frames.stress.test.ts). JMAKE_TEST_SEED replays a run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { disposeAll } from '../helpers/project.js';
import { runFrameFuzz } from '../helpers/fuzz-frames.js';

describe('bad frames from a fuzzing client (quick)', () => {
  afterEach((ctx) => disposeAll(ctx));

  it('the daemon answers a well-behaved client throughout, refuses each bad frame as documented, and its memory comes back', async () => {
    const seed = Number(process.env.JMAKE_TEST_SEED ?? 20261130);
    const report = await runFrameFuzz({ seed, frames: 2000, workers: 4, statusDeadlineMs: 5000, verbose: true });
    expect(report.frames).toBeGreaterThanOrEqual(2000);
    expect(report.refusedConnections).toBeGreaterThan(50);
  }, 90_000);
});
