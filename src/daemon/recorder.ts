/**
 * The recorder is the only writer of history: it appends events to the log, folds them into the
 * state, tells subscribers, and decides when to fsync, snapshot and compact.
 *
 * - `record()` appends first and applies second, so the state never holds an unwritten fact and
 *   a client is answered only after its event is in the file.
 * - `recordAfterReply()` is for records no answer depends on (a build that ran nothing): they are
 *   recorded at the end of the current task, after the reply, or as soon as anything records,
 *   reads the state or reads history, so no one ever sees the log or the state without them.
 * - fsync: at once for durable events (config changes, daemon stop), right after the reply for the
 *   end of a build that ran jobs, otherwise within FSYNC_DELAY_MS of the append (group commit).
 * - Snapshot: when SNAPSHOT_EVERY events accumulated, written once the daemon has been quiet for
 *   a moment (or, if it never is, SNAPSHOT_MAX_DEFER_MS later); always at shutdown.
 * - Compaction: when dead records dominate the log (see `needsCompaction`), it keeps the latest
 *   record of every file and every job held in the state, the toolchain in use, every config event,
 *   the last build's start and end, and the last `keepRecent` records. A kept job-finished that
 *   patches a dropped record's inputs is written out whole (`keepingPatchesWhole`).
 */
import { rmSync } from 'node:fs';
import type { LogRecord } from '../../events/codec.js';
import { InputsFolder, isPatch } from '../../events/inputs-patch.js';
import type { EventLog, Page, PageQuery } from '../../events/log.js';
import { upcast } from '../../events/upcast.js';
import { writeSnapshot } from '../../events/snapshot.js';
import type { JmakeEvent, NewEvent } from '../../events/types.js';
import { applyEvents } from '../state/reducer.js';
import { fileRecordSeqs, jobRecordSeqs } from '../state/selectors.js';
import { serializeState } from '../state/serialize.js';
import { STATE_VERSION, type ProjectState } from '../state/state.js';
import type { Logger } from './logger.js';

const FSYNC_DELAY_MS = 1000;
const SNAPSHOT_EVERY = 10_000;
const SNAPSHOT_QUIET_MS = 2000;
/** A daemon that is never quiet for SNAPSHOT_QUIET_MS (a watcher and steady edits) snapshots after this anyway. */
const SNAPSHOT_MAX_DEFER_MS = 30_000;
const COMPACT_MIN_BYTES = 8 * 1024 * 1024;

export type Subscriber = (events: readonly JmakeEvent[]) => void;

export interface RecordOptions {
  readonly durable?: boolean | 'soon';
}

export interface RecorderOptions {
  readonly snapshotPath: string;
  /** Compaction keeps at least this many of the newest records ([daemon] keep_recent_events). */
  readonly keepRecent: () => number;
  readonly clock: () => number;
  readonly logger: Logger;
  /** Records in the log at open (the snapshot's count plus the replayed tail). */
  readonly logRecords: number;
}

export class Recorder {
  private _state: ProjectState;
  private readonly subscribers = new Set<Subscriber>();
  private fsyncTimer: NodeJS.Timeout | null = null;
  private syncImmediate: NodeJS.Immediate | null = null;
  private snapshotTimer: NodeJS.Timeout | null = null;
  /** When the pending snapshot was first due (null: none pending). */
  private snapshotDueSince: number | null = null;
  private sinceSnapshot = 0;
  private logRecords: number;
  private closed = false;
  private _writeError: string | null = null;
  /** Records held by `recordAfterReply`, in order, and the immediate that records them. */
  private held: { readonly events: readonly NewEvent[]; readonly options: RecordOptions }[] = [];
  private heldCount = 0;
  private heldImmediate: NodeJS.Immediate | null = null;

  constructor(private readonly log: EventLog, state: ProjectState, private readonly options: RecorderOptions) {
    this._state = state;
    this.logRecords = options.logRecords;
  }

  get state(): ProjectState {
    if (this.heldCount > 0) this.recordHeld();
    return this._state;
  }
  get logBytes(): number {
    if (this.heldCount > 0) this.recordHeld();
    return this.log.size;
  }
  /** The seq the next recorded event gets (a build's id is its build-started's seq), held records counted. */
  get nextSeq(): number { return this.log.lastSeq + 1 + this.heldCount; }
  /** Why the last append, fsync or snapshot failed (a full or read-only disk); null once one succeeds again. */
  get writeError(): string | null { return this._writeError; }

  /**
   * Append, apply, notify. Throws a JmakeError if the log cannot be written (state unchanged).
   * `durable`: true fsyncs before returning; 'soon' right after the current task (the reply to the
   * request goes out first: the fsync of a build's records cost a few ms here, and a record lost
   * to a power cut only makes its job run again); otherwise within FSYNC_DELAY_MS.
   */
  record(events: readonly NewEvent[], options: RecordOptions = {}): JmakeEvent[] {
    if (events.length === 0 || this.closed) return [];
    if (this.heldCount > 0) this.recordHeld(); // they keep their place, and the seqs nextSeq gave them
    let recorded: JmakeEvent[];
    try {
      recorded = this.log.append(events, this.options.clock());
    } catch (err) {
      this.noteWriteError(err);
      throw err;
    }
    this._writeError = null;
    this._state = applyEvents(this._state, recorded);
    this.logRecords += recorded.length;
    this.sinceSnapshot += recorded.length;
    if (options.durable === true) this.sync();
    else if (options.durable === 'soon') this.syncSoon();
    else this.scheduleSync();
    if (this.sinceSnapshot >= SNAPSHOT_EVERY) this.scheduleSnapshot();
    for (const subscriber of this.subscribers) {
      try {
        subscriber(recorded);
      } catch (err) {
        this.options.logger.log('daemon', `subscriber failed: ${(err as Error).stack ?? String(err)}`);
      }
    }
    return recorded;
  }

  /**
   * `record`, at the end of the current task: a reply sent meanwhile goes out first. For records
   * no answer depends on; a no-op build's pair cost ~0.15 ms of its request here (encode, append,
   * fold). Anything that records, reads the state or reads history before then records them
   * first, in order, so they get the seqs `nextSeq` said. A crash in between loses them; a failed
   * append is logged, not thrown at whoever looked.
   */
  recordAfterReply(events: readonly NewEvent[], options: RecordOptions = {}): void {
    if (events.length === 0 || this.closed) return;
    this.held.push({ events, options });
    this.heldCount += events.length;
    this.heldImmediate ??= setImmediate(() => {
      this.heldImmediate = null;
      this.recordHeld();
    });
  }

  /** History from the file, for `jmake events` (bounded pages; see EventLog.readPage). */
  readPage(query: PageQuery): Page {
    if (this.heldCount > 0) this.recordHeld();
    return this.log.readPage(query);
  }

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  sync(): void {
    if (this.fsyncTimer) { clearTimeout(this.fsyncTimer); this.fsyncTimer = null; }
    try {
      this.log.sync();
    } catch (err) {
      this.noteWriteError(err);
      throw err;
    }
  }

  snapshot(): void {
    if (this.heldCount > 0) this.recordHeld();
    if (this.snapshotTimer) { clearTimeout(this.snapshotTimer); this.snapshotTimer = null; }
    this.log.sync(); // a snapshot must never be ahead of durable history
    const started = Date.now();
    const bytes = writeSnapshot(this.options.snapshotPath, {
      seq: this._state.lastSeq,
      offset: this.log.size,
      stateVersion: STATE_VERSION,
      state: { ...serializeState(this._state), logRecords: this.logRecords },
    });
    this.sinceSnapshot = 0;
    this.snapshotDueSince = null;
    this.options.logger.log('log', `snapshot at seq ${this._state.lastSeq}: ${bytes} bytes in ${Date.now() - started}ms`);
  }

  /** Dead records dominate: more than twice what compaction would keep, and the file is big. */
  needsCompaction(): boolean {
    const live = this._state.fileCount + this._state.jobCount + this.options.keepRecent();
    return this.log.size >= COMPACT_MIN_BYTES && this.logRecords > 2 * live;
  }

  compact(): void {
    const state = this.state;
    const keepSeqs = fileRecordSeqs(state);
    for (const seq of jobRecordSeqs(state)) keepSeqs.add(seq);
    if (state.toolchain) keepSeqs.add(state.toolchain.seq);
    const lastBuild = state.builds.last?.build ?? Number.POSITIVE_INFINITY;
    const recentFloor = state.lastSeq - this.options.keepRecent();
    const started = Date.now();
    // The old snapshot's offsets describe the old file: remove it first, so a crash before the new
    // one is written means a full replay, never a snapshot read against the wrong layout.
    rmSync(this.options.snapshotPath, { force: true });
    const kept = (r: LogRecord) => keepSeqs.has(r.seq) || r.type.startsWith('config-') || r.seq > recentFloor || r.seq === state.lastSeq
      || (r.seq >= lastBuild && (r.type === 'build-started' || r.type === 'build-finished'));
    const result = this.log.compact(keepingPatchesWhole(kept));
    this.logRecords = result.recordsAfter;
    this.options.logger.log('log',
      `compacted: ${result.recordsBefore} -> ${result.recordsAfter} records, ${result.bytesBefore} -> ${result.bytesAfter} bytes in ${Date.now() - started}ms`);
    this.snapshot(); // offsets changed: the old snapshot no longer fits
  }

  close(): void {
    if (this.closed) return;
    if (this.heldCount > 0) this.recordHeld();
    if (this.fsyncTimer) clearTimeout(this.fsyncTimer);
    if (this.syncImmediate) clearImmediate(this.syncImmediate);
    if (this.snapshotTimer) clearTimeout(this.snapshotTimer);
    this.closed = true;
    try {
      this.snapshot();
    } catch (err) {
      // The log is the truth: without a snapshot the next start replays it, so closing goes on.
      this.noteWriteError(err);
      this.options.logger.log('log', `snapshot at shutdown failed: ${(err as Error).message}`);
    }
    this.log.close();
  }

  private recordHeld(): void {
    const held = this.held;
    this.held = [];
    this.heldCount = 0;
    if (this.heldImmediate) { clearImmediate(this.heldImmediate); this.heldImmediate = null; }
    for (const { events, options } of held) {
      try {
        this.record(events, options);
      } catch (err) {
        this.options.logger.log('log', `cannot record ${events.map((e) => e.type).join(', ')}: ${(err as Error).message}`);
      }
    }
  }

  private noteWriteError(err: unknown): void {
    this._writeError = err instanceof Error ? err.message : String(err);
  }

  private syncSoon(): void {
    if (this.syncImmediate) return;
    this.syncImmediate = setImmediate(() => {
      this.syncImmediate = null;
      if (this.closed) return;
      try { this.sync(); } catch (err) { this.options.logger.log('log', `fsync failed: ${(err as Error).message}`); }
    });
  }

  private scheduleSync(): void {
    if (this.fsyncTimer) return;
    this.fsyncTimer = setTimeout(() => {
      this.fsyncTimer = null;
      try { this.sync(); } catch (err) { this.options.logger.log('log', `fsync failed: ${(err as Error).message}`); }
    }, FSYNC_DELAY_MS);
    this.fsyncTimer.unref();
  }

  private scheduleSnapshot(): void {
    const now = Date.now();
    this.snapshotDueSince ??= now;
    // Wait for a quiet moment, but not for ever: steady activity must not starve snapshots.
    const overdue = now - this.snapshotDueSince >= SNAPSHOT_MAX_DEFER_MS;
    if (this.snapshotTimer && overdue) return; // already set to fire at once
    if (this.snapshotTimer) clearTimeout(this.snapshotTimer);
    this.snapshotTimer = setTimeout(() => {
      this.snapshotTimer = null;
      try {
        if (this.needsCompaction()) this.compact(); else this.snapshot();
      } catch (err) {
        this.noteWriteError(err);
        this.options.logger.log('log', `snapshot failed: ${(err as Error).message}`);
        this.snapshotDueSince = Date.now(); // try again after a full wait, not on every record
      }
    }, overdue ? 0 : SNAPSHOT_QUIET_MS);
    this.snapshotTimer.unref();
  }
}

/**
 * Compaction's choice, with each kept job-finished record that patches a dropped one written out
 * in full (events/inputs-patch.ts): the compacted log alone still rebuilds every job's inputs.
 */
function keepingPatchesWhole(kept: (record: LogRecord) => boolean): (record: LogRecord) => boolean | JmakeEvent {
  const folder = new InputsFolder();
  const keptSeqs = new Set<number>();
  return (record) => {
    const keep = kept(record);
    if (record.type !== 'job-finished') return keep;
    const upcasted = upcast(record);
    if (!upcasted.ok || upcasted.event.type !== 'job-finished') return keep;
    const { event } = upcasted;
    const inputs = folder.fold(event.data.job, event.seq, event.data.inputs);
    if (!keep) return false;
    keptSeqs.add(event.seq);
    return isPatch(event.data.inputs) && !keptSeqs.has(event.data.inputs.since) ? { ...event, data: { ...event.data, inputs } } : true;
  };
}
