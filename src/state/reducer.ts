/**
 * The pure reducer: state' = apply(state, events). No I/O, no clock: times come inside events.
 * Events are applied in batches, one immer `produce` per batch (a produce per event on a large
 * state costs milliseconds; see docs/architecture.md), except a build's own events (below).
 */
import { enableMapSet, freeze, isDraft, original, produce, type Draft } from 'immer';
import { applyInputs } from '../../events/inputs-patch.js';
import type { FileFacts, JmakeEvent } from '../../events/types.js';
import { SHARD_GROUP, shardIn, shardOf, type FileRecord, type JobRecord, type JobShard, type ProjectState } from './state.js';

enableMapSet();

/** A state that may be written: an immer draft, or a private copy being rebuilt at start-up. */
export type MutableState = Draft<ProjectState>;

/**
 * Apply events to a published (frozen) state. A batch of a build's own events (its start and
 * finish, its jobs' starts and finishes) is folded on copies of what it writes (`foldOnCopies`);
 * any other batch through one immer produce.
 */
export function applyEvents(state: ProjectState, events: readonly JmakeEvent[]): ProjectState {
  if (events.length === 0) return state;
  if (events.every((event) => COPIED_WRITES.has(event.type))) return foldOnCopies(state, events);
  return produce(state, (draft) => reduceInto(draft, events));
}

/**
 * Event types whose recipe (applyEvent) writes in place only into what `copyWhatItWrites` copies
 * for it; what else it writes, it replaces at the top level.
 */
const COPIED_WRITES: ReadonlySet<JmakeEvent['type']> = new Set(['build-started', 'build-finished', 'job-started', 'job-finished', 'jobs-queued']);

/**
 * The recipe without immer, for the events of every job: the same writes on private copies of the
 * few objects they change, all else shared, then frozen. Through immer, the fold was ~11 % of the
 * daemon's CPU samples in a forced 1k gcc build (perf), ~5 points of it immer's own bookkeeping;
 * a no-op build's pair took 62 us hot (130 us over 200 folds) on a 10k-file state, here 6-7 us (14-16).
 */
function foldOnCopies(state: ProjectState, events: readonly JmakeEvent[]): ProjectState {
  const next = { ...state } as MutableState;
  const copies = new Set<object>();
  for (const event of events) {
    if (event.seq <= next.lastSeq) continue; // already folded (snapshot overlap)
    copyWhatItWrites(next, event, copies);
    applyEvent(next, event);
  }
  return deepFrozen(next as ProjectState); // stops at what is frozen already: the shared part
}

/** Replace each object `event`'s recipe writes into by a copy (once per fold: `copies`). */
function copyWhatItWrites(next: MutableState, event: JmakeEvent, copies: Set<object>): void {
  const own = <K extends 'builds' | 'changes' | 'inFlight' | 'skipped'>(key: K) => {
    if (copies.has(next[key])) return;
    next[key] = { ...next[key] };
    copies.add(next[key]);
  };
  switch (event.type) {
    case 'build-started':
    case 'build-finished':
      own('builds');
      own('changes');
      return;
    case 'job-started':
      own('inFlight');
      return;
    case 'job-finished':
      if (event.data.job in next.inFlight) own('inFlight');
      if (event.data.job in next.skipped) own('skipped');
      ownShard(next, event.data.job, copies);
      return;
    default:
      return;
  }
}

/** Copy the path to the job shard of `id`: the table, its group, the shard (a few dozen records). */
function ownShard(next: MutableState, id: string, copies: Set<object>): void {
  const shard = shardOf(id);
  const g = Math.floor(shard / SHARD_GROUP);
  const i = shard % SHARD_GROUP;
  if (!copies.has(next.jobs)) copies.add((next.jobs = [...next.jobs]));
  const groups = next.jobs as Draft<JobShard>[][];
  if (!copies.has(groups[g]!)) copies.add((groups[g] = [...groups[g]!]));
  if (!copies.has(groups[g]![i]!)) copies.add((groups[g]![i] = new Map(groups[g]![i]!)));
}

/**
 * The recipe itself. `applyEvents` runs it on an immer draft; start-up replay runs it on a private,
 * not yet published copy (thawState) and freezes once at the end, because immer's per-write
 * bookkeeping costs ~11 us an event and a replay may hold a million.
 */
export function reduceInto(target: MutableState, events: readonly JmakeEvent[]): void {
  for (const event of events) applyEvent(target, event);
}

function applyEvent(draft: Draft<ProjectState>, event: JmakeEvent): void {
  if (event.seq <= draft.lastSeq) return; // already folded (snapshot overlap)
  draft.lastSeq = event.seq;
  switch (event.type) {
    case 'file-added':
    case 'file-changed':
      setFile(draft, event.data, event.seq);
      return;
    case 'file-removed':
      removeFile(draft, event.data.path, event.seq);
      return;
    case 'config-loaded':
    case 'config-changed':
      draft.config = { hash: event.data.hash, values: event.data.config as Draft<Record<string, unknown>>, seq: event.seq, error: null };
      return;
    case 'config-invalid':
      draft.config.hash = event.data.hash;
      draft.config.seq = event.seq;
      draft.config.error = { ...event.data.error };
      return;
    case 'daemon-started':
      draft.daemon = {
        instance: event.data.instance, pid: event.data.pid, version: event.data.version,
        startedAt: event.time, stoppedAt: null,
      };
      return;
    case 'daemon-stopped':
      if (draft.daemon && draft.daemon.instance === event.data.instance) draft.daemon.stoppedAt = event.time;
      return;
    case 'watcher-rescan':
      draft.watcher.rescans++;
      draft.watcher.lastRescan = { seq: event.seq, reason: event.data.reason, changed: event.data.changed };
      return;
    case 'watcher-overflow':
      draft.watcher.overflows++;
      return;
    case 'log-recovered':
      draft.logRecoveries++;
      return;
    case 'toolchain-detected':
      draft.toolchain = { hash: event.data.hash, family: event.data.family, llvmMajor: event.data.llvmMajor, tools: event.data.tools, seq: event.seq };
      return;
    case 'build-started':
      draft.builds.running = event.seq;
      draft.changes.buildStartSeq = event.seq;
      draft.changes.sinceBuildStart = 0;
      return;
    case 'jobs-queued': {
      const { build, jobs } = event.data;
      draft.queued = draft.queued?.build === build ? { build, jobs: [...draft.queued.jobs, ...jobs] } : { build, jobs: [...jobs] };
      return;
    }
    case 'job-started':
      draft.inFlight[event.data.job] = 'running';
      return;
    case 'job-finished': {
      const d = event.data;
      const shard = shardIn(draft.jobs, d.job);
      const previous = settled(shard.get(d.job));
      if (!previous) draft.jobCount++;
      const record: JobRecord = deepFrozen({
        kind: d.kind, status: d.status, key: d.key, tool: d.tool, argvHash: d.argvHash, inputs: applyInputs(previous, d.inputs),
        output: d.output, diagnostics: d.diagnostics, seq: event.seq, build: d.build,
        exitCode: d.exitCode, durationMs: d.durationMs, error: d.status === 'failed' ? errorTail(d.log) : null,
      });
      shard.set(d.job, record as Draft<JobRecord>);
      if (d.job in draft.skipped) delete draft.skipped[d.job];
      if (d.job in draft.inFlight) delete draft.inFlight[d.job];
      return;
    }
    case 'jobs-skipped':
      for (const job of event.data.jobs) draft.skipped[job] = event.data.build;
      return;
    case 'config-completed':
      draft.completionJobs = event.data.jobs as Draft<ProjectState['completionJobs']>;
      return;
    case 'outputs-removed':
      for (const job of event.data.jobs) {
        if (shardIn(draft.jobs, job).delete(job)) draft.jobCount--;
      }
      return;
    case 'build-finished': {
      const d = event.data;
      if (Object.keys(draft.inFlight).length > 0) draft.inFlight = {};
      if (draft.queued !== null) draft.queued = null;
      draft.builds.count++;
      draft.builds.running = null;
      draft.builds.last = { ...d, finishedAt: event.time };
      if (draft.changes.buildStartSeq !== null) {
        draft.changes.baseSeq = draft.changes.buildStartSeq;
        draft.changes.count = draft.changes.sinceBuildStart;
      }
      draft.changes.buildStartSeq = null;
      draft.changes.sinceBuildStart = 0;
      return;
    }
    default:
      // Types from a newer jmake are kept in the log and ignored here.
      return;
  }
}

function setFile(draft: Draft<ProjectState>, facts: FileFacts, seq: number): void {
  const shard = shardIn(draft.files, facts.path);
  const previous = shard.get(facts.path);
  if (!previous || previous.hash === null) {
    draft.fileCount++;
    draft.fileSetSeq = seq;
  }
  countChange(draft, previous, seq);
  const record: FileRecord = { hash: facts.hash, size: facts.size, mtime: facts.mtime, ino: facts.ino, seq };
  shard.set(facts.path, record);
}

function removeFile(draft: Draft<ProjectState>, path: string, seq: number): void {
  const shard = shardIn(draft.files, path);
  const previous = shard.get(path);
  if (!previous || previous.hash === null) return;
  draft.fileCount--;
  draft.fileSetSeq = seq;
  countChange(draft, previous, seq);
  // Keep a tombstone while the removal is newer than the last build, so a re-add is not counted twice.
  shard.set(path, { hash: null, size: 0, mtime: 0, ino: 0, seq });
}

function countChange(draft: Draft<ProjectState>, previous: FileRecord | undefined, seq: number): void {
  const { changes } = draft;
  const alreadyCounted = previous !== undefined && previous.seq > changes.baseSeq;
  if (!alreadyCounted && seq > changes.baseSeq) changes.count++;
  if (changes.buildStartSeq !== null && !(previous !== undefined && previous.seq > changes.buildStartSeq)) changes.sinceBuildStart++;
}

/** The last lines of a failed job's output, enough to say why (bounded: the state keeps it per job). */
function errorTail(log: string): string {
  const text = log.replace(/\u001b\[[0-9;]*m/g, '').trimEnd();
  const lines = text.split('\n');
  const tail = lines.slice(-5).join('\n');
  return tail.length > 500 ? tail.slice(-500) : tail;
}

/**
 * Frozen before it enters the draft: immer then neither walks it looking for drafts nor freezes it
 * itself. A link's record holds one [path, hash] pair per object; immer's two walks over them cost
 * ~2 ms a link at 1k sources (measured), a plain freeze a tenth of that.
 */
/**
 * A record as it is, not an immer draft of it: reading a 10k-input list through a draft would make
 * a draft of every pair.
 */
function settled(record: Draft<JobRecord> | undefined): JobRecord | undefined {
  return record !== undefined && isDraft(record) ? original(record) as JobRecord : record as JobRecord | undefined;
}

/**
 * Freeze `value` and what it holds, stopping at what is frozen already. A Map is frozen as immer
 * freezes one (its set and delete throw). By hand rather than immer's deep `freeze`, which walks
 * the same objects at several times the cost, cold (a no-op's fold runs a few times a second).
 */
function deepFrozen<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    if (value instanceof Map) {
      for (const member of value.values()) deepFrozen(member);
      return freeze(value);
    }
    if (Array.isArray(value)) for (let i = 0; i < value.length; i++) deepFrozen(value[i]); // a link's 10k inputs: no copy
    else for (const member of Object.values(value)) deepFrozen(member);
    Object.freeze(value);
  }
  return value;
}
