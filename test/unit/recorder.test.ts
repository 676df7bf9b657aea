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
    appends: 0,
    /** Set: the next append throws it (a full disk). */
    failWith: null as Error | null,
    get lastSeq() { return seq; },
    append: (events: readonly NewEvent[], time: number): JmakeEvent[] => {
      if (log.failWith) throw log.failWith;
      log.appends++;
      log.size += events.length;
      return events.map((e) => ({ ...e, seq: ++seq, time }) as JmakeEvent);
    },
    sync: () => { log.syncs++; },
  };
  return log;
}

function recorderOn(log: ReturnType<typeof fakeLog>, logged: string[] = []): Recorder {
  return new Recorder(log as unknown as EventLog, initialState(), {
    snapshotPath: '/nonexistent/snapshot.json', keepRecent: () => 100, clock: () => 1, logger: { log: (_tag, message) => { logged.push(message); } }, logRecords: 0,
  });
}

const nextTask = () => new Promise((resolve) => setImmediate(resolve));

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

describe('Recorder.recordAfterReply', () => {
  const finished: NewEvent = { type: 'build-finished', data: { build: 1, ok: true, jobsRun: 0, failed: 0, cancelled: false, durationMs: 0, trigger: 'request' } };

  it('appends at the end of the current task, with the seqs nextSeq promised', async () => {
    const log = fakeLog();
    const recorder = recorderOn(log);
    expect(recorder.nextSeq).toBe(1);
    recorder.recordAfterReply([started, finished]);
    expect(log.appends).toBe(0);
    expect(recorder.nextSeq).toBe(3);
    await Promise.resolve(); // a reply sent from a promise continuation still goes out first
    expect(log.appends).toBe(0);
    await nextTask();
    expect(log.appends).toBe(1);
    expect(recorder.state.lastSeq).toBe(2);
    expect(recorder.state.builds.last?.build).toBe(1);
  });

  it('is recorded first when anything records, reads the state or the log size meanwhile', () => {
    const log = fakeLog();
    const recorder = recorderOn(log);
    recorder.recordAfterReply([started, finished]);
    const [next] = recorder.record([started]);
    expect(next?.seq).toBe(3);
    expect(log.appends).toBe(2);

    recorder.recordAfterReply([started, finished]);
    expect(recorder.state.lastSeq).toBe(5);
    recorder.recordAfterReply([started]);
    expect(recorder.logBytes).toBe(6);
  });

  it('keeps its fsync option', async () => {
    const log = fakeLog();
    const recorder = recorderOn(log);
    recorder.recordAfterReply([started], { durable: true });
    expect(log.syncs).toBe(0);
    await nextTask();
    expect(log.syncs).toBe(1);
  });

  it('a failed append is logged, not thrown at whoever looked, and the state stays as it was', () => {
    const log = fakeLog();
    const logged: string[] = [];
    const recorder = recorderOn(log, logged);
    recorder.recordAfterReply([started, finished]);
    log.failWith = new Error('ENOSPC: no space left on device');
    expect(recorder.state.lastSeq).toBe(0);
    expect(logged).toEqual(['cannot record build-started, build-finished: ENOSPC: no space left on device']);
    expect(recorder.writeError).toContain('ENOSPC');
  });
});
