import { describe, expect, it } from 'vitest';
import { GUARDS } from '../../src/protocol/guards.js';
import { METHODS, isMethod, parseRequestEnvelope } from '../../src/protocol/messages.js';

describe('parseRequestEnvelope', () => {
  it('accepts a well-formed request', () => {
    expect(parseRequestEnvelope({ type: 'request', data: { rid: 7, method: 'status', params: { sync: true } } }))
      .toEqual({ ok: true, request: { rid: 7, method: 'status', params: { sync: true } } });
  });

  it('defaults missing params to {}', () => {
    expect(parseRequestEnvelope({ type: 'request', data: { rid: 1, method: 'hello' } }))
      .toEqual({ ok: true, request: { rid: 1, method: 'hello', params: {} } });
  });

  it('leaves the method name to the caller (unknown methods pass the envelope)', () => {
    const r = parseRequestEnvelope({ type: 'request', data: { rid: 1, method: 'frobnicate' } });
    expect(r.ok && r.request.method).toBe('frobnicate');
  });

  it('rejects a frame that is not an object, with rid 0', () => {
    for (const frame of [null, undefined, 1, 'request', true]) {
      expect(parseRequestEnvelope(frame)).toEqual({ ok: false, rid: 0, message: 'a frame must be a JSON object' });
    }
  });

  it('rejects another frame type, echoing the rid when it can', () => {
    expect(parseRequestEnvelope({ type: 'reply', data: { rid: 4 } }))
      .toEqual({ ok: false, rid: 4, message: 'frame type must be "request", got "reply"' });
    expect(parseRequestEnvelope({ data: { rid: 4 } }))
      .toEqual({ ok: false, rid: 4, message: 'frame type must be "request", got undefined' });
    expect(parseRequestEnvelope({ type: 5 })).toMatchObject({ ok: false, rid: 0 });
  });

  it('rejects data that is not an object', () => {
    for (const data of [null, 3, 'x', undefined]) {
      expect(parseRequestEnvelope({ type: 'request', data })).toEqual({ ok: false, rid: 0, message: 'request data must be an object' });
    }
  });

  it('rejects a rid that is not a positive integer', () => {
    for (const rid of [0, -1, 1.5, '1', null, undefined, Number.MAX_SAFE_INTEGER + 1]) {
      const r = parseRequestEnvelope({ type: 'request', data: { rid, method: 'status' } });
      expect(r.ok, String(rid)).toBe(false);
      if (!r.ok) expect(r.message).toBe('request rid must be a positive integer');
    }
  });

  it('rejects a method that is not a string, echoing the rid', () => {
    expect(parseRequestEnvelope({ type: 'request', data: { rid: 9, method: 5 } }))
      .toEqual({ ok: false, rid: 9, message: 'request method must be a string' });
  });

  it('rejects params that are not an object', () => {
    for (const params of [null, [], 'x', 1, false]) {
      expect(parseRequestEnvelope({ type: 'request', data: { rid: 2, method: 'status', params } }))
        .toEqual({ ok: false, rid: 2, message: 'request params must be an object' });
    }
  });
});

describe('methods', () => {
  it('lists every method with a guard', () => {
    expect([...METHODS].sort()).toEqual(Object.keys(GUARDS).sort());
    for (const m of METHODS) expect(isMethod(m)).toBe(true);
    for (const v of ['toString', 'HELLO', '', null, 1]) expect(isMethod(v)).toBe(false);
  });
});

describe('GUARDS', () => {
  it('hello', () => {
    expect(GUARDS.hello({ protocol: 1, version: '0.1.0' })).toEqual({ ok: true, params: { protocol: 1, version: '0.1.0', client: undefined } });
    expect(GUARDS.hello({ protocol: 2, version: 'x', client: 'jmake-cli status' }))
      .toEqual({ ok: true, params: { protocol: 2, version: 'x', client: 'jmake-cli status' } });
    expect(GUARDS.hello({ version: '1' })).toEqual({ ok: false, message: 'protocol must be an integer' });
    expect(GUARDS.hello({ protocol: 1.5, version: '1' })).toEqual({ ok: false, message: 'protocol must be an integer' });
    expect(GUARDS.hello({ protocol: '1', version: '1' })).toEqual({ ok: false, message: 'protocol must be an integer' });
    expect(GUARDS.hello({ protocol: 1 })).toEqual({ ok: false, message: 'version must be a string' });
    expect(GUARDS.hello({ protocol: 1, version: 1 })).toEqual({ ok: false, message: 'version must be a string' });
    expect(GUARDS.hello({ protocol: 1, version: '1', client: 5 })).toEqual({ ok: false, message: 'client must be a string' });
  });

  it('status', () => {
    expect(GUARDS.status({})).toEqual({ ok: true, params: { sync: undefined } });
    expect(GUARDS.status({ sync: false })).toEqual({ ok: true, params: { sync: false } });
    expect(GUARDS.status({ sync: 'yes' })).toEqual({ ok: false, message: 'sync must be a boolean' });
    expect(GUARDS.status({ sync: 1 })).toEqual({ ok: false, message: 'sync must be a boolean' });
  });

  it('events', () => {
    expect(GUARDS.events({})).toEqual({ ok: true, params: { since: undefined, limit: undefined, types: undefined, follow: undefined } });
    expect(GUARDS.events({ since: 0, limit: 1, types: ['file-added'], follow: true }))
      .toEqual({ ok: true, params: { since: 0, limit: 1, types: ['file-added'], follow: true } });
    expect(GUARDS.events({ types: [] })).toMatchObject({ ok: true, params: { types: [] } });
    expect(GUARDS.events({ since: -1 })).toEqual({ ok: false, message: 'since must be an integer >= 0' });
    expect(GUARDS.events({ since: 1.5 })).toEqual({ ok: false, message: 'since must be an integer >= 0' });
    expect(GUARDS.events({ since: '3' })).toEqual({ ok: false, message: 'since must be an integer >= 0' });
    expect(GUARDS.events({ limit: 0 })).toEqual({ ok: false, message: 'limit must be an integer >= 1' });
    expect(GUARDS.events({ limit: null })).toEqual({ ok: false, message: 'limit must be an integer >= 1' });
    expect(GUARDS.events({ types: 'file-added' })).toEqual({ ok: false, message: 'types must be an array of strings' });
    expect(GUARDS.events({ types: ['a', 1] })).toEqual({ ok: false, message: 'types must be an array of strings' });
    expect(GUARDS.events({ follow: 'true' })).toEqual({ ok: false, message: 'follow must be a boolean' });
  });

  it('shutdown', () => {
    expect(GUARDS.shutdown({})).toEqual({ ok: true, params: { reason: undefined } });
    expect(GUARDS.shutdown({ reason: 'upgrade' })).toEqual({ ok: true, params: { reason: 'upgrade' } });
    expect(GUARDS.shutdown({ reason: 3 })).toEqual({ ok: false, message: 'reason must be a string' });
  });

  it('cancel', () => {
    expect(GUARDS.cancel({ rid: 3 })).toEqual({ ok: true, params: { rid: 3 } });
    for (const rid of [undefined, 0, -2, 1.5, '3', null]) {
      expect(GUARDS.cancel(rid === undefined ? {} : { rid })).toEqual({ ok: false, message: 'rid must be an integer >= 1' });
    }
  });

  it('ignores unknown extra params', () => {
    expect(GUARDS.status({ sync: true, extra: 1 })).toEqual({ ok: true, params: { sync: true } });
  });
});

describe('parseRequestEnvelope rid echo', () => {
  it('echoes only a positive integer rid', () => {
    expect(parseRequestEnvelope({ type: 'request', data: { rid: -5, method: 'x' } })).toMatchObject({ ok: false, rid: 0 });
    expect(parseRequestEnvelope({ type: 'nope', data: { rid: 7 } })).toMatchObject({ ok: false, rid: 7 });
  });
});
