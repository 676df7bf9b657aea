/**
 * The user's `[[jobs]]` as a graph, checked before anything runs: ids unique and distinct from
 * target names and built-in job names; every `depends_on` resolvable (another job, `build`, a
 * target name, or an output path of the build); no cycles (the error names the cycle). The order
 * is topological, higher `priority` first among jobs that are ready together, declaration order
 * otherwise. Pure: the builder turns the result into scheduler nodes.
 */
export interface UserJobSpec {
  readonly id: string;
  readonly run: readonly string[];
  readonly dependsOn: readonly string[];
  readonly priority: number;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string | null;
  readonly timeoutMs: number | null;
  readonly retries: number;
  /** Exit codes worth another try; empty: any failure. */
  readonly retryOn: readonly number[];
}

/** Names a job id may not take: what `depends_on` and `jmake jobs run` already mean. */
export const BUILT_IN_JOBS: readonly string[] = ['build', 'scan_files', 'include_dirs', 'discover_tools', 'create_structure'];

export interface ResolvedDeps {
  /** Other user jobs. */
  readonly jobs: readonly string[];
  /** Build jobs (output paths): a target's artifact, a named output, or every artifact for `build`. */
  readonly buildJobs: readonly string[];
}

export interface JobGraph {
  readonly order: readonly string[];
  readonly deps: ReadonlyMap<string, ResolvedDeps>;
  readonly errors: readonly string[];
}

export interface BuildSide {
  /** Target name -> the id (output path) of the job making its artifact. */
  readonly targets: ReadonlyMap<string, string>;
  /** Every build job id (output paths). */
  readonly outputs: ReadonlySet<string>;
}

export function checkJobGraph(jobs: readonly UserJobSpec[], build: BuildSide): JobGraph {
  const errors: string[] = [];
  const byId = new Map<string, UserJobSpec>();
  for (const job of jobs) {
    if (byId.has(job.id)) errors.push(`two jobs have the id "${job.id}"`);
    else if (BUILT_IN_JOBS.includes(job.id)) errors.push(`job id "${job.id}" is the name of a built-in job; choose another`);
    else if (build.targets.has(job.id)) errors.push(`job id "${job.id}" is also a target's name; choose another`);
    byId.set(job.id, job);
  }
  const deps = new Map<string, ResolvedDeps>();
  for (const job of byId.values()) {
    const onJobs: string[] = [];
    const onBuild: string[] = [];
    for (const dep of job.dependsOn) {
      if (byId.has(dep)) onJobs.push(dep);
      else if (dep === 'build') onBuild.push(...build.targets.values());
      else if (build.targets.has(dep)) onBuild.push(build.targets.get(dep)!);
      else if (build.outputs.has(normalizeOutput(dep))) onBuild.push(normalizeOutput(dep));
      else errors.push(`job "${job.id}" depends on "${dep}", which is no job, target or build output`);
    }
    deps.set(job.id, { jobs: [...new Set(onJobs)], buildJobs: [...new Set(onBuild)] });
  }
  const cycle = findCycle([...byId.keys()], (id) => deps.get(id)?.jobs ?? []);
  if (cycle) errors.push(`jobs depend on each other in a cycle: ${cycle.join(' -> ')}`);
  const order = cycle ? [] : topological([...byId.values()], deps);
  return { order, deps, errors };
}

/** The first cycle found, as `a, b, c, a`; null when there is none. */
export function findCycle(ids: readonly string[], next: (id: string) => readonly string[]): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | null => {
    state.set(id, 'open');
    stack.push(id);
    for (const n of next(id)) {
      if (state.get(n) === 'open') return [...stack.slice(stack.indexOf(n)), n];
      if (!state.has(n)) {
        const found = visit(n);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(id, 'done');
    return null;
  };
  for (const id of ids) {
    if (state.has(id)) continue;
    const found = visit(id);
    if (found) return found;
  }
  return null;
}

function topological(jobs: readonly UserJobSpec[], deps: ReadonlyMap<string, ResolvedDeps>): string[] {
  const index = new Map(jobs.map((j, i) => [j.id, i]));
  const waiting = new Map(jobs.map((j) => [j.id, deps.get(j.id)!.jobs.length]));
  const dependents = new Map<string, string[]>();
  for (const job of jobs) for (const d of deps.get(job.id)!.jobs) dependents.set(d, [...(dependents.get(d) ?? []), job.id]);
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const better = (a: string, b: string) => byId.get(b)!.priority - byId.get(a)!.priority || index.get(a)! - index.get(b)!;
  const ready = jobs.filter((j) => waiting.get(j.id) === 0).map((j) => j.id);
  const order: string[] = [];
  while (ready.length > 0) {
    ready.sort(better);
    const id = ready.shift()!;
    order.push(id);
    for (const child of dependents.get(id) ?? []) {
      const left = waiting.get(child)! - 1;
      waiting.set(child, left);
      if (left === 0) ready.push(child);
    }
  }
  return order;
}

function normalizeOutput(path: string): string {
  return path.replace(/^\.\//, '').replace(/\/+$/, '');
}
