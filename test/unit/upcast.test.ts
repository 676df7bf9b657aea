import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../events/codec.js';
import { EVENT_TYPES, EVENT_VERSIONS, isEventType } from '../../events/types.js';
import { UPCASTERS, upcast, type UpcasterRegistry } from '../../events/upcast.js';

const record = (type: string, v: number, data: unknown, seq = 5): LogRecord => ({ seq, time: 123, type, v, data });

interface Trail { readonly steps: string[]; readonly [key: string]: unknown }

const registry: UpcasterRegistry = {
  'file-added': {
    1: (d) => ({ ...(d as Trail), steps: [...(d as Trail).steps, '1->2'], renamed: (d as { name?: string }).name }),
    2: (d) => ({ ...(d as Trail), steps: [...(d as Trail).steps, '2->3'] }),
  },
  'gap-type': { 1: (d) => d },
};
const versions = { 'file-added': 3, 'gap-type': 3, 'file-removed': 1 };

describe('upcast with an injected registry', () => {
  it('brings an old record to the current version one step at a time, in order', () => {
    const result = upcast(record('file-added', 1, { steps: [], name: 'a.c' }), registry, versions);
    expect(result).toEqual({
      ok: true,
      event: { seq: 5, time: 123, type: 'file-added', data: { steps: ['1->2', '2->3'], name: 'a.c', renamed: 'a.c' } },
    });
  });

  it('starts at the record version', () => {
    const result = upcast(record('file-added', 2, { steps: [] }), registry, versions);
    expect(result.ok && result.event.data).toEqual({ steps: ['2->3'] });
  });

  it('passes a current record through untouched (same data object)', () => {
    const data = { steps: [] };
    const result = upcast(record('file-added', 3, data), registry, versions);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.event.data).toBe(data);
  });

  it('refuses a record newer than this jmake knows', () => {
    const result = upcast(record('file-added', 4, {}), registry, versions);
    expect(result).toEqual({ ok: false, reason: 'file-added v4 is newer than this jmake (v3)' });
  });

  it('refuses an unknown type', () => {
    expect(upcast(record('from-the-future', 1, {}), registry, versions)).toEqual({ ok: false, reason: 'unknown event type from-the-future' });
    // a type known to the default table but missing from the injected one is unknown too
    expect(upcast(record('daemon-started', 1, {}), registry, versions).ok).toBe(false);
  });

  it('refuses when a step is missing', () => {
    expect(upcast(record('gap-type', 1, {}), registry, versions)).toEqual({ ok: false, reason: 'no upcaster for gap-type from v2' });
  });

  it('does not mutate the stored record', () => {
    const rec = record('file-added', 1, { steps: [] });
    upcast(rec, registry, versions);
    expect(rec.data).toEqual({ steps: [] });
    expect(rec.v).toBe(1);
  });
});

describe('upcast with the built-in tables', () => {
  it('passes every current type through with its seq and time', () => {
    for (const type of EVENT_TYPES) {
      const data = { marker: type };
      const result = upcast(record(type, EVENT_VERSIONS[type], data, 9));
      expect(result).toEqual({ ok: true, event: { seq: 9, time: 123, type, data } });
    }
  });

  it('reads a v1 job-finished (a full input list) as v2, unchanged', () => {
    expect(Object.keys(UPCASTERS)).toEqual(['job-finished']);
    const data = { job: 'build/bin/app', inputs: [['build/obj/a.o', 'aaaa']] };
    expect(EVENT_VERSIONS['job-finished']).toBe(2);
    expect(upcast(record('job-finished', 1, data, 4))).toEqual({ ok: true, event: { seq: 4, time: 123, type: 'job-finished', data } });
  });

  it('refuses unknown types and newer versions', () => {
    expect(upcast(record('frobnicated', 1, {})).ok).toBe(false);
    expect(upcast(record('file-added', EVENT_VERSIONS['file-added'] + 1, {}))).toEqual({
      ok: false, reason: `file-added v${EVENT_VERSIONS['file-added'] + 1} is newer than this jmake (v${EVENT_VERSIONS['file-added']})`,
    });
  });

  it('isEventType knows exactly the listed types (not inherited keys)', () => {
    for (const type of EVENT_TYPES) expect(isEventType(type)).toBe(true);
    for (const value of ['toString', 'constructor', '__proto__', 'file', '', 1, null, undefined]) expect(isEventType(value)).toBe(false);
  });
});
