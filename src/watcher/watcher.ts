/**
 * The project watcher: turns content changes under the root into file events.
 *
 * Flow:
 * 1. chokidar walks the tree (honouring ignore.ts) and reports every file with its stat. When it
 *    is ready, the stats are reconciled with the state (reconcile.ts): new or stat-different files
 *    are hashed, vanished ones removed. Edits made while no daemon ran are found here. Until then
 *    `ready` is false (status answers anyway; builds wait).
 * 2. Live: every add/change/unlink marks its path pending; once the path has been quiet for
 *    `settleMs` it is stat'ed, hashed and stat'ed again (a file still being written is retried).
 *    Only a different hash is an event: a touch is not. chokidar drops a second change within 50 ms
 *    of the first, so each hashed file is stat'ed once more a little later and re-hashed if it moved.
 * 3. Sync barrier (`sync()`): wait for one poll of the event loop (poll-turn.ts says why every
 *    inotify event of an edit saved before the call has then been handled), then hash everything
 *    still pending at once. A request answered after sync() has seen every edit saved before it was
 *    sent. Raw events are handled as libuv reads them, before chokidar's own reading and stats, so
 *    each one is noted as it comes (`onRaw`): a tracked file is marked pending, any other path is
 *    kept for the sync to look at itself (a new file is hashed, a new folder walked).
 * 4. Errors: chokidar reports watch failures (ENOSPC past the inotify limit) and then never reports
 *    those paths again. They are recorded (`watcher-overflow`), shown in status, and polled every
 *    `pollIntervalMs` (and at every sync) by a stat walk.
 * 5. Queue overflow: nothing reports it (burst.ts says why), so a burst of raw events big enough
 *    to have filled the kernel queue is recorded as one and the owner restarts the watcher (rescan).
 */
import { lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { NewEvent } from '../../events/types.js';
import { isErrno } from '../errors.js';
import type { LogTag } from '../daemon/logger.js';
import type { Hasher } from '../util/hash.js';
import { BurstDetector } from './burst.js';
import type { IgnoreRules } from './ignore.js';
import { pollTurn } from './poll-turn.js';
import { planReconcile, type KnownFile, type StatFacts } from './reconcile.js';

export interface WatcherDeps {
  readonly root: string;
  readonly rules: IgnoreRules;
  /** The folders in scope (reported by status; the rules apply it); null: the whole tree. */
  readonly scope: readonly string[] | null;
  readonly settleMs: number;
  readonly pollIntervalMs: number;
  readonly hasher: Hasher;
  /** Re-hash every file at start-up (after the log lost records), not only stat-different ones. */
  readonly rehashAll: boolean;
  /** Why this watcher was started, for its `watcher-rescan` event: 'startup', 'config', … */
  readonly reason: string;
  known(path: string): KnownFile | undefined;
  knownFiles(): Iterable<[string, KnownFile]>;
  /** Append and apply; synchronous. */
  record(events: NewEvent[]): void;
  /** Raw events in a burst that may have overflowed the kernel queue ({@link BurstDetector}). */
  readonly burst: { readonly threshold: number; readonly queueLimit: number };
  /** Events may have been lost: the owner rescans (restarts this watcher). Called at most once. */
  overflowed(): void;
  log(tag: LogTag, message: string): void;
}

export interface WatchError {
  readonly code: string;
  readonly path: string;
  readonly message: string;
  readonly time: number;
}

/** After hashing, look again this long after chokidar's 50 ms change throttle. */
const VERIFY_DELAY_MS = 80;
const FUTURE_MTIME_SLACK_MS = 1000;
const RECONCILE_CHUNK = 500;
const RECORD_BATCH = 10_000;
/** New paths remembered between two syncs; past this, the next sync walks the whole tree. */
const MAX_NEW_PATHS = 10_000;
const MAX_ERRORS_KEPT = 20;
/** A change the log could not take (a full disk) is hashed and recorded again after this. */
const RECORD_RETRY_MS = 1000;

type ProbeOutcome =
  | { kind: 'event'; event: NewEvent; stat: StatFacts | null }
  | { kind: 'same'; stat: StatFacts }
  | { kind: 'retry' }
  | { kind: 'none' };

export class ProjectWatcher {
  private chokidar: FSWatcher | null = null;
  private readonly pending = new Map<string, number>(); // path -> settle deadline
  private readonly verify = new Map<string, { due: number; stat: StatFacts }>();
  private settleTimer: NodeJS.Timeout | null = null;
  private settleTimerDue = 0;
  private verifyTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private readonly initialSeen = new Map<string, StatFacts>();
  /** Paths of raw events that were not tracked files, since the last sync (see `onRaw`). */
  private readonly newPaths = new Set<string>();
  private overflowReported = false;
  private _ready = false;
  private closed = false;
  private watchedFiles = 0;
  private watchedDirs = 0;
  private readonly errors: WatchError[] = [];
  private readonly fallbacks = new Set<string>();
  private readonly readyWaiters: (() => void)[] = [];

  constructor(private readonly deps: WatcherDeps) {}

  get ready(): boolean { return this._ready; }

  /** Resolves once the initial scan and reconcile are done (builds wait for this). */
  waitReady(): Promise<void> {
    if (this._ready) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  start(): void {
    const { root, rules } = this.deps;
    const started = Date.now();
    const watcher = watch(root, {
      ignored: (path: string) => rules.isIgnored(this.rel(path)),
      ignoreInitial: false,
      alwaysStat: true,
      atomic: false, // the settle window below already merges an editor's delete + rename
      followSymlinks: false,
      persistent: true,
      ignorePermissionErrors: true,
    });
    this.chokidar = watcher;
    watcher.on('add', (path: string, stats?: Stats) => this.onAdd(this.rel(path), stats));
    watcher.on('change', (path: string) => this.onChange(this.rel(path)));
    watcher.on('unlink', (path: string) => this.onUnlink(this.rel(path)));
    watcher.on('addDir', () => { this.watchedDirs++; });
    watcher.on('unlinkDir', (path: string) => this.onUnlinkDir(this.rel(path)));
    watcher.on('error', (err: unknown) => this.onError(err));
    const burst = new BurstDetector(this.deps.burst.threshold);
    watcher.on('raw', (_event: unknown, evPath: string | null, details: unknown) => {
      this.onRaw(evPath, (details as { watchedPath?: string } | undefined)?.watchedPath);
      if (!burst.note(Date.now()) || this.overflowReported || this.closed) return;
      this.overflowReported = true;
      const message = `${this.deps.burst.threshold}+ inotify events within a second: the kernel queue `
        + `(fs.inotify.max_queued_events = ${this.deps.burst.queueLimit}) may have overflowed and dropped some`;
      this.deps.log('watcher', `${message}; rescanning`);
      this.record([{ type: 'watcher-overflow', data: { path: '.', code: 'IN_Q_OVERFLOW', message, fallback: 'rescan' } }]);
      this.deps.overflowed();
    });
    watcher.on('ready', () => {
      this.deps.log('watcher', `chokidar ready: ${this.watchedFiles} files, ${this.watchedDirs} dirs in ${Date.now() - started}ms`);
      void this.reconcileAtStart(started);
    });
  }

  /**
   * Wait until every change saved before this call has been recorded. False when the watcher is
   * not ready (or closed): the answer may then miss an edit.
   */
  async sync(): Promise<boolean> {
    if (!this._ready || this.closed) return false;
    await pollTurn();
    if (this.closed) return false;
    this.lookAtNewPaths();
    this.flush();
    return true;
  }

  /**
   * The paths of raw events that were not tracked files, looked at now rather than when chokidar
   * gets to them: a file is marked pending (hashed by the flush), a folder is walked for the files
   * in it (chokidar may not even watch it yet). A path gone again (an editor's temp file) is nothing.
   */
  private lookAtNewPaths(): void {
    const paths = [...this.newPaths];
    this.newPaths.clear();
    for (const rel of paths) {
      let st: Stats;
      try {
        st = lstatSync(join(this.deps.root, rel)); // a link to a folder is not walked (chokidar does not follow links either)
      } catch {
        continue;
      }
      if (!st.isDirectory()) { this.pending.set(rel, 0); continue; }
      const found = new Map<string, StatFacts>();
      this.walk(rel, found);
      for (const path of found.keys()) if (!this.deps.known(path)) this.pending.set(path, 0);
    }
  }

  /**
   * Hash now whatever is still settling (and poll what is not watched): no barrier, no wait.
   * `settledOnly` (a build started on change): a file written within the settle window stays
   * pending, as on the timer. It may be half saved (an editor truncates, then writes), and a build
   * on change promises nothing about it: its own settle starts the next one.
   */
  flush(settledOnly = false): void {
    if (!this._ready || this.closed) return;
    const quietSince = settledOnly ? Date.now() - this.deps.settleMs : null;
    if (this.fallbacks.size > 0) this.pollFallbacks(quietSince);
    this.processDue(Number.POSITIVE_INFINITY, quietSince);
  }

  health(): {
    ready: boolean; watchedPaths: number; errors: WatchError[]; fallbacks: string[]; pollIntervalMs: number; scope: readonly string[] | null;
  } {
    return {
      ready: this._ready,
      scope: this.deps.scope,
      watchedPaths: this.watchedFiles + this.watchedDirs,
      errors: [...this.errors],
      fallbacks: [...this.fallbacks],
      pollIntervalMs: this.deps.pollIntervalMs,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of [this.settleTimer, this.verifyTimer, this.pollTimer]) if (t) clearTimeout(t);
    for (const resolve of this.readyWaiters.splice(0)) resolve();
    await this.chokidar?.close();
  }

  // --- chokidar callbacks --------------------------------------------------------------------

  /** See 3. in the file comment. */
  private onRaw(evPath: string | null, watchedPath: string | undefined): void {
    if (this.closed || watchedPath === undefined) return;
    // A file's own watch names the file; a folder's watch names the entry inside it. (A folder x
    // holding a file x reads as the folder: looked at by the sync, which is merely slower.)
    const abs = !evPath || basename(watchedPath) === evPath ? watchedPath : join(watchedPath, evPath);
    const rel = this.rel(abs);
    if (rel === '' || rel.startsWith('..') || this.deps.rules.isIgnored(rel)) return;
    const known = this.deps.known(rel);
    if (known && known.hash !== null) this.markPending(rel);
    else if (this.newPaths.size < MAX_NEW_PATHS) this.newPaths.add(rel);
    else this.newPathsOverflowed();
  }

  /** Too many new paths between two syncs (a checkout): the next sync walks the whole tree instead. */
  private newPathsOverflowed(): void {
    this.newPaths.clear();
    this.newPaths.add('');
  }

  private onAdd(rel: string, stats: Stats | undefined): void {
    this.watchedFiles++;
    if (!this._ready && stats) {
      this.initialSeen.set(rel, { size: stats.size, mtime: stats.mtimeMs, ino: stats.ino });
      return;
    }
    this.markPending(rel);
  }

  private onChange(rel: string): void {
    this.markPending(rel);
  }

  private onUnlink(rel: string): void {
    this.watchedFiles = Math.max(0, this.watchedFiles - 1);
    this.initialSeen.delete(rel);
    this.markPending(rel);
  }

  private onUnlinkDir(rel: string): void {
    this.watchedDirs = Math.max(0, this.watchedDirs - 1);
    // chokidar reports the files inside too, but a known file it never watched would be missed.
    for (const [path] of this.deps.knownFiles()) if (path.startsWith(`${rel}/`)) this.markPending(path);
  }

  private onError(err: unknown): void {
    const e = err as NodeJS.ErrnoException & { filename?: string };
    const code = e?.code ?? 'EUNKNOWN';
    const absPath = e?.path ?? e?.filename ?? this.deps.root;
    const rel = this.rel(absPath);
    this.errors.push({ code, path: rel || '.', message: e?.message ?? String(err), time: Date.now() });
    if (this.errors.length > MAX_ERRORS_KEPT) this.errors.shift();
    this.deps.log('watcher', `error ${code} on ${rel || '.'}: ${e?.message ?? String(err)}`);
    if (code === 'ENOSPC' || code === 'EMFILE' || code === 'ENFILE') {
      const path = rel || '.';
      if (!this.fallbacks.has(path)) {
        this.fallbacks.add(path);
        this.record([{ type: 'watcher-overflow', data: { path, code, message: e?.message ?? String(err), fallback: 'poll' } }]);
        this.schedulePoll();
      }
    }
  }

  // --- settling and hashing --------------------------------------------------------------------

  /**
   * Hash `rel` once its deadline passes. A later event for a path already pending keeps the earlier
   * deadline: one save comes as several events (the raw one, then chokidar's a few ms later), and
   * moving the deadline each time delayed every edit by that gap. A file written again meanwhile is
   * still not hashed early: at the deadline, one modified within the settle window is retried.
   */
  private markPending(rel: string, delayMs = this.deps.settleMs): void {
    if (this.closed) return;
    const deadline = Date.now() + delayMs;
    const earlier = this.pending.get(rel);
    if (earlier === undefined || deadline < earlier) this.pending.set(rel, deadline);
    this.verify.delete(rel);
    if (this.settleTimer === null || deadline < this.settleTimerDue) this.armSettleTimer(deadline);
  }

  private armSettleTimer(due: number): void {
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimerDue = due;
    this.settleTimer = setTimeout(() => this.onSettleTimer(), Math.max(1, due - Date.now()));
  }

  private onSettleTimer(): void {
    this.settleTimer = null;
    const now = Date.now();
    this.processDue(now, now - this.deps.settleMs);
    if (this.pending.size > 0 && !this.closed) {
      let next = Number.POSITIVE_INFINITY; // not Math.min(...): a checkout can leave 200k files pending
      for (const deadline of this.pending.values()) if (deadline < next) next = deadline;
      if (this.settleTimer === null || next < this.settleTimerDue) this.armSettleTimer(next);
    }
  }

  /**
   * Hash every pending path whose deadline has passed and record the differences as one batch.
   * On the timer (`quietSince` = now − the settle window; not for a sync: a request wants the file
   * as it is now), a file written within the settle window is not settled, whatever chokidar
   * reported: it drops a second change within 50 ms of the first, so the last save of a burst may
   * come with no event of its own.
   */
  private processDue(now: number, quietSince: number | null): void {
    const due: string[] = [];
    for (const [path, deadline] of this.pending) if (deadline <= now) due.push(path);
    if (due.length > 0) this.probeAndRecord(due, quietSince);
  }

  /**
   * An editor says these files were just saved (`jmake notify`): hash them now instead of after
   * the settle window. Returns the paths the watcher does not track (ignored ones).
   */
  hashNow(paths: readonly string[]): string[] {
    const ignored = paths.filter((rel) => this.deps.rules.isIgnored(rel));
    const tracked = paths.filter((rel) => !ignored.includes(rel));
    if (this._ready && !this.closed && tracked.length > 0) this.probeAndRecord(tracked);
    return ignored;
  }

  /** Hash these paths and record the differences as one batch (a file still being written waits another settle window). */
  private probeAndRecord(paths: readonly string[], quietSince: number | null = null): void {
    for (const path of paths) this.pending.delete(path);
    const events: NewEvent[] = [];
    for (const path of paths) {
      const outcome = this.probe(path, quietSince);
      if (outcome.kind === 'retry') { this.markPending(path); continue; }
      if (outcome.kind === 'event') events.push(outcome.event);
      if ((outcome.kind === 'event' || outcome.kind === 'same') && outcome.stat) this.scheduleVerify(path, outcome.stat);
    }
    this.record(events);
  }

  /**
   * Record, or, when the log cannot be written (a full disk), log it and hash the files again
   * later: an event not recorded is a change the state does not know, and nothing else would
   * look at that file again. The failing build request tells the user.
   */
  private record(events: readonly NewEvent[]): void {
    if (events.length === 0) return;
    try {
      this.deps.record([...events]);
    } catch (err) {
      this.deps.log('watcher', `cannot record ${events.length} events: ${(err as Error).message}`);
      for (const event of events) {
        const path = (event.data as { path?: unknown }).path;
        if (event.type.startsWith('file-') && typeof path === 'string') this.markPending(path, RECORD_RETRY_MS);
      }
    }
  }

  private scheduleVerify(path: string, stat: StatFacts): void {
    this.verify.set(path, { due: Date.now() + VERIFY_DELAY_MS, stat });
    if (!this.verifyTimer) this.verifyTimer = setTimeout(() => this.onVerifyTimer(), VERIFY_DELAY_MS);
  }

  private onVerifyTimer(): void {
    this.verifyTimer = null;
    const now = Date.now();
    for (const [path, { due, stat }] of this.verify) {
      if (due > now) continue;
      this.verify.delete(path);
      const current = statFacts(join(this.deps.root, path));
      if (!current || current.size !== stat.size || current.mtime !== stat.mtime || current.ino !== stat.ino) this.markPending(path);
    }
    if (this.verify.size > 0 && !this.closed) this.verifyTimer = setTimeout(() => this.onVerifyTimer(), VERIFY_DELAY_MS);
  }

  /** Stat, hash, stat again; compare with the state. `quietSince`: retry a file modified after this time. */
  private probe(rel: string, quietSince: number | null = null): ProbeOutcome {
    const abs = join(this.deps.root, rel);
    const known = this.deps.known(rel);
    const removed: ProbeOutcome = known ? { kind: 'event', event: { type: 'file-removed', data: { path: rel } }, stat: null } : { kind: 'none' };
    const before = statFacts(abs, true);
    if (before === null || before === 'not-a-file') return removed;
    // (An mtime in the future is clock skew, not a write in progress.)
    if (quietSince !== null && before.mtime > quietSince && before.mtime <= Date.now() + FUTURE_MTIME_SLACK_MS) return { kind: 'retry' };
    let hash: string;
    try {
      hash = this.deps.hasher.hashFileSync(abs, before.size);
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENOTDIR', 'EISDIR')) return removed;
      this.deps.log('watcher', `cannot read ${rel}: ${(err as Error).message}`);
      return { kind: 'none' };
    }
    const after = statFacts(abs);
    if (!after || after.size !== before.size || after.mtime !== before.mtime || after.ino !== before.ino) return { kind: 'retry' };
    if (known && known.hash === hash) return { kind: 'same', stat: after };
    const data = { path: rel, hash, size: after.size, mtime: after.mtime, ino: after.ino };
    return { kind: 'event', event: known ? { type: 'file-changed', data } : { type: 'file-added', data }, stat: after };
  }

  // --- start-up reconcile and polling ------------------------------------------------------------

  private async reconcileAtStart(started: number): Promise<void> {
    const plan = planReconcile(this.initialSeen, this.deps.knownFiles(), { rehashAll: this.deps.rehashAll });
    this.initialSeen.clear();
    let changed = await this.hashInChunks(plan.toHash);
    if (plan.removed.length > 0) {
      this.record(plan.removed.map((path) => ({ type: 'file-removed', data: { path } }) as NewEvent));
      changed += plan.removed.length;
    }
    if (this.closed) return;
    // After an overflow files are still being written: one created between chokidar's readdir of
    // a folder and its watch on it is in neither. Every watch is in place now, so a walk of our own
    // finds what fell in that gap; what comes later, the watches report.
    if (this.deps.reason === 'overflow') changed += this.walkAndProbe('');
    const durationMs = Date.now() - started;
    const scanned = plan.toHash.length + plan.unchanged;
    this.record([{ type: 'watcher-rescan', data: { reason: this.deps.reason, scanned, changed, durationMs } }]);
    this.deps.log('watcher', `ready: ${scanned} files, ${plan.toHash.length} hashed, ${changed} changed, in ${durationMs}ms`);
    this._ready = true;
    for (const resolve of this.readyWaiters.splice(0)) resolve();
  }

  /**
   * Hash paths in chunks, yielding to the event loop between chunks so requests are served.
   * Events are recorded in batches of RECORD_BATCH: each batch is one produce, and a produce that
   * touches most shards copies most of the state, so small batches would make this quadratic.
   */
  private async hashInChunks(paths: readonly string[]): Promise<number> {
    let changed = 0;
    let events: NewEvent[] = [];
    const flush = () => {
      if (events.length > 0) this.record(events);
      changed += events.length;
      events = [];
    };
    for (let i = 0; i < paths.length && !this.closed; i += RECONCILE_CHUNK) {
      for (const path of paths.slice(i, i + RECONCILE_CHUNK)) {
        if (this.pending.has(path)) continue; // a live event will handle it
        const outcome = this.probe(path);
        if (outcome.kind === 'event') events.push(outcome.event);
        else if (outcome.kind === 'retry') this.markPending(path);
      }
      if (events.length >= RECORD_BATCH) flush();
      await new Promise((resolve) => setImmediate(resolve));
    }
    flush();
    return changed;
  }

  private schedulePoll(): void {
    if (this.pollTimer || this.closed) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      this.pollFallbacks();
      this.schedulePoll();
    }, this.deps.pollIntervalMs);
  }

  /** Stat-walk every path whose watch failed and mark differences pending, then hash them now (`quietSince`: see probe). */
  private pollFallbacks(quietSince: number | null = null): void {
    for (const prefix of this.fallbacks) this.markDifferences(prefix === '.' ? '' : prefix);
    this.processDue(Number.POSITIVE_INFINITY, quietSince);
  }

  /** Stat-walk under `prefix` and hash what differs from the state now; returns the events recorded. */
  private walkAndProbe(prefix: string): number {
    const marked = this.markDifferences(prefix);
    this.processDue(Number.POSITIVE_INFINITY, null);
    if (marked > 0) this.deps.log('watcher', `the walk after the scan found ${marked} files the scan missed or saw stale`);
    return marked;
  }

  /** Mark pending (due now) every file under `prefix` whose stat differs from the state, and every one gone. */
  private markDifferences(prefix: string): number {
    const seen = new Map<string, StatFacts>();
    this.walk(prefix, seen);
    const plan = planReconcile(seen, this.deps.knownFiles(), { prefix });
    for (const path of [...plan.toHash, ...plan.removed]) this.pending.set(path, 0);
    return plan.toHash.length + plan.removed.length;
  }

  private walk(rel: string, out: Map<string, StatFacts>): void {
    const abs = join(this.deps.root, rel);
    const st = statFacts(abs, true);
    if (st === null) return;
    if (st !== 'not-a-file') { out.set(rel, st); return; }
    let entries;
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (this.deps.rules.isIgnored(child)) continue;
      if (entry.isDirectory()) this.walk(child, out);
      else if (entry.isFile()) {
        const facts = statFacts(join(this.deps.root, child));
        if (facts) out.set(child, facts);
      }
    }
  }

  private rel(abs: string): string {
    const r = relative(this.deps.root, abs);
    return sep === '/' ? r : r.split(sep).join('/');
  }
}

function statFacts(abs: string): StatFacts | null;
function statFacts(abs: string, distinguishDirs: true): StatFacts | 'not-a-file' | null;
function statFacts(abs: string, distinguishDirs = false): StatFacts | 'not-a-file' | null {
  let st: Stats;
  try {
    st = statSync(abs);
  } catch {
    return null;
  }
  if (!st.isFile()) return distinguishDirs ? 'not-a-file' : null;
  return { size: st.size, mtime: st.mtimeMs, ino: st.ino };
}
