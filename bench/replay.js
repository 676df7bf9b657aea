// Scenario 2: start-up replay of a 1,000,000-event log over 100k files.
// (a) no snapshot: openHistory replays the whole log;
// (b) with the snapshot the Recorder wrote 10k events before the end: snapshot + 10k-event tail.
// Every measurement is a fresh node process (cold heap); (a) and (b) alternate run by run.
// Both project dirs share the same log file (a hard link), so they replay identical bytes.
import { linkSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fmtBytes, log, makeTempDir, runJsonChild, summarize } from './lib.js';

export async function benchReplay({ quick }) {
  const events = 1_000_000;
  const files = 100_000;
  const tail = 10_000;
  const runs = quick ? 1 : 3;
  const tmp = makeTempDir('replay');
  try {
    const withSnapshot = join(tmp.dir, 'with-snapshot');
    const noSnapshot = join(tmp.dir, 'no-snapshot');
    log(`replay: generating ${events.toLocaleString('en-US')} events over ${files.toLocaleString('en-US')} files`);
    const gen = await runJsonChild('replay-gen.js', [withSnapshot, events, files, tail], { timeoutMs: 300_000 });
    log(`replay: log ${fmtBytes(gen.logBytes)} written in ${(gen.ms / 1000).toFixed(1)} s; snapshot at seq ${gen.snapshot.atSeq}`);
    mkdirSync(join(noSnapshot, '.jmake'), { recursive: true });
    linkSync(join(withSnapshot, '.jmake', 'events.log'), join(noSnapshot, '.jmake', 'events.log'));

    const full = [];
    const snap = [];
    for (let i = 0; i < runs; i++) {
      // Alternate which one goes first.
      const order = i % 2 === 0 ? ['full', 'snap'] : ['snap', 'full'];
      for (const which of order) {
        const root = which === 'full' ? noSnapshot : withSnapshot;
        const result = await runJsonChild('replay-measure.js', [root], { timeoutMs: 300_000 });
        const expectReplayed = which === 'full' ? events : tail;
        if (result.replayed !== expectReplayed || result.fromSnapshot !== (which === 'snap') || result.lastSeq !== events || result.fileCount !== files) {
          throw new Error(`unexpected replay result (${which}): ${JSON.stringify(result)}`);
        }
        (which === 'full' ? full : snap).push(result);
        log(`replay: ${which === 'full' ? 'full replay' : 'snapshot + tail'} run ${i + 1}: ${result.ms.toFixed(0)} ms (process ${result.wallMs.toFixed(0)} ms)`);
      }
    }
    const digests = new Set([...full, ...snap].map((r) => r.digest));
    const sameState = digests.size === 1;
    const fullStats = summarize(full.map((r) => r.ms));
    const snapStats = summarize(snap.map((r) => r.ms));
    const wall = (list) => summarize(list.map((r) => r.wallMs)).median;
    const peak = (list) => Math.max(...list.map((r) => r.maxRssBytes));
    const note = `${(events / 1e6).toFixed(0)}M events, ${files / 1000}k files, log ${fmtBytes(gen.logBytes)}`;
    const rows = [
      {
        scenario: '2a. Replay 1M events, no snapshot (openHistory)', runs, unit: 'ms',
        median: fullStats.median, min: fullStats.min, max: fullStats.max,
        target: '≤ 10 s', ratio: fullStats.median / 10_000, met: fullStats.median <= 10_000,
        notes: `${note}; whole process ${fmtMsS(wall(full))}; peak RSS ${fmtBytes(peak(full))}`,
      },
      {
        scenario: '2b. Start with snapshot + 10k-event tail (openHistory)', runs, unit: 'ms',
        median: snapStats.median, min: snapStats.min, max: snapStats.max,
        target: '≤ 2 s', ratio: snapStats.median / 2_000, met: snapStats.median <= 2_000,
        notes: `snapshot ${fmtBytes(snapshotBytes(gen))}; whole process ${fmtMsS(wall(snap))}; peak RSS ${fmtBytes(peak(snap))}; state digest ${sameState ? 'identical to full replay' : 'DIFFERS from full replay'}`,
      },
    ];
    return {
      rows,
      details: {
        events, files, tail, runs,
        generation: gen,
        full: full.map(strip), snapshot: snap.map(strip),
        sameState,
        // openHistory's own durationMs stops before the final deep freeze of the state; `ms` includes it.
        historyDurationMs: { full: summarize(full.map((r) => r.durationMs)).median, snapshot: summarize(snap.map((r) => r.durationMs)).median },
      },
    };
  } finally {
    tmp.remove();
  }
}

function snapshotBytes(gen) {
  const m = /: (\d+) bytes/.exec(gen.recorderLog?.[0] ?? '');
  return m ? Number(m[1]) : NaN;
}

function fmtMsS(ms) {
  return `${(ms / 1000).toFixed(2)} s`;
}

function strip(result) {
  const { messages, ...rest } = result;
  return rest;
}
