/** Read-only queries over ProjectState. */
import { shardIn, shardsOf, type FileRecord, type JobRecord, type ProjectState } from './state.js';

export function getFile(state: ProjectState, path: string): FileRecord | undefined {
  const record = shardIn(state.files, path).get(path);
  return record && record.hash !== null ? record : undefined;
}

/** Live files, in no particular order. */
export function* liveFiles(state: ProjectState): Generator<[string, FileRecord]> {
  for (const shard of shardsOf(state.files)) {
    for (const entry of shard) if (entry[1].hash !== null) yield entry;
  }
}

/** Seqs of the records a compaction must keep for the files: the latest one of every path held. */
export function fileRecordSeqs(state: ProjectState): Set<number> {
  const seqs = new Set<number>();
  for (const shard of shardsOf(state.files)) for (const record of shard.values()) seqs.add(record.seq);
  return seqs;
}

export function getJob(state: ProjectState, id: string): JobRecord | undefined {
  return shardIn(state.jobs, id).get(id);
}

export function* allJobs(state: ProjectState): Generator<[string, JobRecord]> {
  for (const shard of shardsOf(state.jobs)) yield* shard;
}

/** Seqs a compaction must keep for the jobs: each job's last outcome. */
export function jobRecordSeqs(state: ProjectState): Set<number> {
  const seqs = new Set<number>();
  for (const shard of shardsOf(state.jobs)) for (const record of shard.values()) seqs.add(record.seq);
  return seqs;
}

/** Where a job stands in the running build: 'running', 'queued', or undefined (not in it, or done with it). */
export function jobPhase(state: ProjectState, id: string): 'queued' | 'running' | undefined {
  const inFlight = state.inFlight[id];
  if (inFlight !== undefined) return inFlight;
  const queued = state.queued;
  if (queued === null || !queued.jobs.includes(id)) return undefined;
  if (getJob(state, id)?.build === queued.build || state.skipped[id] === queued.build) return undefined;
  return 'queued';
}
