import { describe, expect, it } from 'vitest';
import { linkedSignal } from '../../src/util/linked-signal.js';

describe('linkedSignal', () => {
  it('aborts when any source aborts, with its reason', () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = linkedSignal([a.signal, b.signal]);
    expect(linked.signal.aborted).toBe(false);
    b.abort('stop');
    expect(linked.signal.aborted).toBe(true);
    expect(linked.signal.reason).toBe('stop');
  });

  it('is aborted at once when a source already is', () => {
    const a = new AbortController();
    a.abort('early');
    const linked = linkedSignal([new AbortController().signal, a.signal]);
    expect(linked.signal.reason).toBe('early');
  });

  it('after dispose, a source aborting no longer reaches it, and the sources hold no listener of it', () => {
    const a = new AbortController();
    let added = 0;
    let removed = 0;
    const add = a.signal.addEventListener.bind(a.signal);
    const remove = a.signal.removeEventListener.bind(a.signal);
    a.signal.addEventListener = ((...args: Parameters<typeof add>) => { added++; add(...args); }) as typeof add;
    a.signal.removeEventListener = ((...args: Parameters<typeof remove>) => { removed++; remove(...args); }) as typeof remove;
    const linked = linkedSignal([a.signal]);
    expect(linked.signal.aborted).toBe(false);
    linked.dispose();
    a.abort();
    expect(linked.signal.aborted).toBe(false);
    expect(linked.aborted).toBe(false);
    expect([added, removed]).toEqual([1, 1]);
  });

  it('makes no signal and adds no listener until the signal is read (a no-op build only asks `aborted`)', () => {
    const a = new AbortController();
    let added = 0;
    const add = a.signal.addEventListener.bind(a.signal);
    a.signal.addEventListener = ((...args: Parameters<typeof add>) => { added++; add(...args); }) as typeof add;
    const linked = linkedSignal([a.signal]);
    expect(linked.aborted).toBe(false);
    expect(added).toBe(0);
    a.abort('stop');
    expect(linked.aborted).toBe(true);
    expect(linked.signal.reason).toBe('stop');
    expect(added).toBe(0);
  });

  it('aborted by abort() before the signal was read: the signal comes aborted with that reason, sources ignored', () => {
    const a = new AbortController();
    const linked = linkedSignal([a.signal]);
    linked.abort('cancelled by jobs cancel');
    a.abort('later');
    expect(linked.aborted).toBe(true);
    expect(linked.signal.reason).toBe('cancelled by jobs cancel');
  });

  it('after dispose, a source that aborts before the signal is read does not reach it either', () => {
    const a = new AbortController();
    const linked = linkedSignal([a.signal]);
    linked.dispose();
    a.abort();
    expect(linked.aborted).toBe(false);
    expect(linked.signal.aborted).toBe(false);
  });

  it('abort() aborts it alone, with that reason, and lets go of the sources', () => {
    const a = new AbortController();
    const linked = linkedSignal([a.signal]);
    linked.abort('cancelled by jobs cancel');
    expect(linked.signal.aborted).toBe(true);
    expect(linked.signal.reason).toBe('cancelled by jobs cancel');
    expect(a.signal.aborted).toBe(false);
    a.abort('later');
    expect(linked.signal.reason).toBe('cancelled by jobs cancel');
  });

  it('follows another linked signal: asking `aborted` makes neither signal; reading its own links them', () => {
    const request = linkedSignal([]);
    const build = linkedSignal([request]);
    expect(build.aborted).toBe(false);
    request.abort('the client went away');
    expect(build.aborted).toBe(true);
    expect(build.signal.reason).toBe('the client went away');

    const request2 = linkedSignal([]);
    const build2 = linkedSignal([request2]);
    const seen: unknown[] = [];
    build2.signal.addEventListener('abort', () => seen.push(build2.signal.reason));
    request2.abort('Ctrl-C');
    expect(seen).toEqual(['Ctrl-C']);
  });
});
