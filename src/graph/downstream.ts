/**
 * The jobs downstream of some jobs, in a topological order. Pure. A build whose last survey judged
 * every wanted job looks again only at the jobs something happened to and at what depends on them:
 * at 10k sources, walking all of them for a one-file edit cost ~8 ms a build.
 */
export class DownstreamIndex {
  private readonly position = new Map<string, number>();
  private readonly dependents = new Map<string, string[]>();

  /** `order`: the jobs, each after its dependencies; `depsOf`: a job's dependencies (outside `order`: ignored). */
  constructor(order: readonly string[], depsOf: (id: string) => readonly string[]) {
    order.forEach((id, i) => this.position.set(id, i));
    for (const id of order) {
      for (const dep of depsOf(id)) {
        if (!this.position.has(dep)) continue;
        let list = this.dependents.get(dep);
        if (!list) this.dependents.set(dep, (list = []));
        list.push(id);
      }
    }
  }

  /** `from` (those in the order) and every job that depends on one of them, directly or not, in the order's order. */
  closure(from: Iterable<string>): string[] {
    const seen = new Set<string>();
    const stack: string[] = [];
    for (const id of from) {
      if (this.position.has(id) && !seen.has(id)) { seen.add(id); stack.push(id); }
    }
    while (stack.length > 0) {
      for (const next of this.dependents.get(stack.pop()!) ?? []) {
        if (!seen.has(next)) { seen.add(next); stack.push(next); }
      }
    }
    return [...seen].sort((a, b) => this.position.get(a)! - this.position.get(b)!);
  }
}
