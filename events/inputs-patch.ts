/**
 * A big job's inputs recorded as what changed since its previous record. Pure.
 *
 * A link of 10k objects reads 10k [path, hash] pairs; after a one-file edit, one hash differs from
 * its last run. Writing the whole list again cost ~580 KB of log and 13–28 ms of the daemon's time
 * (encode, checksum, append, fold) on every edit. So a job-finished record may carry, instead of
 * the list, a patch: the seq of the job's previous job-finished record, and the new hash at each
 * index that changed. The paths are the same list in the same order; anything else is written in
 * full.
 *
 * Every reader of the log folds patches the same way (`applyInputs`): the reducer, `jmake why`
 * and compaction, which writes a kept patch out in full when the record it patches is dropped, so
 * the log alone still rebuilds the state. A patch whose base is not the job's previous record (a
 * damaged log) yields LOST_INPUTS: an input that never exists, so the job runs again.
 */

export type InputList = readonly (readonly [string, string])[];

export interface InputsPatch {
  /** The seq of the job's previous job-finished record, whose list this changes. */
  readonly since: number;
  /** [index in that list, the new hash]. */
  readonly changed: readonly (readonly [number, string])[];
}

/** What a job-finished record carries: the list, or a patch of the previous one. */
export type RecordedInputs = InputList | InputsPatch;

/** The job's previous record as a base: its seq and its full list. */
export interface InputsBase {
  readonly seq: number;
  readonly inputs: InputList;
}

/** Below this many inputs (every compile) the list is written as it is. */
export const PATCH_MIN_INPUTS = 64;

/** Stands for the inputs of a record whose base is missing: the path never exists, so the job runs again. */
export const LOST_INPUTS: InputList = Object.freeze([Object.freeze(['(jmake: the earlier record of this job is not in the log)', 'lost'] as const)]);

export function isPatch(inputs: RecordedInputs): inputs is InputsPatch {
  return !Array.isArray(inputs);
}

/**
 * `next` as a patch of `base` when it reads the same paths in the same order and at most a quarter
 * of the hashes changed; else `next`. (Indexed, not destructured: this runs once per link, too
 * rarely for V8 to optimise it, and unoptimised destructuring goes through an iterator per pair:
 * 3–6 ms for 10k pairs here, ~0.5 ms indexed.)
 */
export function diffInputs(base: InputsBase | undefined, next: InputList): RecordedInputs {
  if (!base || next.length < PATCH_MIN_INPUTS || base.inputs.length !== next.length) return next;
  const changed: [number, string][] = [];
  const most = next.length >> 2;
  const before = base.inputs;
  for (let i = 0; i < next.length; i++) {
    const pair = next[i]!;
    const was = before[i]!;
    if (pair === was) continue; // the job's own pair from its last record (Builder.inputsOf)
    if (was[0] !== pair[0]) return next;
    if (was[1] !== pair[1]) {
      if (changed.length === most) return next;
      changed.push([i, pair[1]]);
    }
  }
  return { since: base.seq, changed };
}

/** The full list a record stands for, given the job's previous record (undefined: none). */
export function applyInputs(base: InputsBase | undefined, inputs: RecordedInputs): InputList {
  if (!isPatch(inputs)) return inputs;
  if (!base || base.seq !== inputs.since || !Array.isArray(inputs.changed)) return LOST_INPUTS;
  const list = [...base.inputs]; // (slice() takes a slow path on a frozen array: ~1 ms for 10k here)
  for (const change of inputs.changed) {
    const index = change[0];
    const hash = change[1];
    const entry = Number.isInteger(index) ? list[index] : undefined;
    if (entry === undefined || typeof hash !== 'string') return LOST_INPUTS;
    list[index] = [entry[0], hash];
  }
  return list;
}

/**
 * Follows job-finished records in log order and gives each one's full list: for readers that walk
 * the log (compaction, `jmake why`).
 */
export class InputsFolder {
  private readonly last = new Map<string, InputsBase>();

  /** The full list of `job`'s record `seq`; it becomes the base of that job's next record. */
  fold(job: string, seq: number, inputs: RecordedInputs): InputList {
    const full = applyInputs(this.last.get(job), inputs);
    this.last.set(job, { seq, inputs: full });
    return full;
  }
}
