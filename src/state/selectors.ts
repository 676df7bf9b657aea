/** Read-only queries over ProjectState. */
import { shardOf, type FileRecord, type JobRecord, type ProjectState } from './state.js';

export function getFile(state: ProjectState, path: string): FileRecord | undefined {
  const record = state.files[shardOf(path)]!.get(path);
  return record && record.hash !== null ? record : undefined;
}

/** Live files, in no particular order. */
export function* liveFiles(state: ProjectState): Generator<[string, FileRecord]> {
  for (const shard of state.files) {
    for (const entry of shard) if (entry[1].hash !== null) yield entry;
  }
}

/** Seqs of the records a compaction must keep for the files: the latest one of every path held. */
export function fileRecordSeqs(state: ProjectState): Set<number> {
  const seqs = new Set<number>();
  for (const shard of state.files) for (const record of shard.values()) seqs.add(record.seq);
  return seqs;
}

export function getJob(state: ProjectState, id: string): JobRecord | undefined {
  return state.jobs[shardOf(id)]!.get(id);
}

export function* allJobs(state: ProjectState): Generator<[string, JobRecord]> {
  for (const shard of state.jobs) yield* shard;
}

/** Seqs a compaction must keep for the jobs: each job's last outcome. */
export function jobRecordSeqs(state: ProjectState): Set<number> {
  const seqs = new Set<number>();
  for (const shard of state.jobs) for (const record of shard.values()) seqs.add(record.seq);
  return seqs;
}
