/**
 * What the builder needs to know about files the watcher does not track, and about outputs:
 * - External inputs (system headers, sibling checkouts, untracked generated files): their content
 *   hash, re-checked by stat once per build (a few hundred stats) and re-hashed when changed.
 * - Outputs: trusted while the watcher reports nothing under them; otherwise (and once after the
 *   daemon starts) stat'ed, and hashed if the stat differs from what the job recorded.
 */
import { statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { OutputFacts } from '../../events/types.js';
import type { OutputState } from '../graph/decide.js';
import type { Hasher } from '../util/hash.js';

interface StatFacts {
  readonly size: number;
  readonly mtime: number;
  readonly ino: number;
}

export class ExternalFiles {
  private readonly known = new Map<string, StatFacts & { hash: string | null }>();
  private checkedInBuild = new Set<string>();

  constructor(private readonly root: string, private readonly hasher: Hasher) {}

  /** Forget which files were checked: the next lookups stat again. Call at the start of a build. */
  newBuild(): void {
    this.checkedInBuild = new Set();
  }

  /**
   * Stat again (once per build) and say whether the content changed since the last look. A file
   * seen for the first time counts as unchanged: the job that read it recorded its hash.
   */
  changed(path: string): boolean {
    const abs = isAbsolute(path) ? path : join(this.root, path);
    const before = this.known.get(abs);
    const now = this.hash(path);
    return before !== undefined && before.hash !== now;
  }

  /** Content hash now, or null when the file is missing. */
  hash(path: string): string | null {
    const abs = isAbsolute(path) ? path : join(this.root, path);
    const cached = this.known.get(abs);
    if (cached && this.checkedInBuild.has(abs)) return cached.hash;
    this.checkedInBuild.add(abs);
    let st;
    try {
      st = statSync(abs);
    } catch {
      this.known.set(abs, { size: -1, mtime: -1, ino: -1, hash: null });
      return null;
    }
    if (cached && cached.hash !== null && cached.size === st.size && cached.mtime === st.mtimeMs && cached.ino === st.ino) return cached.hash;
    let hash: string | null;
    try {
      hash = this.hasher.hashFileSync(abs, st.size);
    } catch {
      hash = null;
    }
    this.known.set(abs, { size: st.size, mtime: st.mtimeMs, ino: st.ino, hash });
    return hash;
  }
}

export class OutputChecker {
  /** Output id -> seq of the record last verified against the disk. */
  private readonly verified = new Map<string, number>();

  constructor(private readonly root: string, private readonly hasher: Hasher) {}

  /** The watcher saw something under an output dir. */
  touched(path: string): void {
    this.verified.delete(path);
  }

  /** Check every output on disk again. */
  forgetAll(): void {
    this.verified.clear();
  }

  /** A job just wrote this output: it is what the record says. */
  written(path: string, seq: number): void {
    this.verified.set(path, seq);
  }

  state(path: string, recorded: OutputFacts | null, recordSeq: number): OutputState {
    if (!recorded) return 'missing';
    if (this.verified.get(path) === recordSeq) return 'ok';
    const facts = outputFacts(join(this.root, path), this.hasher, recorded);
    if (!facts) return 'missing';
    if (facts.hash !== recorded.hash) return 'modified';
    this.verified.set(path, recordSeq);
    return 'ok';
  }
}

/** Stat and hash an output; with `known`, an unchanged stat skips the hashing. */
export function outputFacts(abs: string, hasher: Hasher, known?: OutputFacts): Omit<OutputFacts, 'path'> | null {
  let st;
  try {
    st = statSync(abs);
  } catch {
    return null;
  }
  if (known && known.size === st.size && known.mtime === st.mtimeMs && known.ino === st.ino) return known;
  return { hash: hasher.hashFileSync(abs, st.size), size: st.size, mtime: st.mtimeMs, ino: st.ino };
}
