/**
 * Replace a file so that a reader sees the old content or the new, never half of either: write a
 * temp file on the same file system, then rename it over the target.
 */
import { renameSync, writeFileSync } from 'node:fs';

export interface AtomicWriteOptions {
  /** Where the temp file goes (same file system as `path`); default: beside it. */
  readonly tmp?: string;
  readonly mode?: number;
}

export function writeFileAtomic(path: string, text: string, options: AtomicWriteOptions = {}): void {
  const tmp = options.tmp ?? `${path}.${process.pid}.jmake-tmp`;
  writeFileSync(tmp, text, options.mode === undefined ? undefined : { mode: options.mode });
  renameSync(tmp, path);
}
