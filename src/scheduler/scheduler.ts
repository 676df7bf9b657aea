/**
 * Runs a job graph: topological order, at most `parallelism` jobs holding a slot at once, higher
 * priority first among ready jobs. Each job is judged (`decide`) only when every job it depends on
 * is done, so a link sees the objects its compiles just produced: an object that came out
 * byte-identical leaves the link up to date (early cutoff). A failure skips its dependents; without
 * keepGoing no new job starts after it. Cancelling (the signal) stops new starts and is passed to
 * running jobs.
 * No I/O of its own: deciding and executing are the caller's.
 *
 * A job holds one of the `parallelism` slots while its tool runs. It may give the slot back before
 * it is done (`slotFree`, once its tool exited): the next job's tool then starts while this one's
 * output is hashed and recorded. Its dependents still wait until it is done.
 */
export interface GraphNode {
  readonly id: string;
  /** Ids of nodes that must finish first; ids outside the graph count as done. */
  readonly deps: readonly string[];
  readonly priority: number;
}

export type NodeOutcome = 'succeeded' | 'failed' | 'up-to-date' | 'skipped' | 'cancelled';

export interface ScheduleOptions<N extends GraphNode> {
  readonly parallelism: number;
  readonly keepGoing: boolean;
  readonly signal: AbortSignal;
  /** True when the node must run. Called once, when its dependencies are done. */
  decide(node: N): boolean;
  /**
   * `slotFree`: the node's tool is done; the rest of its work need not hold a slot (optional to
   * call). True when that started another node.
   */
  execute(node: N, signal: AbortSignal, slotFree: () => boolean): Promise<'succeeded' | 'failed' | 'cancelled'>;
  /** A node that will not run because a dependency failed or the build stopped. */
  onSkipped?(node: N): void;
}

export async function schedule<N extends GraphNode>(nodes: readonly N[], options: ScheduleOptions<N>): Promise<Map<string, NodeOutcome>> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const order = new Map(nodes.map((n, i) => [n.id, i]));
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const node of nodes) {
    const inGraph = node.deps.filter((d) => byId.has(d));
    waiting.set(node.id, inGraph.length);
    for (const d of inGraph) dependents.set(d, [...(dependents.get(d) ?? []), node.id]);
  }
  const outcomes = new Map<string, NodeOutcome>();
  const ready: N[] = nodes.filter((n) => waiting.get(n.id) === 0);
  const blocked = new Set<string>(); // a dependency failed or was skipped
  let running = 0; // nodes holding a slot
  let unfinished = 0; // nodes executing, slot or not
  let stopped = false;

  return new Promise((resolve) => {
    const byPriority = (a: N, b: N) => b.priority - a.priority || order.get(a.id)! - order.get(b.id)!;
    const finishIfDone = () => {
      if (unfinished > 0) return;
      if (ready.length > 0 && !stopped) return;
      for (const node of nodes) {
        if (!outcomes.has(node.id)) {
          outcomes.set(node.id, 'skipped');
          options.onSkipped?.(node);
        }
      }
      resolve(outcomes);
    };
    let unsorted = true;
    const release = (id: string, ok: boolean) => {
      for (const child of dependents.get(id) ?? []) {
        if (!ok) blocked.add(child);
        const left = waiting.get(child)! - 1;
        waiting.set(child, left);
        if (left === 0) {
          ready.push(byId.get(child)!);
          unsorted = true;
        }
      }
    };
    /** Starts what may start now; returns how many nodes it started. */
    const pump = (): number => {
      let started = 0;
      if (options.signal.aborted) stopped = true;
      while (!stopped && running < Math.max(1, options.parallelism) && ready.length > 0) {
        if (unsorted) {
          // Sorted descending so the best is last: pop() is O(1) where shift() is O(n).
          ready.sort((a, b) => byPriority(b, a));
          unsorted = false;
        }
        const node = ready.pop()!;
        if (blocked.has(node.id)) {
          outcomes.set(node.id, 'skipped');
          options.onSkipped?.(node);
          release(node.id, false);
          continue;
        }
        let mustRun: boolean;
        try {
          mustRun = options.decide(node);
        } catch {
          mustRun = true;
        }
        if (!mustRun) {
          outcomes.set(node.id, 'up-to-date');
          release(node.id, true);
          continue;
        }
        running++;
        unfinished++;
        started++;
        let holdsSlot = true;
        const freeSlot = (): boolean => {
          if (!holdsSlot) return false;
          holdsSlot = false;
          running--;
          return true;
        };
        const slotFree = () => freeSlot() && pump() > 0;
        Promise.resolve().then(() => options.execute(node, options.signal, slotFree)).then(
          (result) => { freeSlot(); done(node, result); },
          () => { freeSlot(); done(node, 'failed'); },
        );
      }
      finishIfDone();
      return started;
    };
    const done = (node: N, result: 'succeeded' | 'failed' | 'cancelled') => {
      unfinished--;
      outcomes.set(node.id, result);
      if (result !== 'succeeded' && !options.keepGoing) stopped = true;
      if (result === 'cancelled') stopped = true;
      release(node.id, result === 'succeeded');
      pump();
    };
    options.signal.addEventListener('abort', () => { stopped = true; finishIfDone(); }, { once: true });
    pump();
  });
}
