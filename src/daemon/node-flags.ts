/**
 * The Node flags a daemon is started with (client/spawn.ts), each for a measured reason:
 * - `--expose-gc`: the idle collections (idle-gc.ts) and `kill -USR2`'s full one need `gc`.
 * - `--min-semi-space-size=16`: a young generation big enough for one edit's garbage, so an edit's
 *   work does not stop for scavenges (idle-gc.ts).
 * - `--always-sparkplug`, `--no-lazy-feedback-allocation`: the request path of a no-op runs a few
 *   times a second, too rarely for V8 to leave its interpreter; baseline code from the first call,
 *   with inline caches from the first call, made a no-op's request in the daemon ~15 % faster
 *   (10k sources, 2026-12-01: medians 1.25-1.45 -> 1.08-1.19 ms over three alternating rounds of 60).
 *   Start-up, memory and the CPU a job costs in a build did not move.
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ['--expose-gc', '--min-semi-space-size=16', '--always-sparkplug', '--no-lazy-feedback-allocation'];
