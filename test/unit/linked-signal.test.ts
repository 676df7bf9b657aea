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
    linked.dispose();
    a.abort();
    expect(linked.signal.aborted).toBe(false);
    expect([added, removed]).toEqual([1, 1]);
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
});
