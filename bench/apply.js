// Scenario 3: live apply of single events at 100k tracked files (see apply-child.js).
import { runJsonChild, summarize } from './lib.js';

export async function benchApply() {
  const files = 100_000;
  const count = 2_000;
  const warmup = 50;
  const result = await runJsonChild('apply-child.js', [files, count, warmup], { timeoutMs: 120_000 });
  const s = summarize(result.samplesMs);
  return {
    rows: [
      {
        scenario: '3. Live apply, 1 event at 100k files (applyEvents)', runs: count, unit: 'ms',
        median: s.median, min: s.min, max: s.max, p99: s.p99,
        target: 'median ≤ 1 ms', ratio: s.median / 1, met: s.median <= 1,
        notes: `p99 ${fmtUs(s.p99)}, p90 ${fmtUs(s.p90)}, mean ${fmtUs(s.mean)}; file-changed on random tracked files, ${warmup} warm-up events not counted`,
      },
    ],
    details: { files, count, warmup, stateBuildMs: result.buildMs, stats: s, samplesMs: result.samplesMs },
  };
}

function fmtUs(ms) {
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`;
}
