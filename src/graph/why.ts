/**
 * Why did a job run? Compares each recorded run of a job (its job-finished events) with the one
 * before: the first difference in tool, command line or an input's content is the reason. Pure.
 */
import type { InputList } from '../../events/inputs-patch.js';
import type { EventDataByType } from '../../events/types.js';

/** A job-finished record with its full input list (a recorded patch applied). */
export type FinishedRun = Omit<EventDataByType['job-finished'], 'inputs'> & { readonly inputs: InputList };

export function reasonBetween(previous: FinishedRun | null, run: FinishedRun): string {
  if (!previous) return 'never built before';
  if (previous.status !== 'succeeded') return 'failed the time before';
  if (previous.tool !== run.tool) return 'the tool changed';
  if (previous.argvHash !== run.argvHash) return 'the command line changed';
  const before = new Map(previous.inputs);
  for (const [path, hash] of run.inputs) {
    const old = before.get(path);
    if (old === undefined) return `new input ${path}`;
    if (old !== hash) return `input ${path} changed (${old.slice(0, 12)} -> ${hash.slice(0, 12)})`;
  }
  const now = new Set(run.inputs.map(([p]) => p));
  const gone = previous.inputs.find(([p]) => !now.has(p));
  if (gone) return `input ${gone[0]} is no longer read`;
  return 'its output was missing or modified, or the build was forced';
}
