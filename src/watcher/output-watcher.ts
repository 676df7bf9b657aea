/**
 * Watches the build output dirs, for one purpose: to hear that an output was touched (deleted or
 * changed by hand, or rewritten by a job), so the builder checks it again before trusting it.
 *
 * It uses plain `fs.watch` on each directory (one inotify watch per directory, none per file)
 * and never reads or stats what it is told about, except to notice new directories. chokidar,
 * which the source watcher uses, re-reads and stats a whole directory each time a file in it
 * changes: under build/ that is every object a build writes, and it cost ~40 % of the daemon's
 * CPU during builds.
 */
import { mkdirSync, readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { describeEscape, escapingLink, isPlainRelative } from '../util/inside-root.js';

export interface OutputWatcherEvents {
  /**
   * Something at this path (relative to the root) was created, changed or removed. True when it is
   * known to be a file (an output jmake writes): then it is not looked at to find a new folder.
   */
  touched(path: string): boolean;
  /** Watching failed (e.g. past the inotify limit): nothing under the output dirs can be trusted unseen. */
  lost(reason: string): void;
}

export class OutputWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private closed = false;

  /**
   * A path `events.touched` answers true for is a file jmake writes, never a folder (an output, a
   * depfile, a temp output, a previous output moved aside): its events are reported without the
   * stat that looks for new folders, which cost ~4 stats a job in a full build.
   */
  constructor(
    private readonly root: string,
    private readonly dirs: readonly string[],
    private readonly events: OutputWatcherEvents,
    /** Names of folders never watched, wherever they are: the temp folders, where jobs write before the rename into place. */
    private readonly unwatched: ReadonlySet<string> = new Set(),
  ) {}

  start(): void {
    for (const dir of this.dirs) {
      // Never create or watch a folder outside the project (the build refuses those too).
      if (!isPlainRelative(dir)) {
        this.events.lost(`not watching ${dir}: not a plain path inside the project`);
        continue;
      }
      const escape = escapingLink(this.root, dir);
      if (escape) {
        this.events.lost(`not watching ${dir}: ${describeEscape(escape).message}`);
        continue;
      }
      try {
        mkdirSync(join(this.root, dir), { recursive: true });
      } catch (err) {
        this.events.lost(`cannot create ${dir}: ${(err as Error).message}`);
        continue;
      }
      this.watchTree(dir, false);
    }
  }

  /** Directories watched (one inotify watch each). */
  get watches(): number {
    return this.watchers.size;
  }

  close(): void {
    this.closed = true;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  /** Watch `dir` and every directory below it; `announce`: report the files found (a new dir). */
  private watchTree(dir: string, announce: boolean): void {
    if (this.closed || this.watchers.has(dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(join(this.root, dir), { persistent: false }, (event, filename) => this.onEvent(dir, event, filename));
    } catch (err) {
      this.events.lost(`cannot watch ${dir}: ${(err as Error).message}`);
      return;
    }
    watcher.on('error', (err) => {
      this.unwatch(dir);
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.events.lost(`watching ${dir} failed: ${err.message}`);
    });
    this.watchers.set(dir, watcher);
    let entries;
    try {
      entries = readdirSync(join(this.root, dir), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!this.unwatched.has(entry.name)) this.watchTree(child, announce);
      }
      else if (announce) this.events.touched(child);
    }
  }

  private onEvent(dir: string, event: string, filename: string | Buffer | null): void {
    if (filename === null) {
      this.events.lost(`an event under ${dir} without a name (queue overflow?)`);
      return;
    }
    const name = filename.toString();
    const path = `${dir}/${name}`;
    if (this.unwatched.has(name)) return;
    const knownFile = this.events.touched(path);
    if (knownFile || event !== 'rename') return;
    let isDir = false;
    try {
      isDir = statSync(join(this.root, path)).isDirectory();
    } catch {
      this.unwatch(path);
      return;
    }
    if (isDir) this.watchTree(path, true);
  }

  private unwatch(dir: string): void {
    for (const [path, w] of this.watchers) {
      if (path === dir || path.startsWith(`${dir}/`)) {
        w.close();
        this.watchers.delete(path);
      }
    }
  }
}
