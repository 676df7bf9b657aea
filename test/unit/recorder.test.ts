import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventLog } from '../../events/log.js';
import type { JmakeEvent, NewEvent } from '../../events/types.js';
import { Recorder } from '../../src/daemon/recorder.js';
import { initialState } from '../../src/state/state.js';

/** The part of the log the recorder's fsync policy touches: appends and fsyncs, counted. */
function fakeLog() {
  let seq = 0;
  const log = {
    syncs: 0,
    size: 0,
    append: (events: readonly NewEvent[], time: number): JmakeEvent[] => events.map((e) => ({ ...e, seq: ++seq, time }) as JmakeEvent),
    sync: () => { log.syncs++; },
  };
  return log;
}

function recorderOn(log: ReturnType<typeof fakeLog>): Recorder {
  return new Recorder(log as unknown as EventLog, initialState(), {
    snapshotPath: '/nonexistent/snapshot.json', keepRecent: () => 100, clock: () => 1, logger: { log: () => undefined }, logRecords: 0,
  });
}

const started: NewEvent = { type: 'build-started', data: { targets: [], profile: null, force: false, planned: 1, trigger: 'request' } };

afterEach(() => { vi.useRealTimers(); });

describe('Recorder fsync policy', () => {
  it('durable: fsynced before record returns', () => {
    const log = fakeLog();
    recorderOn(log).record([started], { durable: true });
    expect(log.syncs).toBe(1);
  });

  it("'soon': after the current task (the reply goes out first), once for several records", async () => {
    const log = fakeLog();
    const recorder = recorderOn(log);
    recorder.record([started], { durable: 'soon' });
    recorder.record([started], { durable: 'soon' });
    expect(log.syncs).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.syncs).toBe(1);
    expect(recorder.state.lastSeq).toBe(2);
  });

  it('otherwise: one group commit within a second', () => {
    vi.useFakeTimers();
    const log = fakeLog();
    const recorder = recorderOn(log);
    recorder.record([started]);
    recorder.record([started]);
    vi.advanceTimersByTime(999);
    expect(log.syncs).toBe(0);
    vi.advanceTimersByTime(1);
    expect(log.syncs).toBe(1);
  });
});
