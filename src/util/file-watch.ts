/**
 * A watch on one file, for inputs that no other watcher covers (system headers, the toolchain's
 * binaries). libuv reads every watch of the process from one inotify descriptor, in order, so an
 * event for such a file is heard by the end of a later sync (watcher/poll-turn.ts): after a sync, "no event" means
 * "not changed".
 */
import { realpathSync, watch } from 'node:fs';

export interface FileWatch {
  close(): void;
}

/** Watch `path` (absolute) and call `changed` on any event; null when it cannot be watched. */
export type WatchFile = (path: string, changed: () => void) => FileWatch | null;

/**
 * `fs.watch` on the file itself, only when no symbolic link is on its way (realpath is the path):
 * re-pointing a link changes what the path reads without an event on the file. Any event, or an
 * error, counts as a change.
 */
export function watchFileWithInotify(path: string, changed: () => void): FileWatch | null {
  try {
    if (realpathSync.native(path) !== path) return null;
    const watcher = watch(path, { persistent: false }, () => changed());
    watcher.on('error', () => changed());
    return watcher;
  } catch {
    return null;
  }
}
