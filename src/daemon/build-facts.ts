/**
 * What the builder needs to know about files the watcher does not track, and about outputs:
 * - External inputs (system headers, sibling checkouts, untracked generated files): their content
 *   hash, re-hashed when changed. Each one gets a watch of its own (one inotify watch per file,
 *   no directory), and is trusted while that watch has reported nothing: a no-op stats none of
 *   them. The watch is read from the same inotify queue as the source watcher's, so a change saved
 *   before a request is heard by the time the request's sync is over (watcher/poll-turn.ts). Files that cannot be watched (a symbolic link on the
 *   way, which a change could re-point without touching the file; past the watch budget; a
 *   missing file) are stat'ed once per build instead, as all of them were before.
 * - Outputs: trusted while the watcher reports nothing under them; otherwise (and once after the
 *   daemon starts) stat'ed, and hashed if the stat differs from what the job recorded.
 */
import { statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { OutputFacts } from '../../events/types.js';
import type { OutputState } from '../graph/decide.js';
import type { Hasher } from '../util/hash.js';
import type { FileWatch, WatchFile } from '../util/file-watch.js';

interface StatFacts {
  readonly size: number;
  readonly mtime: number;
  readonly ino: number;
}

/** External files watched at most: each is an inotify watch, and the limit is shared by the machine. */
export const MAX_EXTERNAL_WATCHES = 4096;

export class ExternalFiles {
  private readonly known = new Map<string, StatFacts & { hash: string | null }>();
  private checkedInBuild = new Set<string>();
  /** Files whose watch has reported nothing since they were last stat'ed: their hash stands. */
  private readonly trusted = new Map<string, FileWatch>();
  /** Files a watch was refused for (a link on the way, missing at the time): stat'ed at each build, not tried again. */
  private readonly unwatchable = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly hasher: Hasher,
    private readonly watchFile: WatchFile | null = null,
    private readonly maxWatches = MAX_EXTERNAL_WATCHES,
  ) {}

  /** Forget which files were checked: the next lookups stat again (the trusted ones excepted). Call at the start of a build. */
  newBuild(): void {
    this.checkedInBuild = new Set();
  }

  /** Files watched now. */
  get watched(): number {
    return this.trusted.size;
  }

  close(): void {
    for (const watch of this.trusted.values()) watch.close();
    this.trusted.clear();
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
    if (cached && (this.checkedInBuild.has(abs) || this.trusted.has(abs))) return cached.hash;
    this.checkedInBuild.add(abs);
    // Watched before the look: a change made while it is hashed is still heard (and looked at again).
    this.watch(abs);
    let st;
    try {
      st = statSync(abs);
    } catch {
      this.distrust(abs);
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

  private watch(abs: string): void {
    if (!this.watchFile || this.trusted.has(abs) || this.unwatchable.has(abs) || this.trusted.size >= this.maxWatches) return;
    const watch = this.watchFile(abs, () => this.distrust(abs));
    if (watch) this.trusted.set(abs, watch);
    else this.unwatchable.add(abs); // its realpath each build would cost more than the stat it saves
  }

  /** Something happened to it: stat it at the next look, and watch it again then (a replaced file is a new inode). */
  private distrust(abs: string): void {
    this.trusted.get(abs)?.close();
    this.trusted.delete(abs);
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
