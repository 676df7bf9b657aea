/**
 * Upcasting: records written by an older jmake carry an older schema version `v` for their type.
 * They are brought to the current version one step at a time when read, so the reducer and every
 * reader only handle current shapes. Records are never rewritten on disk for this.
 *
 * A change of a data shape bumps EVENT_VERSIONS[type] and adds `UPCASTERS[type][old] = (data) =>
 * newData`.
 */
import { EVENT_VERSIONS, type JmakeEvent } from './types.js';
import type { LogRecord } from './codec.js';

export type Upcaster = (data: unknown) => unknown;
/** type -> version it upgrades FROM -> function producing data of version + 1 */
export type UpcasterRegistry = Readonly<Record<string, Readonly<Record<number, Upcaster>>>>;

export const UPCASTERS: UpcasterRegistry = {
  // v2 lets `inputs` be a patch of the previous record (events/inputs-patch.ts); a v1 list is a valid v2 list.
  'job-finished': { 1: (data) => data },
};

export type UpcastResult =
  | { readonly ok: true; readonly event: JmakeEvent }
  | { readonly ok: false; readonly reason: string };

export function upcast(
  record: LogRecord,
  registry: UpcasterRegistry = UPCASTERS,
  versions: Readonly<Record<string, number>> = EVENT_VERSIONS,
): UpcastResult {
  const { type } = record;
  const current = versions[type];
  if (current === undefined) return { ok: false, reason: `unknown event type ${type}` };
  if (record.v > current) return { ok: false, reason: `${type} v${record.v} is newer than this jmake (v${current})` };
  let data = record.data;
  for (let v = record.v; v < current; v++) {
    const step = registry[type]?.[v];
    if (!step) return { ok: false, reason: `no upcaster for ${type} from v${v}` };
    data = step(data);
  }
  return { ok: true, event: { seq: record.seq, time: record.time, type, data } as JmakeEvent };
}
