import { readUserJobs } from '../../jobs/spec.js';
import type { JobListing } from '../../protocol/messages.js';
import { allJobs, getJob, jobPhase } from '../../state/selectors.js';
import type { Handler } from '../server.js';

/**
 * `jmake jobs`: the [[jobs]] of the current config with their last run, from the state (so the
 * same after a daemon restart); with `all`, every build job and the last completion's jobs too.
 */
export const jobs: Handler<'jobs'> = (params, { daemon }) => {
  const state = daemon.recorder.state;
  const listed: JobListing[] = [];
  const user = readUserJobs(state.config.values ?? {});
  for (const spec of user) {
    const record = getJob(state, spec.id);
    listed.push({
      id: spec.id, kind: 'job', status: jobPhase(state, spec.id) ?? (spec.id in state.skipped ? 'skipped' : record?.status ?? 'not run'), exitCode: record?.exitCode ?? null,
      durationMs: record?.durationMs ?? null, error: record?.error ?? null,
    });
  }
  if (params.all) {
    const userIds = new Set(user.map((j) => j.id));
    const build = [...allJobs(state)].filter(([id]) => !userIds.has(id)).sort(([a], [b]) => a.localeCompare(b));
    for (const [id, record] of build) {
      listed.push({ id, kind: record.kind, status: record.status, exitCode: record.exitCode ?? null, durationMs: record.durationMs ?? null, error: record.error ?? null });
    }
    for (const job of state.completionJobs) {
      listed.push({ id: job.job, kind: 'complete', status: job.ok ? 'succeeded' : 'failed', exitCode: null, durationMs: job.durationMs, error: job.ok ? null : job.summary });
    }
  }
  return { jobs: listed };
};
