/**
 * The build feed: every build's start, jobs, diagnostics and end, sent to each attached watcher
 * (`jmake watch`), whoever started the build. Listeners are request progress callbacks; one that
 * throws (its socket is gone) is dropped, never allowed to disturb the build.
 */
import type { WatchMessage } from '../protocol/messages.js';

export type FeedListener = (message: WatchMessage) => void;

/** At most this many changed paths are named per build (a branch switch changes thousands). */
const MAX_CHANGED_LISTED = 100;

export class BuildFeed {
  private readonly listeners = new Set<FeedListener>();

  get watchers(): number {
    return this.listeners.size;
  }

  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  emit(message: WatchMessage): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(message);
      } catch {
        this.listeners.delete(listener);
      }
    }
  }
}

/** The inputs that changed since the last build took them: what a build-started message names. */
export class ChangeList {
  private readonly paths = new Set<string>();
  private readonly unlisted = new Set<string>();

  add(paths: readonly string[]): void {
    for (const path of paths) {
      if (this.paths.has(path)) continue;
      if (this.paths.size < MAX_CHANGED_LISTED) this.paths.add(path);
      else this.unlisted.add(path);
    }
  }

  take(): { changed: string[]; more: number } {
    const taken = { changed: [...this.paths].sort(), more: this.unlisted.size };
    this.paths.clear();
    this.unlisted.clear();
    return taken;
  }
}
