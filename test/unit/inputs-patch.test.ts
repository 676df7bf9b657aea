import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeRecordBytes } from '../../events/codec.js';
import { InputsFolder, LOST_INPUTS, PATCH_MIN_INPUTS, applyInputs, diffInputs, isPatch, type InputList, type RecordedInputs } from '../../events/inputs-patch.js';
import { EventLog } from '../../events/log.js';
import type { EventDataByType, JmakeEvent, NewEvent } from '../../events/types.js';
import { openHistory } from '../../src/daemon/history.js';
import { Recorder } from '../../src/daemon/recorder.js';
import { reasonBetween } from '../../src/graph/why.js';
import { projectPaths, type ProjectPaths } from '../../src/project/paths.js';
import { applyEvents, reduceInto } from '../../src/state/reducer.js';
import { getJob } from '../../src/state/selectors.js';
import { freezeState, thawInitialState } from '../../src/state/serialize.js';
import { initialState } from '../../src/state/state.js';

const LINK = 'build/bin/app';
const objects = (n: number) => Array.from({ length: n }, (_, i) => `build/obj/src/f${i}.c.o`);
const hash = (i: number, version = 0) => `${version}`.padStart(8, '0') + `${i}`.padStart(8, '0');
/** A link's full input list: object i has content version `versions[i]` (0 when not given). */
const linkInputs = (n: number, versions: Record<number, number> = {}): InputList => objects(n).map((o, i) => [o, hash(i, versions[i] ?? 0)] as const);

describe('diffInputs', () => {
  it('writes a small list (every compile) as it is', () => {
    const base = { seq: 3, inputs: linkInputs(PATCH_MIN_INPUTS - 1) };
    const next = linkInputs(PATCH_MIN_INPUTS - 1, { 2: 1 });
    expect(diffInputs(base, next)).toBe(next);
  });

  it('writes the new hashes only when the same paths come in the same order', () => {
    const base = { seq: 3, inputs: linkInputs(1000) };
    expect(diffInputs(base, linkInputs(1000, { 7: 1, 999: 2 }))).toEqual({ since: 3, changed: [[7, hash(7, 1)], [999, hash(999, 2)]] });
    expect(diffInputs(base, linkInputs(1000))).toEqual({ since: 3, changed: [] });
  });

  it('writes the whole list with no previous record, another length, another path or many changes', () => {
    const base = { seq: 3, inputs: linkInputs(1000) };
    const longer = linkInputs(1001);
    expect(diffInputs(undefined, linkInputs(1000))).toEqual(linkInputs(1000));
    expect(diffInputs(base, longer)).toBe(longer);
    const renamed = linkInputs(1000).map(([p, h], i) => (i === 500 ? ['build/obj/src/other.c.o', h] as const : [p, h] as const));
    expect(diffInputs(base, renamed)).toBe(renamed);
    const versions = Object.fromEntries(Array.from({ length: 251 }, (_, i) => [i, 1]));
    const many = linkInputs(1000, versions);
    expect(diffInputs(base, many)).toBe(many);
    expect(isPatch(diffInputs(base, linkInputs(1000, Object.fromEntries(Array.from({ length: 250 }, (_, i) => [i, 1])))))).toBe(true);
  });
});

describe('applyInputs', () => {
  it('gives a full list back as it is, and applies a patch to its base', () => {
    const full = linkInputs(100);
    expect(applyInputs(undefined, full)).toBe(full);
    const patched = applyInputs({ seq: 3, inputs: full }, { since: 3, changed: [[4, hash(4, 1)]] });
    expect(patched).toEqual(linkInputs(100, { 4: 1 }));
    expect(patched[5]).toBe(full[5]); // the unchanged pairs are shared, not copied
    expect(full).toEqual(linkInputs(100)); // the base is not touched
  });

  it('yields LOST_INPUTS, never a wrong list, when the base is not the record patched or the patch is malformed', () => {
    const full = linkInputs(100);
    expect(applyInputs(undefined, { since: 3, changed: [] })).toBe(LOST_INPUTS);
    expect(applyInputs({ seq: 4, inputs: full }, { since: 3, changed: [] })).toBe(LOST_INPUTS);
    expect(applyInputs({ seq: 3, inputs: full }, { since: 3, changed: [[100, 'x']] })).toBe(LOST_INPUTS);
    expect(applyInputs({ seq: 3, inputs: full }, { since: 3, changed: [[1.5, 'x']] })).toBe(LOST_INPUTS);
    expect(applyInputs({ seq: 3, inputs: full }, { since: 3, changed: [[1, 7 as unknown as string]] })).toBe(LOST_INPUTS);
    expect(applyInputs({ seq: 3, inputs: full }, { since: 3, changed: 'x' } as unknown as RecordedInputs)).toBe(LOST_INPUTS);
  });
});

function finished(inputs: RecordedInputs, over: Partial<EventDataByType['job-finished']> = {}): NewEvent {
  return {
    type: 'job-finished',
    data: {
      build: 1, job: LINK, kind: 'link', status: 'succeeded', exitCode: 0, durationMs: 5, key: 'k', tool: 't', argvHash: 'a',
      inputs, output: { path: LINK, hash: 'o', size: 1, mtime: 1, ino: 1 }, diagnostics: [], log: '', ...over,
    },
  };
}

const numbered = (first: number, ...events: NewEvent[]): JmakeEvent[] => events.map((e, i) => ({ ...e, seq: first + i, time: 1 }) as JmakeEvent);

describe('the reducer folds patches', () => {
  const history = () => numbered(1,
    finished(linkInputs(200)),
    finished({ since: 1, changed: [[3, hash(3, 1)]] }),
    finished({ since: 2, changed: [[3, hash(3, 2)], [150, hash(150, 1)]] }));

  it('into the full list, live (immer) and at start-up (a private copy) alike', () => {
    const live = applyEvents(applyEvents(initialState(), history().slice(0, 2)), history().slice(2));
    expect(getJob(live, LINK)!.inputs).toEqual(linkInputs(200, { 3: 2, 150: 1 }));
    expect(getJob(live, LINK)!.seq).toBe(3);
    expect(Object.isFrozen(getJob(live, LINK)!.inputs)).toBe(true);
    const replay = thawInitialState();
    reduceInto(replay, history());
    expect(getJob(freezeState(replay), LINK)!.inputs).toEqual(getJob(live, LINK)!.inputs);
  });

  it('into LOST_INPUTS when the patch names another base: the job runs again', () => {
    const state = applyEvents(initialState(), [...history().slice(0, 1), ...numbered(2, finished({ since: 7, changed: [] }))]);
    expect(getJob(state, LINK)!.inputs).toEqual(LOST_INPUTS);
  });
});

describe('InputsFolder and jmake why', () => {
  it('follows a job through full records and patches, and why names the object that changed', () => {
    const folder = new InputsFolder();
    const first = folder.fold(LINK, 1, linkInputs(100));
    const second = folder.fold(LINK, 5, { since: 1, changed: [[42, hash(42, 1)]] });
    expect(second).toEqual(linkInputs(100, { 42: 1 }));
    const run = (inputs: InputList) => ({ ...(finished([]).data as EventDataByType['job-finished']), inputs });
    expect(reasonBetween(run(first), run(second))).toBe(`input build/obj/src/f42.c.o changed (${hash(42).slice(0, 12)} -> ${hash(42, 1).slice(0, 12)})`);
    expect(folder.fold(LINK, 9, { since: 4, changed: [] })).toBe(LOST_INPUTS);
  });
});

describe('compaction writes a kept patch out in full when what it patches is dropped', () => {
  let dir: string;
  let paths: ProjectPaths;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jmake-inputs-patch-'));
    paths = projectPaths(dir);
    mkdirSync(paths.stateDir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('and the compacted log alone rebuilds the same inputs', () => {
    const log = EventLog.open({ path: paths.eventLog, now: () => 1 }).log;
    const logger = { log: () => undefined };
    const recorder = new Recorder(log, initialState(), { snapshotPath: paths.snapshot, keepRecent: () => 0, clock: () => 1, logger, logRecords: 0 });
    recorder.record([finished(linkInputs(300))]);
    const versions: Record<number, number> = {};
    for (let edit = 1; edit <= 5; edit++) {
      versions[edit * 10] = edit;
      const next = linkInputs(300, versions);
      const recorded = diffInputs(getJob(recorder.state, LINK), next);
      expect(isPatch(recorded)).toBe(true);
      recorder.record([finished(recorded)]);
      recorder.record([{ type: 'build-finished', data: { build: 1, ok: true, jobsRun: 1, failed: 0, cancelled: false, durationMs: 1, trigger: 'request' } }]);
    }
    const expected = getJob(recorder.state, LINK)!.inputs;
    recorder.compact();
    recorder.close();

    const records = readFileSync(paths.eventLog).toString('utf8').split('\n').slice(1, -1)
      .map((line) => decodeRecordBytes(Buffer.from(line))).map((d) => (d.ok ? d.record : null));
    const jobRecords = records.filter((r) => r?.type === 'job-finished');
    expect(jobRecords).toHaveLength(1); // only the job's last record is kept...
    expect(Array.isArray((jobRecords[0]!.data as { inputs: unknown }).inputs)).toBe(true); // ...written out in full
    expect(jobRecords[0]!.seq).toBe(recorder.state.lastSeq - 1);

    rmSync(paths.snapshot, { force: true });
    expect(existsSync(paths.snapshot)).toBe(false);
    const replayed = openHistory(paths, () => 1, logger);
    replayed.log.close();
    expect(replayed.fromSnapshot).toBe(false);
    expect(getJob(replayed.state, LINK)!.inputs).toEqual(expected);
    expect(expected).toEqual(linkInputs(300, { 10: 1, 20: 2, 30: 3, 40: 4, 50: 5 }));
  });
});
