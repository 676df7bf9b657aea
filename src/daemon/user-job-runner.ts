/**
 * Runs one `[[jobs]]` entry: its command (no shell) in its `cwd` with its `env` added, stopped after
 * its `timeout`, and run again after a failure only as its `retries`/`retry_on` allow, with backoff
 * (jobs/retry.ts). Cancelling stops the current attempt and any further one.
 */
import { join } from 'node:path';
import { retryDelay } from '../jobs/retry.js';
import type { PlannedJob } from '../graph/plan.js';
import type { CommandRunner, RunResult } from '../scheduler/runner.js';
import { linkedSignal } from '../util/linked-signal.js';

export async function runUserJob(runner: CommandRunner, job: PlannedJob, root: string, env: NodeJS.ProcessEnv, signal: AbortSignal, log: (message: string) => void): Promise<RunResult> {
  const user = job.user!;
  let output = '';
  for (let attempt = 0; ; attempt++) {
    const timeout = user.timeoutMs !== null ? AbortSignal.timeout(user.timeoutMs) : null;
    const linked = timeout ? linkedSignal([signal, timeout]) : null;
    let result: RunResult;
    try {
      result = await runner.run({ argv: job.argv, cwd: join(root, user.cwd), env: { ...env, ...user.env }, outputs: [] }, linked?.signal ?? signal);
    } finally {
      linked?.dispose();
    }
    const timedOut = timeout?.aborted === true && !signal.aborted;
    output += timedOut ? `${result.output}jmake: job "${job.id}" timed out after ${user.timeoutMs} ms\n` : result.output;
    const delay = retryDelay(user, { attempt, exitCode: result.exitCode, cancelled: signal.aborted, timedOut });
    if (delay === null) {
      // A timeout is a failure, not a cancel of the build.
      return { ...result, output, cancelled: signal.aborted, exitCode: timedOut ? null : result.exitCode };
    }
    const note = `jmake: job "${job.id}" failed (exit ${result.exitCode}); attempt ${attempt + 2} of ${user.retries + 1} in ${delay} ms\n`;
    output += note;
    log(note.trim());
    const cancelled = await sleep(delay, signal);
    if (cancelled) return { ...result, output, cancelled: true };
  }
}

/** True when the signal ended the wait. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) { resolve(true); return; }
    const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(false); }, ms);
    const onAbort = () => { clearTimeout(timer); resolve(true); };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
