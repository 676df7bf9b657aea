import { isAbsolute, relative } from 'node:path';
import { InputsFolder } from '../../../events/inputs-patch.js';
import { upcast } from '../../../events/upcast.js';
import { reasonBetween, type FinishedRun } from '../../graph/why.js';
import type { WhyResult } from '../../protocol/messages.js';
import type { Handler } from '../server.js';

const KEEP = 5;

/** The last runs of one job, from the event log, each with why it ran. */
export const why: Handler<'why'> = (params, { daemon }) => {
  const job = isAbsolute(params.job) ? relative(daemon.identity.root, params.job) : params.job.replace(/^\.\//, '');
  const runs: { seq: number; time: number; data: FinishedRun }[] = [];
  const folder = new InputsFolder();
  for (let since = 0; ;) {
    const page = daemon.recorder.readPage({ since, types: ['job-finished'], limit: 1000, maxBytes: 8 * 1024 * 1024 });
    for (const record of page.records) {
      const result = upcast(record);
      if (result.ok && result.event.type === 'job-finished' && result.event.data.job === job) {
        const { data } = result.event;
        runs.push({ seq: result.event.seq, time: result.event.time, data: { ...data, inputs: folder.fold(job, result.event.seq, data.inputs) } });
      }
    }
    if (page.next === null) break;
    since = page.next;
  }
  const out: WhyResult['runs'][number][] = runs.map((run, i) => ({
    build: run.data.build, seq: run.seq, time: run.time, status: run.data.status, durationMs: run.data.durationMs,
    reason: reasonBetween(i > 0 ? runs[i - 1]!.data : null, run.data),
  }));
  return { job, runs: out.slice(-KEEP) };
};
