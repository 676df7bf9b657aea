// Child of scenario 2: write a log of EVENTS realistic file events over FILES files into
// <root>/.jmake/events.log through EventLog.append (batches of 10k), fold them while writing, and
// when TAIL events are left, take a snapshot exactly as the daemon does (Recorder.snapshot()).
// Usage: node replay-gen.js <root> <events> <files> <tail>
import { mkdirSync } from 'node:fs';
import { EventLog } from '../dist/events/log.js';
import { Recorder } from '../dist/src/daemon/recorder.js';
import { projectPaths } from '../dist/src/project/paths.js';
import { reduceInto } from '../dist/src/state/reducer.js';
import { freezeState, thawInitialState } from '../dist/src/state/serialize.js';
import { fileFacts, mulberry32 } from './synthetic.js';

const [root, eventsArg, filesArg, tailArg] = process.argv.slice(2);
const total = Number(eventsArg);
const files = Number(filesArg);
const tail = Number(tailArg);
const BATCH = 10_000;

const started = performance.now();
const paths = projectPaths(root);
mkdirSync(paths.stateDir, { recursive: true });
const { log } = EventLog.open({ path: paths.eventLog });
const random = mulberry32(42);
let state = thawInitialState();
const baseTime = Date.UTC(2026, 10, 1);
let written = 0;
let snapshotInfo = null;
const snapshotAt = total - tail;
const logger = { messages: [], log(tag, message) { this.messages.push(`[${tag}] ${message}`); } };

while (written < total) {
  // Never let a batch straddle the snapshot point.
  const limit = written < snapshotAt ? snapshotAt : total;
  const n = Math.min(BATCH, limit - written);
  const batch = [];
  for (let i = 0; i < n; i++) {
    const k = written + i;
    if (k < files) {
      // The first start: every file of the tree is added once.
      batch.push({ type: 'file-added', data: fileFacts(k, 0, random) });
    } else {
      // Then edits, uniformly spread over the tree.
      const f = Math.floor(random() * files);
      batch.push({ type: 'file-changed', data: fileFacts(f, k, random) });
    }
  }
  const time = baseTime + written; // one batch, one append time (as the daemon does)
  const recorded = log.append(batch, time);
  if (written < snapshotAt) reduceInto(state, recorded);
  written += n;
  if (written === snapshotAt && snapshotInfo === null) {
    const t0 = performance.now();
    const frozen = freezeState(state);
    const recorder = new Recorder(log, frozen, {
      snapshotPath: paths.snapshot, keepRecent: () => 10_000, clock: Date.now, logger, logRecords: written,
    });
    recorder.snapshot(); // fsync the log, then write snapshot.json (tmp + fsync + rename)
    snapshotInfo = { atSeq: frozen.lastSeq, offset: log.size, ms: performance.now() - t0, fileCount: frozen.fileCount };
    state = null; // the tail is only written, not folded
  }
}
log.close();
process.stdout.write(`${JSON.stringify({
  events: written, files, tail, logBytes: log.size, lastSeq: log.lastSeq, snapshot: snapshotInfo,
  recorderLog: logger.messages, ms: performance.now() - started, maxRssBytes: process.resourceUsage().maxRSS * 1024,
})}\n`);
