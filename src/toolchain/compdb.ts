/**
 * compile_commands.json (the JSON compilation database clangd and other tools read): one entry per
 * compiled source with the exact command jmake runs, from the plan. Pure; the builder writes it.
 * The object a compile writes is renamed from its `.jmake-tmp` name after it succeeds, so the
 * entry's `output` names the final path while `arguments` keep the command as run.
 */
import { join } from 'node:path';
import type { Plan, PlannedJob } from '../graph/plan.js';

export interface CompdbEntry {
  readonly directory: string;
  readonly file: string;
  readonly arguments: readonly string[];
  readonly output: string;
}

export function compdbEntries(plan: Plan, root: string, toolArgs: (job: PlannedJob) => number): CompdbEntry[] {
  const entries: CompdbEntry[] = [];
  for (const job of plan.jobs.values()) {
    if (!job.source || (job.kind !== 'compile' && job.kind !== 'emit-ir')) continue;
    const n = toolArgs(job);
    entries.push({
      directory: root,
      file: join(root, job.source),
      arguments: [...job.argv.slice(0, n), ...job.cosmeticArgs, ...job.argv.slice(n)],
      output: join(root, job.output),
    });
  }
  return entries.sort((a, b) => a.file.localeCompare(b.file) || a.output.localeCompare(b.output));
}

export function compdbText(entries: readonly CompdbEntry[]): string {
  return `${JSON.stringify(entries, null, 2)}\n`;
}
