/** oclif flag definitions generated from the shared flag table (src/cli/flags.ts). */
import { Flags, type Interfaces } from '@oclif/core';
import type { FlagSpec } from './flags.js';

export function oclifFlags(specs: readonly FlagSpec[]): Interfaces.FlagInput {
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    const common = { summary: spec.summary, ...(spec.char ? { char: spec.char as never } : {}) };
    out[spec.name] = spec.kind === 'boolean' ? Flags.boolean(common) : spec.kind === 'integer' ? Flags.integer({ ...common, min: 1 }) : Flags.string(common);
  }
  return out as Interfaces.FlagInput;
}
