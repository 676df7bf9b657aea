/**
 * Why a build does not start: the errors `jmake validate` reports for jmake.toml, word for word
 * (file:line:column, message, and the hint below each), so a build and validate never disagree
 * about what is wrong. Warnings never stop a build.
 *
 * validate.ts is the stricter reader: it checks every key against the schema (output paths inside
 * the project, names that become file names, [daemon] values, [[jobs]] entries), where
 * build-config.ts reads what the planner needs and takes a bad value for its default.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { JmakeError } from '../errors.js';
import { formatFinding, validateConfig, type Finding } from './validate.js';

export const REFUSAL_HINT = 'fix jmake.toml (`jmake validate` lists every problem)';

/** The last text checked and its errors: a build checks the same text again until the file changes. */
let last: { text: string; errors: readonly Finding[] } | null = null;

/** The errors in `text` (the content of `file`, an absolute path), as one JmakeError; null when there are none. */
export function configRefusal(text: string, file: string): JmakeError | null {
  if (last?.text !== text) {
    // Input paths that do not exist are warnings: no need to look at the disk.
    const errors = validateConfig(text, file, dirname(file), () => true).filter((f) => f.severity === 'error');
    last = { text, errors };
  }
  if (last.errors.length === 0) return null;
  return new JmakeError('config-invalid', last.errors.map((f) => formatFinding(file, f)).join('\n'), 2, REFUSAL_HINT);
}

/** The same, for the file as it is on disk now (the daemon's copy did not parse); null when it cannot be read or has no error. */
export function configRefusalOnDisk(file: string): JmakeError | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  return configRefusal(text, file);
}
