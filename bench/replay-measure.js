// Child of scenario 2: one cold start of the history, in a fresh process (cold heap).
// Times openHistory (snapshot read + tail replay, or the whole log without a snapshot) and
// prints a digest of the state so runs with and without the snapshot can be compared.
// Usage: node replay-measure.js <root>
import { createHash } from 'node:crypto';
import { openHistory } from '../dist/src/daemon/history.js';
import { projectPaths } from '../dist/src/project/paths.js';

const root = process.argv[2];
const messages = [];
const logger = { log(tag, message) { messages.push(`[${tag}] ${message}`); } };
const t0 = performance.now();
const history = openHistory(projectPaths(root), Date.now, logger);
const ms = performance.now() - t0;
const memory = process.memoryUsage();
const maxRssBytes = process.resourceUsage().maxRSS * 1024;
history.log.close();

// Digest of the folded state (outside the timed part): files sorted by path, plus the counters.
const state = history.state;
const entries = [];
for (const shard of state.files) for (const [path, r] of shard) entries.push([path, r.hash, r.size, r.mtime, r.ino, r.seq]);
entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
const digest = createHash('sha256')
  .update(JSON.stringify([state.lastSeq, state.fileCount, state.changes, entries]))
  .digest('hex').slice(0, 16);

process.stdout.write(`${JSON.stringify({
  ms, durationMs: history.durationMs, replayed: history.replayed, fromSnapshot: history.fromSnapshot,
  logRecords: history.logRecords, skipped: history.skipped, recovery: history.recovery,
  lastSeq: state.lastSeq, fileCount: state.fileCount, digest,
  rssAfterBytes: memory.rss, heapUsedAfterBytes: memory.heapUsed, maxRssBytes, messages,
})}\n`);
