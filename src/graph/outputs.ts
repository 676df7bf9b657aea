/**
 * The files a recorded job owns, which `jmake clean` and the removal of stale outputs delete. Pure.
 *
 * A build job's id is its output path: the output, its depfile, its temp file and its previous
 * output moved aside, both in the temp folder beside it (the aside is removed right after the new
 * output is in place; left only by a crash between the two renames). `jmake clean` then removes
 * the temp folders (Builder.clean). A user job's id is the name it was given in `[[jobs]]`
 * (`gen`, `gen.py`), not a path: what it owns is the output recorded when it last ran, never a
 * file that happens to carry its name.
 */
import type { JobKindName } from '../../events/types.js';
import { asidePathOf, tempPathOf } from './plan.js';

export function ownedFiles(id: string, kind: JobKindName, recordedOutput: string | null): string[] {
  if (kind === 'job') return recordedOutput ? [recordedOutput] : [];
  return [id, `${id}.d`, tempPathOf(id), asidePathOf(id)];
}
