import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createProject, disposeAll, isAlive } from '../helpers/project.js';
import { events, waitForEvent, waitReady } from '../helpers/events.js';
import { waitFor } from '../helpers/wait.js';

afterEach(disposeAll);

async function editAFew(p: Awaited<ReturnType<typeof createProject>>, since: number): Promise<number> {
  writeFileSync(p.path('src/one.cpp'), 'int one;\n');
  writeFileSync(p.path('src/main.cpp'), 'int main() { return 7; }\n');
  rmSync(p.path('src/greet.h'));
  const last = await waitForEvent(p, since, (e) => e.type === 'file-removed' && e.data.path === 'src/greet.h', 'the removal');
  await p.json(['status']);
  return last.seq;
}

describe('history', () => {
  it('a restart replays to the same state, with and without the snapshot', async () => {
    const p = await createProject();
    const ready = await waitReady(p);
    await editAFew(p, ready.events.lastSeq);
    const before = await p.json(['status']);
    const history = await events(p);
    await p.run(['daemon', 'stop']);
    expect(existsSync(p.path('.jmake/snapshot.json'))).toBe(true);

    for (const removeSnapshot of [false, true]) {
      if (removeSnapshot) {
        await p.run(['daemon', 'stop']);
        rmSync(p.path('.jmake/snapshot.json'));
      }
      const after = await waitReady(p);
      expect(after.files).toEqual(before.files);
      // Same state as the disk: the start-up reconcile found nothing to record.
      const since = (await events(p, ['--type', 'daemon-started'])).at(-1)!.seq;
      const restart = await events(p, ['--since', String(since)]);
      expect(restart.filter((e) => e.type.startsWith('file-'))).toEqual([]);
      expect(restart.find((e) => e.type === 'watcher-rescan')?.data.changed).toBe(0);
      // History is append-only: everything seen before is still there, unchanged.
      expect((await events(p)).slice(0, history.length)).toEqual(history);
    }
  });

  it('recovers a torn tail: cuts it, keeps its bytes aside, reports it, and goes on', async () => {
    const p = await createProject();
    const ready = await waitReady(p);
    await p.run(['daemon', 'stop']);
    const log = p.path('.jmake/events.log');
    const size = readFileSync(log).length;
    appendFileSync(log, '0badc0de {"seq":9999,"time":1,"type":"file-added","v":1,"da'); // no line end
    const after = await waitReady(p);
    expect(after.log.recoveredAtStart).toBe(true);
    const recovered = await events(p, ['--type', 'log-recovered']);
    expect(recovered).toHaveLength(1);
    expect(recovered[0]!.data).toMatchObject({ offset: size, reason: expect.stringMatching(/torn/) });
    const saved = readdirSync(p.path('.jmake')).filter((n) => n.startsWith('events.log.bad-'));
    expect(saved).toHaveLength(1);
    expect(readFileSync(p.path(`.jmake/${saved[0]}`), 'utf8')).toMatch(/^0badc0de /);
    expect(after.events.lastSeq).toBeGreaterThan(ready.events.lastSeq);
    // The next daemon start finds a clean log.
    await p.run(['daemon', 'restart']);
    expect((await waitReady(p)).log.recoveredAtStart).toBe(false);
  });

  it('recovers a corrupt last record after kill -9, and never reuses its sequence number', async () => {
    const p = await createProject();
    const ready = await waitReady(p);
    const last = await editAFew(p, ready.events.lastSeq);
    const pid = p.daemonPid()!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), { what: 'the daemon to die' });
    const log = p.path('.jmake/events.log');
    const text = readFileSync(log, 'utf8');
    const lastLineStart = text.lastIndexOf('\n', text.length - 2) + 1;
    const corrupted = `${text.slice(0, lastLineStart)}${text.slice(lastLineStart).replace('"type":', '"typo":')}`;
    writeFileSync(log, corrupted);
    const lastRecordSeq = Number(/"seq":(\d+)/.exec(text.slice(lastLineStart))![1]);
    expect(lastRecordSeq).toBeGreaterThanOrEqual(last);

    const after = await waitReady(p);
    expect(after.log.recoveredAtStart).toBe(true);
    const recovered = (await events(p, ['--type', 'log-recovered']))[0]!;
    expect(recovered.data.reason).toBe('checksum mismatch');
    expect(recovered.seq).toBeGreaterThan(lastRecordSeq);
    // Everything recorded is consistent with the disk again: the removed header stays removed.
    expect((await p.json(['status'])).files.tracked).toBe(ready.files.tracked);
  });
});
