// Child of scenario 3: live event apply on a state tracking FILES files. The state is built the
// way start-up builds it (reduceInto on a private copy, then frozen once); then EVENTS single
// file-changed events (uniformly random tracked files) go through applyEvents(state, [event]) one by
// one, as the Recorder does for a live edit, each timed alone. WARMUP events before are not counted.
// Usage: node apply-child.js <files> <events> <warmup>
import { applyEvents, reduceInto } from '../dist/src/state/reducer.js';
import { freezeState, thawInitialState } from '../dist/src/state/serialize.js';
import { fileFacts, mulberry32 } from './synthetic.js';

const [files, count, warmup] = process.argv.slice(2).map(Number);
const random = mulberry32(7);
const time = Date.UTC(2026, 10, 1);
let seq = 0;

const buildStarted = performance.now();
const draft = thawInitialState();
const initial = [];
for (let k = 0; k < files; k++) initial.push({ seq: ++seq, time, type: 'file-added', data: fileFacts(k, 0, random) });
reduceInto(draft, initial);
let state = freezeState(draft);
initial.length = 0;
const buildMs = performance.now() - buildStarted;

const samples = [];
for (let i = 0; i < warmup + count; i++) {
  const k = Math.floor(random() * files);
  const event = { seq: ++seq, time: time + i, type: 'file-changed', data: fileFacts(k, seq, random) };
  const t0 = process.hrtime.bigint();
  state = applyEvents(state, [event]);
  const t1 = process.hrtime.bigint();
  if (i >= warmup) samples.push(Number(t1 - t0) / 1e6);
}
if (state.fileCount !== files || state.lastSeq !== seq) throw new Error(`bad state: ${state.fileCount} files, seq ${state.lastSeq}`);
if (!Object.isFrozen(state) || !Object.isFrozen(state.files[0])) throw new Error('state not frozen');

process.stdout.write(`${JSON.stringify({ files, count, warmup, buildMs, samplesMs: samples })}\n`);
