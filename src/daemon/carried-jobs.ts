/**
 * The jobs that change builds ran since the last requested build. The next requested build reports
 * them as its own (they ran for it, only earlier), so `jmake build` after an edit lists the same
 * jobs, warnings and count whether the compiler ran before or after the command.
 */
import type { DiagnosticInfo, JobReport } from '../protocol/messages.js';

export interface CarriedJob {
  readonly report: JobReport;
  /** The tool's output with its colours, for the terminal. */
  readonly rawLog: string;
  readonly diagnostics: readonly DiagnosticInfo[];
  readonly label: string;
  readonly command: readonly string[];
}

export class CarriedJobs {
  private readonly jobs = new Map<string, CarriedJob>();

  /** A change build ran (or restored) this job. A failure is not carried: the next build runs the job again. */
  ranOnChange(job: CarriedJob): void {
    if (job.report.status === 'succeeded' || job.report.status === 'cached') this.jobs.set(job.report.id, { ...job, report: { ...job.report, startedOnChange: true } });
    else this.jobs.delete(job.report.id);
  }

  /**
   * Hand over, in `order`, the carried jobs a requested build wants and will not run again
   * (`settled`: up to date now, nothing upstream about to change). The others are dropped: the
   * request runs them itself and reports that run.
   */
  take(order: Iterable<string>, settled: (id: string) => boolean): CarriedJob[] {
    const taken: CarriedJob[] = [];
    if (this.jobs.size === 0) return taken; // the usual case: `order` may be every job of a 10k plan
    for (const id of order) {
      const job = this.jobs.get(id);
      if (!job) continue;
      this.jobs.delete(id);
      if (settled(id)) taken.push(job);
    }
    return taken;
  }

  get size(): number {
    return this.jobs.size;
  }
}
