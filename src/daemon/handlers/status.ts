import { PROTOCOL_VERSION } from '../../protocol/messages.js';
import type { Handler } from '../server.js';

/**
 * Answers at once during the initial scan (watcher.ready false); once ready it first syncs with the
 * watcher (watcher/poll-turn.ts), so an edit saved just before the request is counted.
 */
export const status: Handler<'status'> = async (params, { daemon }) => {
  const watcher = daemon.watcher();
  const synced = params.sync === false || !watcher.ready ? false : await watcher.sync();
  const state = daemon.recorder.state;
  const { identity } = daemon;
  const configError = daemon.configError();
  return {
    daemon: {
      pid: identity.pid,
      version: identity.version,
      protocol: PROTOCOL_VERSION,
      instance: identity.instance,
      uptimeMs: daemon.clock() - identity.startedAt,
      startedAt: identity.startedAt,
      socket: identity.socket,
    },
    root: identity.root,
    files: { tracked: state.fileCount, changedSinceBuild: state.changes.count },
    events: { lastSeq: state.lastSeq, logBytes: daemon.recorder.logBytes },
    watcher: {
      ...watcher.health(),
      rescans: state.watcher.rescans,
      overflows: state.watcher.overflows,
      lastRescan: state.watcher.lastRescan,
      synced,
      externalWatches: daemon.builder.externals.watched,
    },
    config: { ok: configError === null, error: configError },
    log: { recoveredAtStart: daemon.recoveredAtStart, writeError: daemon.recorder.writeError },
    distributed: daemon.builder.distributedStatus(),
    builds: {
      running: state.builds.running !== null,
      count: state.builds.count,
      jobs: state.jobCount,
      last: state.builds.last && {
        build: state.builds.last.build, ok: state.builds.last.ok, jobsRun: state.builds.last.jobsRun,
        failed: state.builds.last.failed, durationMs: state.builds.last.durationMs, finishedAt: state.builds.last.finishedAt,
        trigger: state.builds.last.trigger ?? 'request', carried: state.builds.last.carried ?? 0,
      },
    },
  };
};
