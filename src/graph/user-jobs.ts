/**
 * The user's `[[jobs]]` in the build's job graph. Each becomes a PlannedJob of kind `job` with its
 * `{{templates}}` expanded; it waits for the jobs and build outputs it `depends_on`. A compile waits
 * for every job that declares a header or a source among its `outputs`, even on the first build,
 * before any depfile could say so (and a generated source is planned as a source; plan.ts). Which of them a plain `jmake build` runs is the builder's business: those
 * with declared `inputs` (they are incremental), and any a wanted job depends on.
 */
import picomatch from 'picomatch';
import { HEADER_FILE, SOURCE_FILE } from '../config/completion.js';
import { checkJobGraph, type UserJobSpec } from '../jobs/graph.js';
import { configLookup, expandArgs, type TemplateValue } from '../jobs/templates.js';
import type { PlannedJob, PlanError } from './plan.js';

export interface UserJobPlan {
  readonly outputs: readonly string[];
  /** Declared inputs: tracked files matching the `inputs` globs (or paths), sorted. */
  readonly inputs: readonly string[];
  /** Relative to the root; '' for the root. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number | null;
  readonly retries: number;
  readonly retryOn: readonly number[];
  /** Declared `inputs`: part of every `jmake build`, run only when their content changes. */
  readonly incremental: boolean;
}

export interface UserJobsInput {
  readonly jobs: readonly UserJobSpec[];
  /** The raw jmake.toml values (any key is a template). */
  readonly values: Readonly<Record<string, unknown>>;
  readonly root: string;
  readonly outputDir: string;
  readonly sources: readonly string[];
  readonly files: readonly string[];
  /** Target name -> artifact job id. */
  readonly targets: ReadonlyMap<string, string>;
  readonly buildJobs: ReadonlyMap<string, PlannedJob>;
}

export function planUserJobs(input: UserJobsInput, errors: PlanError[]): PlannedJob[] {
  if (input.jobs.length === 0) return [];
  const graph = checkJobGraph(input.jobs, { targets: input.targets, outputs: new Set(input.buildJobs.keys()) });
  for (const message of graph.errors) errors.push({ message });
  if (graph.errors.length > 0) return [];
  const derived: Record<string, TemplateValue> = {
    'project.root': input.root,
    config_path: `${input.root}/jmake.toml`,
    'compile.output_dir': input.outputDir,
    'discovery.files': [...input.sources],
  };
  const lookup = configLookup(input.values, derived);
  const byId = new Map(input.jobs.map((j) => [j.id, j]));
  const planned: PlannedJob[] = [];
  for (const id of graph.order) {
    const spec = byId.get(id)!;
    const argv = expandArgs(id, spec.run, lookup);
    if (!argv.ok) { errors.push({ message: argv.message }); continue; }
    const deps = graph.deps.get(id)!;
    const outputs = spec.outputs.map(normalize);
    const user: UserJobPlan = {
      outputs,
      inputs: matchInputs(spec.inputs, input.files),
      cwd: spec.cwd ? normalize(spec.cwd) : '',
      env: spec.env,
      timeoutMs: spec.timeoutMs,
      retries: spec.retries,
      retryOn: spec.retryOn,
      incremental: spec.inputs.length > 0,
    };
    planned.push({
      id, kind: 'job', target: '', tool: 'user', argv: argv.argv, cosmeticArgs: [],
      output: outputs[0] ?? '', tmpOutput: '', depfile: null, source: null,
      deps: [...deps.jobs, ...deps.buildJobs], priority: 50 + spec.priority, user,
    });
  }
  return planned;
}

/** Compiles wait for the jobs that generate headers or sources. */
export function generatorsOfSources(jobs: readonly PlannedJob[]): string[] {
  return jobs.filter((j) => j.user?.incremental && j.user.outputs.some((o) => HEADER_FILE.test(o) || SOURCE_FILE.test(o))).map((j) => j.id);
}

function matchInputs(patterns: readonly string[], files: readonly string[]): string[] {
  if (patterns.length === 0) return [];
  const match = picomatch(patterns.map(normalize), { dot: true });
  return files.filter((f) => match(f)).sort();
}

function normalize(path: string): string {
  return path.replace(/^\.\//, '').replace(/\/+$/, '');
}
