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
   * Hand over, in the order of `wanted` (each wanted job's place), the carried jobs a requested
   * build wants and will not run again (`settled`: up to date now, nothing upstream about to
   * change). The others it wants are dropped: the request runs them itself and reports that run.
   * Costs what is carried, not what is wanted (every job of a 10k plan).
   */
  take(wanted: ReadonlyMap<string, number>, settled: (id: string) => boolean): CarriedJob[] {
    const taken: CarriedJob[] = [];
    for (const [id, job] of this.jobs) {
      if (!wanted.has(id)) continue;
      this.jobs.delete(id);
      if (settled(id)) taken.push(job);
    }
    return taken.sort((a, b) => wanted.get(a.report.id)! - wanted.get(b.report.id)!);
  }

  get size(): number {
    return this.jobs.size;
  }
}
