/**
 * Does a job have to run, and why. Pure. A job is up to date when its last run succeeded with the
 * same tool, the same command line and the same content in every input it read (the source, each
 * header its depfile named, each object it linked), and its output is still what that run wrote.
 * The first difference found is the reason, which `--explain` prints and `-n` reports.
 */
import type { JobRecord } from '../state/state.js';
import type { PlannedJob } from './plan.js';

export type Reason =
  | { readonly kind: 'forced' }
  /** A user job without declared inputs, named in the request: it runs whenever asked. */
  | { readonly kind: 'asked' }
  | { readonly kind: 'new' }
  | { readonly kind: 'failed' }
  | { readonly kind: 'tool'; readonly from: string; readonly to: string }
  | { readonly kind: 'command' }
  | { readonly kind: 'input'; readonly path: string; readonly from: string; readonly to: string | null }
  | { readonly kind: 'output'; readonly state: 'missing' | 'modified' };

export type OutputState = 'ok' | 'missing' | 'modified';

export interface DecideContext {
  readonly force: boolean;
  toolId(job: PlannedJob): string;
  argvHash(job: PlannedJob): string;
  /** The content hash of a path now (tracked file, external header, or another job's output); null if missing. */
  currentHash(path: string): string | null;
  outputState(job: PlannedJob, record: JobRecord): OutputState;
  /** True for a job that must run because it was asked for by name (a user job without inputs). */
  asked?(job: PlannedJob): boolean;
}

/**
 * `suspects`: inputs likely to have changed (the dependencies that ran in this build), as
 * [position in the record's inputs, path]; they are looked at first, so that a link of 10k objects
 * finds the one that changed without reading the others. A position that does not hold that path
 * is passed over: the full look still follows when none of them changed.
 */
export function whyRun(job: PlannedJob, record: JobRecord | undefined, ctx: DecideContext, suspects: readonly (readonly [number, string])[] = []): Reason | null {
  if (ctx.force) return { kind: 'forced' };
  if (ctx.asked?.(job)) return { kind: 'asked' };
  if (!record) return { kind: 'new' };
  if (record.status !== 'succeeded') return { kind: 'failed' };
  const tool = ctx.toolId(job);
  if (record.tool !== tool) return { kind: 'tool', from: record.tool, to: tool };
  if (record.argvHash !== ctx.argvHash(job)) return { kind: 'command' };
  for (const [position, suspect] of suspects) {
    const entry = record.inputs[position];
    if (entry?.[0] !== suspect) continue;
    const now = ctx.currentHash(suspect);
    if (now !== entry[1]) return { kind: 'input', path: suspect, from: entry[1], to: now };
  }
  // Indexed: a 10k-object link's check runs too rarely to be optimised, and unoptimised
  // destructuring costs an iterator per pair (see inputs-patch.ts).
  const inputs = record.inputs;
  for (let i = 0; i < inputs.length; i++) {
    const path = inputs[i]![0];
    const hash = inputs[i]![1];
    const now = ctx.currentHash(path);
    if (now !== hash) return { kind: 'input', path, from: hash, to: now };
  }
  const output = ctx.outputState(job, record);
  if (output !== 'ok') return { kind: 'output', state: output };
  return null;
}

/**
 * `whyRun` for a job known to be up to date as to its tool, command line and inputs (nothing they
 * depend on changed since it was found so): only its output can make it run.
 */
export function whyRunOutputOnly(job: PlannedJob, record: JobRecord | undefined, ctx: DecideContext): Reason | null {
  if (!record || record.status !== 'succeeded') return whyRun(job, record, ctx);
  const output = ctx.outputState(job, record);
  return output === 'ok' ? null : { kind: 'output', state: output };
}

export function describeReason(reason: Reason): string {
  switch (reason.kind) {
    case 'forced': return 'forced (--force)';
    case 'asked': return 'asked for (a job without declared inputs runs whenever asked)';
    case 'new': return 'never built';
    case 'failed': return 'failed last time';
    case 'tool': return `the tool changed (${short(reason.from)} -> ${short(reason.to)})`;
    case 'command': return 'the command line changed';
    case 'input': return reason.to === null
      ? `input ${reason.path} is gone`
      : `input ${reason.path} changed (${short(reason.from)} -> ${short(reason.to)})`;
    case 'output': return reason.state === 'missing' ? 'its output is missing' : 'its output was modified';
  }
}

function short(hash: string): string {
  return hash.length > 12 ? hash.slice(0, 12) : hash;
}

/** The key recorded for a finished job: tool identity, command line and every input's content. */
export function jobKey(tool: string, argvHash: string, inputs: readonly (readonly [string, string])[], hash: (text: string) => string): string {
  return hash(`${tool}\u0000${argvHash}\u0000${inputs.map((pair) => `${pair[0]}\u0001${pair[1]}`).join('\u0000')}`);
}
