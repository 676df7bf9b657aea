/**
 * ProjectState <-> plain JSON for snapshots. Files become compact tuples
 * `[path, hash|null, size, mtime, ino, seq]` (a 100k-file snapshot stays a few MB); jobs become
 * `[id, record]` pairs.
 */
import { emptyShards, initialState, shardIn, shardsOf, type FileRecord, type JobRecord, type ProjectState } from './state.js';
import { freeze } from 'immer';
import type { MutableState } from './reducer.js';

type FileTuple = [string, string | null, number, number, number, number];

export interface SerializedState extends Omit<ProjectState, 'files' | 'jobs'> {
  readonly files: FileTuple[];
  readonly jobs: [string, JobRecord][];
}

export function serializeState(state: ProjectState): SerializedState {
  const files: FileTuple[] = [];
  for (const shard of shardsOf(state.files)) {
    for (const [path, r] of shard) files.push([path, r.hash, r.size, r.mtime, r.ino, r.seq]);
  }
  const jobs: [string, JobRecord][] = [];
  for (const shard of shardsOf(state.jobs)) for (const entry of shard) jobs.push(entry);
  return { ...state, files, jobs };
}

/** A private, writable state rebuilt from a snapshot (publish it with `freezeState`). */
export function deserializeState(data: SerializedState): MutableState {
  const shards = emptyShards<FileRecord>();
  for (const [path, hash, size, mtime, ino, seq] of data.files) {
    shardIn(shards, path).set(path, { hash, size, mtime, ino, seq });
  }
  const jobShards = emptyShards<JobRecord>();
  for (const [id, record] of data.jobs) shardIn(jobShards, id).set(id, record);
  // `data` comes fresh from JSON.parse: private and writable already.
  // `queued` is newer than some snapshots.
  return { ...data, queued: data.queued ?? null, files: shards, jobs: jobShards } as MutableState;
}

/** A private, writable deep copy of the empty state. */
export function thawInitialState(): MutableState {
  return initialState() as MutableState;
}

/** Publish a rebuilt state: deep-freeze it so later changes go through immer. */
export function freezeState(state: MutableState): ProjectState {
  return freeze(state as ProjectState, true);
}
