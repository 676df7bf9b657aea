/**
 * Which jobs are known to be up to date, kept current from the event stream, so that a build
 * only re-examines the jobs whose inputs changed: a no-op examines none, and costs the same at
 * 100 sources as at 10,000.
 *
 * - Every job's inputs (from its last job-finished record) are indexed by path.
 * - A job is marked fresh at some state seq S when the builder judged it up to date (or ran it)
 *   from the state at S.
 * - Any later event on one of its inputs (a file event from the watcher, another job's output
 *   being rewritten) records that seq against the job: it is fresh only while nothing touched it
 *   after S. Things the event log does not carry (an external header changing, an output edited
 *   by hand, a new plan) call `invalidate` or `reset`.
 * - `dirty` holds every job something happened to since it was last marked fresh (touched,
 *   invalidated, judged out of date, or forgotten), so a build can ask "did anything I want
 *   change?" and "which?" in time proportional to what changed, not to the number of jobs
 *   (`dirtyIn`).
 * - A job whose output the output watcher saw change (most often: the job itself just wrote it)
 *   is in doubt about its output only, while its inputs stay as they were (`outputInDoubt`): a
 *   stat of the output settles it, not a look at each of its inputs (10k for a big link).
 */
import { isPatch } from '../../events/inputs-patch.js';
import type { JmakeEvent } from '../../events/types.js';
import { allJobs } from '../state/selectors.js';
import type { ProjectState } from '../state/state.js';
import { sameList } from '../util/same-list.js';

export class Freshness {
  /** Input path -> the jobs that read it. */
  private readonly readers = new Map<string, Set<string>>();
  private readonly inputsOf = new Map<string, readonly string[]>();
  private readonly freshAt = new Map<string, number>();
  private readonly touchedAt = new Map<string, number>();
  /** Path -> the seq of its last event in this daemon's life: an input touched while its job ran, before the job's inputs were known, still counts. */
  private readonly lastTouch = new Map<string, number>();

  private readonly dirty = new Set<string>();
  /** Fresh as to their inputs; their output must be looked at (see the class comment). */
  private readonly outputDoubt = new Set<string>();
  private resets = 0;

  /** Inputs the watcher does not report: outside the root, or in a folder it does not track. */
  private readonly unwatched = new Set<string>();

  /** `watched(path)`: whether the watcher reports changes to this input (a tracked file, a job output). */
  constructor(state: ProjectState, private readonly watched: (path: string) => boolean) {
    for (const [id, record] of allJobs(state)) this.index(id, record.inputs.map((pair) => pair[0]));
  }

  /** The inputs the builder must check itself, by stat, once per build (a few hundred headers). */
  unwatchedInputs(): ReadonlySet<string> {
    return this.unwatched;
  }

  onEvents(events: readonly JmakeEvent[]): void {
    for (const event of events) {
      switch (event.type) {
        case 'file-added':
        case 'file-changed':
        case 'file-removed':
          this.touch(event.data.path, event.seq);
          break;
        case 'job-finished':
          // A patch reads the same paths as the job's previous record (events/inputs-patch.ts).
          if (!isPatch(event.data.inputs)) this.index(event.data.job, event.data.inputs.map((pair) => pair[0]));
          this.touch(event.data.job, event.seq); // its output is an input of the jobs downstream
          break;
        case 'outputs-removed':
          for (const job of event.data.jobs) this.forget(job);
          break;
        default:
          break;
      }
    }
  }

  /** Whether some job read this path when it last ran. */
  isInput(path: string): boolean {
    return (this.readers.get(path)?.size ?? 0) > 0;
  }

  isFresh(job: string): boolean {
    return this.inputsFresh(job) && !this.outputDoubt.has(job);
  }

  /** Nothing it read changed since it was last up to date, but its output must be checked. */
  outputInDoubt(job: string): boolean {
    return this.outputDoubt.has(job) && this.inputsFresh(job);
  }

  markFresh(job: string, seq: number): void {
    this.freshAt.set(job, seq);
    this.outputDoubt.delete(job);
    // A job run for the first time was nobody's reader when its inputs changed during the run.
    for (const path of this.inputsOf.get(job) ?? []) {
      const touched = this.lastTouch.get(path) ?? 0;
      if (touched > seq && touched > (this.touchedAt.get(job) ?? 0)) this.touchedAt.set(job, touched);
    }
    if (this.isFresh(job)) this.dirty.delete(job);
    else this.dirty.add(job);
  }

  /** The builder judged this job out of date: it stays dirty until it ran and is marked fresh. */
  markStale(job: string): void {
    this.dirty.add(job);
  }

  /** Something the event log does not show changed for this job (its output, an external input). */
  invalidate(job: string): void {
    this.freshAt.delete(job);
    this.outputDoubt.delete(job);
    this.dirty.add(job);
  }

  /**
   * The output watcher saw this path change: if it is a job's output, check it before trusting the
   * job. Anything else under an output dir (a depfile, a response file) is no job's: kept out of
   * `dirty`, where it would stay for good, each build looking at it again (10k depfiles, 1–2.4 ms a build).
   */
  outputTouched(job: string): void {
    if (!this.inputsOf.has(job)) return;
    if (this.inputsFresh(job)) this.outputDoubt.add(job);
    else this.freshAt.delete(job);
    this.dirty.add(job);
  }

  invalidateReaders(path: string): void {
    for (const job of this.readers.get(path) ?? []) this.invalidate(job);
  }

  /** The plan changed (config, toolchain, file set): nothing is known fresh any more. */
  reset(): void {
    this.freshAt.clear();
    this.outputDoubt.clear();
    this.dirty.clear();
    this.resets++;
  }

  /** Changes at every `reset`: a judgement of every job made before it no longer stands. */
  get epoch(): number {
    return this.resets;
  }

  /** The dirty jobs of `jobs`; costs one lookup per dirty job. */
  dirtyIn(jobs: ReadonlySet<string>): string[] {
    return [...this.dirty].filter((job) => jobs.has(job));
  }

  private inputsFresh(job: string): boolean {
    const at = this.freshAt.get(job);
    return at !== undefined && (this.touchedAt.get(job) ?? 0) <= at;
  }

  private touch(path: string, seq: number): void {
    this.lastTouch.set(path, seq);
    for (const job of this.readers.get(path) ?? []) {
      this.touchedAt.set(job, seq);
      this.dirty.add(job);
    }
  }

  private index(job: string, inputs: readonly string[]): void {
    const previous = this.inputsOf.get(job) ?? [];
    this.inputsOf.set(job, inputs);
    // Most runs read what the last run read (a relink of the same objects): nothing to re-index.
    if (sameList(previous, inputs)) return;
    for (const path of previous) this.readers.get(path)?.delete(job);
    for (const path of inputs) {
      let set = this.readers.get(path);
      if (!set) {
        this.readers.set(path, (set = new Set()));
        if (!this.watched(path)) this.unwatched.add(path);
      }
      set.add(job);
    }
  }

  private forget(job: string): void {
    for (const path of this.inputsOf.get(job) ?? []) this.readers.get(path)?.delete(job);
    this.inputsOf.delete(job);
    this.freshAt.delete(job);
    this.touchedAt.delete(job);
    this.outputDoubt.delete(job);
    // Dirty, not dropped: a job whose outputs were removed (`jmake clean`) must be judged again by
    // a build that wants it, and a build looks only at dirty jobs once it judged them all.
    this.dirty.add(job);
  }
}
