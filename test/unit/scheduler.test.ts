import { describe, expect, it } from 'vitest';
import { schedule, type GraphNode, type NodeOutcome, type ScheduleOptions } from '../../src/scheduler/scheduler.js';

type Result = 'succeeded' | 'failed' | 'cancelled';

const node = (id: string, deps: string[] = [], priority = 0): GraphNode => ({ id, deps, priority });

/** Lets every pending promise callback run (no timers involved). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs `schedule` with an execute that never finishes by itself: each started node waits until the
 * test calls `finish(id, result)`. Records start order, concurrency, decide calls and skips.
 */
function harness(nodes: readonly GraphNode[], options: Partial<Omit<ScheduleOptions<GraphNode>, 'execute' | 'onSkipped'>> = {}) {
  const controller = new AbortController();
  const pending = new Map<string, (r: Result) => void>();
  const started: string[] = [];
  const decided: string[] = [];
  const skipped: string[] = [];
  const signals: AbortSignal[] = [];
  let running = 0;
  let maxRunning = 0;
  let outcomes: Map<string, NodeOutcome> | null = null;

  const done = schedule(nodes, {
    parallelism: options.parallelism ?? 4,
    keepGoing: options.keepGoing ?? false,
    signal: options.signal ?? controller.signal,
    decide: (n) => { decided.push(n.id); return options.decide ? options.decide(n) : true; },
    execute: (n, signal) => {
      started.push(n.id);
      signals.push(signal);
      running++;
      maxRunning = Math.max(maxRunning, running);
      return new Promise<Result>((resolve) => pending.set(n.id, resolve));
    },
    onSkipped: (n) => { skipped.push(n.id); },
  }).then((o) => { outcomes = o; return o; });

  return {
    controller, started, decided, skipped, signals, done,
    get running() { return [...pending.keys()]; },
    get maxRunning() { return maxRunning; },
    get outcomes() { return outcomes; },
    /** Completes a running node and lets the scheduler react. */
    async finish(id: string, result: Result = 'succeeded') {
      const resolve = pending.get(id);
      if (!resolve) throw new Error(`${id} is not running (running: ${[...pending.keys()].join(', ')})`);
      pending.delete(id);
      running--;
      resolve(result);
      await settle();
    },
  };
}

const asObject = (m: Map<string, NodeOutcome>) => Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)));

describe('schedule: order and parallelism', () => {
  it('runs a node only after all of its dependencies', async () => {
    // a -> b, a -> c, (b, c) -> d
    const h = harness([node('d', ['b', 'c']), node('b', ['a']), node('c', ['a']), node('a')]);
    await settle();
    expect(h.started).toEqual(['a']);
    await h.finish('a');
    expect([...h.started].sort()).toEqual(['a', 'b', 'c']);
    await h.finish('b');
    expect(h.running).toEqual(['c']);
    expect(h.started).not.toContain('d');
    await h.finish('c');
    expect(h.started.at(-1)).toBe('d');
    await h.finish('d');
    expect(asObject(await h.done)).toEqual({ a: 'succeeded', b: 'succeeded', c: 'succeeded', d: 'succeeded' });
    expect(h.skipped).toEqual([]);
  });

  it('never runs more than `parallelism` nodes at once', async () => {
    const ids = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7'];
    const h = harness(ids.map((id) => node(id)), { parallelism: 3 });
    await settle();
    expect(h.running).toHaveLength(3);
    while (h.running.length > 0) {
      await h.finish(h.running[0]!);
      expect(h.running.length).toBeLessThanOrEqual(3);
    }
    expect(h.maxRunning).toBe(3);
    expect([...h.started].sort()).toEqual(ids);
    expect([...(await h.done).values()].every((o) => o === 'succeeded')).toBe(true);
  });

  it('parallelism 1 runs one at a time', async () => {
    const h = harness([node('a'), node('b'), node('c')], { parallelism: 1 });
    await settle();
    for (const id of ['a', 'b', 'c']) {
      expect(h.running).toEqual([id]);
      await h.finish(id);
    }
    expect(h.maxRunning).toBe(1);
    expect((await h.done).size).toBe(3);
  });

  it('starts ready nodes by priority, then in declaration order', async () => {
    const h = harness([node('low1', [], 0), node('high', [], 40), node('mid', [], 10), node('low2', [], 0)], { parallelism: 1 });
    await settle();
    for (const id of ['high', 'mid', 'low1', 'low2']) await h.finish(id);
    expect(h.started).toEqual(['high', 'mid', 'low1', 'low2']);
    await h.done;
  });

  it('a newly released high-priority node goes before nodes that were ready earlier', async () => {
    // compile1 -> link (priority 40); compile2 and compile3 are ready from the start
    const h = harness([node('compile1', [], 0), node('compile2', [], 0), node('compile3', [], 0), node('link', ['compile1'], 40)], { parallelism: 1 });
    await settle();
    await h.finish('compile1');
    expect(h.running).toEqual(['link']);
    await h.finish('link');
    await h.finish('compile2');
    await h.finish('compile3');
    expect(h.started).toEqual(['compile1', 'link', 'compile2', 'compile3']);
    await h.done;
  });

  it('a dependency outside the graph counts as done', async () => {
    const h = harness([node('a', ['elsewhere'])]);
    await settle();
    expect(h.started).toEqual(['a']);
    await h.finish('a');
    expect(asObject(await h.done)).toEqual({ a: 'succeeded' });
  });

  it('an empty graph finishes at once', async () => {
    const h = harness([]);
    expect((await h.done).size).toBe(0);
  });

  it('passes the build signal to execute', async () => {
    const h = harness([node('a')]);
    await settle();
    expect(h.signals).toEqual([h.controller.signal]);
    await h.finish('a');
    await h.done;
  });
});

describe('schedule: decide', () => {
  it('decides a node only when its dependencies are done', async () => {
    const h = harness([node('b', ['a']), node('a')]);
    await settle();
    expect(h.decided).toEqual(['a']);
    await h.finish('a');
    expect(h.decided).toEqual(['a', 'b']);
    await h.finish('b');
    await h.done;
  });

  it('decide=false marks a node up-to-date without running it and releases its dependents', async () => {
    // a (up to date) -> b (runs) -> c (up to date) ; d (up to date, alone)
    const h = harness([node('a'), node('b', ['a']), node('c', ['b']), node('d')], { decide: (n) => n.id === 'b' });
    await settle();
    expect(h.started).toEqual(['b']);
    await h.finish('b');
    expect(asObject(await h.done)).toEqual({ a: 'up-to-date', b: 'succeeded', c: 'up-to-date', d: 'up-to-date' });
    expect(h.decided.sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('up-to-date nodes do not take a parallelism slot', async () => {
    const h = harness([node('a'), node('b'), node('c'), node('run')], { parallelism: 1, decide: (n) => n.id === 'run' });
    await settle();
    expect(h.running).toEqual(['run']);
    await h.finish('run');
    expect(asObject(await h.done)).toEqual({ a: 'up-to-date', b: 'up-to-date', c: 'up-to-date', run: 'succeeded' });
  });

  it('a decide that throws runs the node', async () => {
    const h = harness([node('a')], { decide: () => { throw new Error('cannot tell'); } });
    await settle();
    expect(h.started).toEqual(['a']);
    await h.finish('a');
    expect(asObject(await h.done)).toEqual({ a: 'succeeded' });
  });
});

describe('schedule: failures', () => {
  it('a failure skips its dependents, transitively, and reports them', async () => {
    const h = harness([node('a'), node('b', ['a']), node('c', ['b'])], { keepGoing: true });
    await settle();
    await h.finish('a', 'failed');
    expect(asObject(await h.done)).toEqual({ a: 'failed', b: 'skipped', c: 'skipped' });
    expect(h.started).toEqual(['a']);
    expect(h.skipped.sort()).toEqual(['b', 'c']);
  });

  it('without keepGoing, no new node starts after a failure; running ones finish', async () => {
    const h = harness([node('a'), node('x'), node('y'), node('z')], { parallelism: 2 });
    await settle();
    expect(h.running).toEqual(['a', 'x']);
    await h.finish('a', 'failed');
    expect(h.running).toEqual(['x']);
    expect(h.outcomes).toBeNull(); // still waiting for x
    await h.finish('x');
    expect(asObject(await h.done)).toEqual({ a: 'failed', x: 'succeeded', y: 'skipped', z: 'skipped' });
    expect(h.started).toEqual(['a', 'x']);
    expect(h.skipped.sort()).toEqual(['y', 'z']);
  });

  it('with keepGoing, independent nodes still run after a failure', async () => {
    const h = harness([node('a'), node('dep', ['a']), node('x'), node('y', ['x'])], { parallelism: 1, keepGoing: true });
    await settle();
    await h.finish('a', 'failed');
    expect(h.running).toEqual(['x']);
    await h.finish('x');
    await h.finish('y');
    expect(asObject(await h.done)).toEqual({ a: 'failed', dep: 'skipped', x: 'succeeded', y: 'succeeded' });
    expect(h.skipped).toEqual(['dep']);
  });

  it('a node with one failed and one good dependency is skipped', async () => {
    const h = harness([node('a'), node('b'), node('link', ['a', 'b'])], { keepGoing: true });
    await settle();
    await h.finish('b');
    await h.finish('a', 'failed');
    expect(asObject(await h.done)).toEqual({ a: 'failed', b: 'succeeded', link: 'skipped' });
    expect(h.decided).not.toContain('link');
  });

  it('an execute that rejects counts as failed', async () => {
    const outcomes = await schedule([node('a'), node('b', ['a'])], {
      parallelism: 1, keepGoing: true, signal: new AbortController().signal,
      decide: () => true,
      execute: () => Promise.reject(new Error('spawn failed')),
    });
    expect(asObject(outcomes)).toEqual({ a: 'failed', b: 'skipped' });
  });

  it('a dependency cycle does not hang: its nodes are skipped', async () => {
    const h = harness([node('a', ['b']), node('b', ['a']), node('c')]);
    await settle();
    expect(h.started).toEqual(['c']);
    await h.finish('c');
    expect(asObject(await h.done)).toEqual({ a: 'skipped', b: 'skipped', c: 'succeeded' });
  });
});

describe('schedule: cancelling', () => {
  it('aborting stops new starts; the running node reports cancelled and the rest are skipped', async () => {
    const h = harness([node('a'), node('b'), node('c', ['a'])], { parallelism: 1 });
    await settle();
    expect(h.running).toEqual(['a']);
    h.controller.abort();
    await settle();
    expect(h.outcomes).toBeNull(); // a is still running
    expect(h.signals[0]!.aborted).toBe(true);
    await h.finish('a', 'cancelled');
    expect(asObject(await h.done)).toEqual({ a: 'cancelled', b: 'skipped', c: 'skipped' });
    expect(h.started).toEqual(['a']);
    expect(h.skipped.sort()).toEqual(['b', 'c']);
  });

  it('a node that finishes after the abort keeps its outcome, and nothing new starts', async () => {
    const h = harness([node('a'), node('b', ['a'])], { parallelism: 2 });
    await settle();
    h.controller.abort();
    await h.finish('a', 'succeeded');
    expect(asObject(await h.done)).toEqual({ a: 'succeeded', b: 'skipped' });
    expect(h.started).toEqual(['a']);
  });

  it('an already aborted signal runs nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    const h = harness([node('a'), node('b', ['a'])], { signal: controller.signal });
    expect(asObject(await h.done)).toEqual({ a: 'skipped', b: 'skipped' });
    expect(h.started).toEqual([]);
    expect(h.decided).toEqual([]);
    expect(h.skipped.sort()).toEqual(['a', 'b']);
  });

  it('a job that reports cancelled stops new starts even with keepGoing', async () => {
    const h = harness([node('a'), node('b')], { parallelism: 1, keepGoing: true });
    await settle();
    await h.finish('a', 'cancelled');
    expect(asObject(await h.done)).toEqual({ a: 'cancelled', b: 'skipped' });
    expect(h.started).toEqual(['a']);
  });
});

describe('schedule: a slot given back before the job is done', () => {
  it('starts the next job at once, while dependents still wait for the job to be done', async () => {
    const finishers = new Map<string, (r: Result) => void>();
    const freers = new Map<string, () => boolean>();
    const started: string[] = [];
    const outcome = schedule([node('a'), node('b'), node('c', ['a'])], {
      parallelism: 1, keepGoing: false, signal: new AbortController().signal, decide: () => true,
      execute: (n, _signal, slotFree) => {
        started.push(n.id);
        freers.set(n.id, slotFree);
        return new Promise<Result>((resolve) => finishers.set(n.id, resolve));
      },
    });
    await settle();
    expect(started).toEqual(['a']);
    expect(freers.get('a')!()).toBe(true); // a's tool exited, a is still being recorded: b starts
    await settle();
    expect(started).toEqual(['a', 'b']); // b took the slot; c depends on a, which is not done
    expect(freers.get('a')!()).toBe(false); // a second call changes nothing
    finishers.get('a')!('succeeded');
    await settle();
    expect(started).toEqual(['a', 'b']); // b holds the only slot
    finishers.get('b')!('succeeded'); // done without giving the slot back first
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);
    finishers.get('c')!('succeeded');
    expect(asObject(await outcome)).toEqual({ a: 'succeeded', b: 'succeeded', c: 'succeeded' });
  });

  it('is not done until every job is, even when no job holds a slot', async () => {
    let finishA: ((r: Result) => void) | undefined;
    let startedAnother: boolean | undefined;
    let resolved = false;
    const outcome = schedule([node('a')], {
      parallelism: 2, keepGoing: false, signal: new AbortController().signal, decide: () => true,
      execute: (_n, _signal, slotFree) => new Promise<Result>((resolve) => { finishA = resolve; startedAnother = slotFree(); }),
    }).then((o) => { resolved = true; return o; });
    await settle();
    expect(startedAnother).toBe(false); // nothing else to start
    expect(resolved).toBe(false);
    finishA!('succeeded');
    expect(asObject(await outcome)).toEqual({ a: 'succeeded' });
  });
});
