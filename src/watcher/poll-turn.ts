/**
 * The sync barrier's wait (watcher.ts, 3.): until the event loop has polled for I/O at least once
 * after the call, and run the callbacks of what that poll found.
 *
 * Why that is enough, on Linux: inotify queues an event inside the system call that caused it (an
 * editor's write, rename or close returns with the event already queued), and libuv reads every
 * `fs.watch` of the process from one inotify descriptor, calling each watch's callback as it reads
 * the events. So a change saved before a request was sent is queued before the request arrives,
 * and handled by the next poll at the latest. Watchman writes a cookie file and waits for its
 * event instead, which also orders notification APIs that deliver late (macOS's FSEvents); jmake
 * did so too until 2026-12-01, at ~0.15–0.3 ms of the daemon's time a request (the file's create,
 * close and unlink, and their events), against a few microseconds for the poll turn.
 *
 * Two immediates: one queued from the poll phase (a socket's data) runs in that same iteration's
 * check phase, after a poll that may have begun before the call; the second one is queued from a
 * check phase, so it runs only after the next iteration's poll, which began after the call. (With
 * immediates pending, that poll does not wait: it takes what is ready and goes on.)
 */
export function pollTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
