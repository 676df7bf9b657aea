import type { WatchFile } from '../../src/util/file-watch.js';

/** A WatchFile whose events the test fires by hand (and that never reports on its own). */
export function fakeWatches() {
  const listeners = new Map<string, () => void>();
  const watchFile: WatchFile = (path, changed) => {
    listeners.set(path, changed);
    return { close: () => { listeners.delete(path); } };
  };
  return { watchFile, fire: (path: string) => listeners.get(path)?.(), watching: (path: string) => listeners.has(path) };
}
