/**
 * Start-up: rebuild the state from the snapshot (if it fits) plus the log's tail, and recover a
 * torn tail. Replay runs the reducer on a private copy and publishes it frozen once at the end.
 */
import { EventLog, type Recovery } from '../../events/log.js';
import { readSnapshot } from '../../events/snapshot.js';
import type { JmakeEvent } from '../../events/types.js';
import { upcast } from '../../events/upcast.js';
import type { ProjectPaths } from '../project/paths.js';
import { reduceInto } from '../state/reducer.js';
import { deserializeState, freezeState, thawInitialState, type SerializedState } from '../state/serialize.js';
import { STATE_VERSION, type ProjectState } from '../state/state.js';
import type { Logger } from './logger.js';

export interface History {
  readonly log: EventLog;
  readonly state: ProjectState;
  readonly recovery: Recovery | null;
  readonly logRecords: number;
  readonly replayed: number;
  readonly fromSnapshot: boolean;
  readonly skipped: number;
  readonly durationMs: number;
}

type SnapshotState = SerializedState & { logRecords?: number };

const REPLAY_BATCH = 4096;

export function openHistory(paths: ProjectPaths, clock: () => number, logger: Logger): History {
  const started = performance.now();
  const snap = readSnapshot<SnapshotState>(paths.snapshot, STATE_VERSION);
  if (!snap.ok && snap.reason !== 'no snapshot') logger.log('log', `snapshot ignored: ${snap.reason}`);
  let state = snap.ok ? deserializeState(withoutLogRecords(snap.snapshot.state)) : thawInitialState();
  let skipped = 0;
  const skipReasons = new Set<string>();
  let batch: JmakeEvent[] = [];
  const onRecord = (record: Parameters<typeof upcast>[0]) => {
    const result = upcast(record);
    if (!result.ok) {
      skipped++;
      if (skipReasons.size < 5) skipReasons.add(result.reason);
      return;
    }
    batch.push(result.event);
    if (batch.length >= REPLAY_BATCH) { reduceInto(state, batch); batch = []; }
  };
  const resumeAt = snap.ok ? { offset: snap.snapshot.offset, seq: snap.snapshot.seq } : undefined;
  const onStart = (resumed: boolean) => {
    if (!snap.ok || resumed) return;
    // The snapshot does not describe this log (it was replaced, or cut below the snapshot): the
    // records now come from the first one, so fold them into an empty state instead.
    logger.log('log', 'snapshot does not fit the log; replaying the whole log');
    state = thawInitialState();
  };
  const opened = EventLog.open({ path: paths.eventLog, resumeAt, onStart, onRecord, now: clock });
  reduceInto(state, batch);
  const fromSnapshot = snap.ok && opened.resumed;
  const snapshotRecords = fromSnapshot ? (snap.snapshot.state.logRecords ?? 0) : 0;
  if (skipped > 0) logger.log('log', `${skipped} records of unknown or newer types were kept but not applied: ${[...skipReasons].join('; ')}`);
  const published = freezeState(state);
  const durationMs = performance.now() - started;
  return {
    log: opened.log,
    state: published,
    recovery: opened.recovery,
    logRecords: snapshotRecords + opened.recordsRead,
    replayed: opened.recordsRead,
    fromSnapshot,
    skipped,
    durationMs,
  };
}

function withoutLogRecords(state: SnapshotState): SerializedState {
  const { logRecords: _ignored, ...rest } = state;
  return rest;
}
