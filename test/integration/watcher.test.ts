import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { execa } from 'execa';
import { createProject, disposeAll, type TestProject } from '../helpers/project.js';
import { events, waitForEvent, waitReady } from '../helpers/events.js';
import { xxh64 } from '../helpers/hash.js';
import { waitFor } from '../helpers/wait.js';
import { DaemonConnection } from '../../src/client/connection.js';
import { readDaemonFile } from '../../src/daemon/daemon-file.js';
import { projectPaths } from '../../src/project/paths.js';
import { PROTOCOL_VERSION } from '../../src/protocol/messages.js';
import { VERSION } from '../../src/version.js';

afterEach(disposeAll);

function addConfig(p: TestProject, text: string): void {
  appendFileSync(p.path('jmake.toml'), `\n${text}\n`);
}

describe('watcher', () => {
  it('records added, changed and removed files with their xxh64 content hashes', async () => {
    const p = await createProject();
    const ready = await waitReady(p);
    const since = ready.events.lastSeq;

    writeFileSync(p.path('src/extra.cpp'), 'int extra() { return 1; }\n');
    const added = await waitForEvent(p, since, (e) => e.type === 'file-added' && e.data.path === 'src/extra.cpp', 'file-added');
    expect(added.data.hash).toBe(xxh64('int extra() { return 1; }\n'));
    expect(added.data.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(added.data.size).toBe(26);

    const changedContent = 'int extra() { return 22; }\n';
    writeFileSync(p.path('src/extra.cpp'), changedContent);
    // writeFileSync truncates, then writes: on a loaded machine the daemon may see (and record)
    // the empty file in between. What must be there is the new content's hash.
    const changed = await waitForEvent(p, added.seq, (e) => e.type === 'file-changed' && e.data.path === 'src/extra.cpp' && e.data.hash === xxh64(changedContent), 'file-changed with the new content');
    expect(changed.data.size).toBe(changedContent.length);
    expect(changed.seq).toBeGreaterThan(added.seq);

    rmSync(p.path('src/extra.cpp'));
    const removed = await waitForEvent(p, changed.seq, (e) => e.type === 'file-removed' && e.data.path === 'src/extra.cpp', 'file-removed');
    expect(removed.data).toEqual({ path: 'src/extra.cpp' });
    expect((await p.json(['status'])).files.tracked).toBe(ready.files.tracked);
  });

  it('records nothing for a touch or a rewrite with the same content', async () => {
    const p = await createProject();
    const ready = await waitReady(p);
    const future = new Date(Date.now() + 60_000);
    utimesSync(p.path('src/main.cpp'), future, future);
    writeFileSync(p.path('src/greet.h'), readFileSync(p.path('src/greet.h')));
    // status syncs with the watcher (a poll turn) and hashes what is pending before it answers.
    const after = await p.json(['status']);
    expect(after.watcher.synced).toBe(true);
    expect(after.events.lastSeq).toBe(ready.events.lastSeq);
    expect(await events(p, ['--since', String(ready.events.lastSeq)])).toEqual([]);
  });

  it('sees an edit saved just before status, even with a long settle time (sync barrier)', async () => {
    const p = await createProject();
    addConfig(p, '[daemon]\nsettle_ms = 4000');
    const ready = await waitReady(p);
    const content = '// edited\nint main() { return 0; }\n';
    writeFileSync(p.path('src/main.cpp'), content);
    const status = await p.json(['status']);
    expect(status.watcher.synced).toBe(true);
    const recorded = await events(p, ['--since', String(ready.events.lastSeq), '--type', 'file-changed']);
    expect(recorded.map((e) => [e.data.path, e.data.hash])).toEqual([['src/main.cpp', xxh64(content)]]);
    expect(status.events.lastSeq).toBeGreaterThanOrEqual(recorded[0]!.seq);
  });

  it('answers a request sent right after a save with the save in it: a tracked file, a new file, a new nested folder (sync barrier)', async () => {
    const p = await createProject();
    addConfig(p, '[daemon]\nsettle_ms = 4000'); // nothing is hashed on its own before the requests below
    const ready = await waitReady(p);
    // In this process, so the request follows the write by microseconds, not by a node start.
    const record = readDaemonFile(projectPaths(p.root).daemonJson);
    const connection = await DaemonConnection.open(record!.socket);
    try {
      await connection.call('hello', { protocol: PROTOCOL_VERSION, version: VERSION, client: 'watcher test' });
      let since = ready.events.lastSeq;
      for (let i = 0; i < 5; i++) {
        const content = `// save ${i}\nint main() { return 0; }\n`;
        writeFileSync(p.path('src/main.cpp'), content);
        const status = await connection.call('status', {});
        expect(status.watcher.synced).toBe(true);
        const recorded = (await events(p, ['--since', String(since), '--type', 'file-changed'])).filter((e) => e.seq <= status.events.lastSeq);
        expect(recorded.map((e) => [e.data.path, e.data.hash])).toEqual([['src/main.cpp', xxh64(content)]]);
        since = status.events.lastSeq;
      }
      // chokidar finds a new folder's files by reading it, one level at a time; the sync must not wait for that.
      const deep = 'src/new/a/b/c/d/e/f/g/h';
      mkdirSync(p.path(deep), { recursive: true });
      writeFileSync(p.path(`${deep}/fresh.cpp`), 'int fresh() { return 1; }\n');
      writeFileSync(p.path('src/added.cpp'), 'int added() { return 2; }\n');
      const status = await connection.call('status', {});
      const added = (await events(p, ['--since', String(since), '--type', 'file-added'])).filter((e) => e.seq <= status.events.lastSeq);
      expect(added.map((e) => e.data.path).sort()).toEqual(['src/added.cpp', `${deep}/fresh.cpp`]);
    } finally {
      connection.close();
    }
  });

  it('sees an atomic save (write a temp file, rename it over the source) as one change, and rebuilds just that source', async () => {
    const p = await createProject();
    expect((await p.json(['build'])).ok).toBe(true);
    const since = (await waitReady(p)).events.lastSeq;
    const content = '#include "greet.h"\n#include <cstdio>\nint main() { std::puts("saved atomically"); return 0; }\n';
    // What VS Code, Emacs and Vim (with backupcopy=no) do: the new content under another name, then rename(2).
    writeFileSync(p.path('src/.main.cpp.save-tmp'), content);
    renameSync(p.path('src/.main.cpp.save-tmp'), p.path('src/main.cpp'));
    await waitForEvent(p, since, (e) => e.data?.path === 'src/main.cpp', 'the saved file');
    const build = await p.json(['build']);
    expect(build.jobs.map((j: { kind: string; output: string }) => `${j.kind} ${relative(p.root, j.output)}`).sort())
      .toEqual(['compile build/obj/src/main.cpp.o', 'link build/bin/hello']);
    const seen = (await events(p, ['--since', String(since)])).filter((e) => e.data?.path === 'src/main.cpp');
    expect(seen.map((e) => [e.type, e.data.hash])).toEqual([['file-changed', xxh64(content)]]);
    expect((await execa(p.path('build/bin/hello'))).stdout).toBe('saved atomically');
  });

  it('keeps the last content when a second write follows the first within a few ms', async () => {
    const p = await createProject();
    const ready = await waitReady(p);
    writeFileSync(p.path('src/greet.cpp'), 'first\n');
    const final = '#include "greet.h"\nconst char* greeting() { return "second"; }\n';
    await new Promise((resolve) => setImmediate(resolve));
    writeFileSync(p.path('src/greet.cpp'), final);
    await waitFor(async () => {
      const changes = await events(p, ['--since', String(ready.events.lastSeq), '--type', 'file-changed']);
      const last = changes.filter((e) => e.data.path === 'src/greet.cpp').at(-1);
      return last?.data.hash === xxh64(final);
    }, { what: 'the final content to be recorded' });
  });

  it('ignores .git, node_modules, the output dir and [daemon] watch_exclude, but not [discovery] exclude', async () => {
    const p = await createProject();
    addConfig(p, '[daemon]\nwatch_exclude = ["vendor/big"]\n[discovery]\nexclude = ["third_party/**"]');
    const ready = await waitReady(p);
    for (const dir of ['.git', 'node_modules/pkg', 'build/obj', 'vendor/big', 'third_party/lib']) mkdirSync(p.path(dir), { recursive: true });
    writeFileSync(p.path('.git/HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(p.path('node_modules/pkg/index.js'), 'x\n');
    writeFileSync(p.path('build/obj/main.o'), 'object\n');
    writeFileSync(p.path('vendor/big/blob.c'), 'int blob;\n');
    writeFileSync(p.path('third_party/lib/dep.h'), '#pragma once\n');
    const seen = await waitForEvent(p, ready.events.lastSeq, (e) => e.data?.path === 'third_party/lib/dep.h', 'the header under [discovery] exclude');
    expect(seen.type).toBe('file-added');
    await p.json(['status']); // sync: anything else pending is recorded now
    const paths = (await events(p, ['--since', String(ready.events.lastSeq)])).map((e) => e.data?.path).filter(Boolean);
    expect(paths).toEqual(['third_party/lib/dep.h']);
  });

  it('finds edits made while no daemon ran (start-up reconcile)', async () => {
    const p = await createProject();
    const ready = await waitReady(p);
    await p.run(['daemon', 'stop']);
    writeFileSync(p.path('src/main.cpp'), 'int main() { return 3; }\n');
    writeFileSync(p.path('src/added.cpp'), 'int added;\n');
    rmSync(p.path('src/greet.cpp'));
    const after = await waitReady(p);
    const changes = await events(p, ['--since', String(ready.events.lastSeq)]);
    const byType = (t: string) => changes.filter((e) => e.type === t).map((e) => e.data.path);
    expect(byType('file-changed')).toEqual(['src/main.cpp']);
    expect(byType('file-added')).toEqual(['src/added.cpp']);
    expect(byType('file-removed')).toEqual(['src/greet.cpp']);
    const rescan = changes.find((e) => e.type === 'watcher-rescan');
    expect(rescan?.data).toMatchObject({ reason: 'startup', changed: 3 });
    expect(after.files.tracked).toBe(ready.files.tracked);
  });

  it('records config changes with the changed keys, and a broken config with its line and column', async () => {
    const p = await createProject();
    const ready = await waitReady(p);
    const original = readFileSync(p.path('jmake.toml'), 'utf8');
    writeFileSync(p.path('jmake.toml'), original.replace('"-Wall"', '"-Wall", "-O2"'));
    const changed = await waitForEvent(p, ready.events.lastSeq, (e) => e.type === 'config-changed', 'config-changed');
    expect(changed.data.changed).toEqual(['compile.flags']);
    expect(changed.data.config.compile.flags).toEqual(['-std=c++17', '-Wall', '-O2']);

    writeFileSync(p.path('jmake.toml'), `${original}\n[broken\n`);
    const invalid = await waitForEvent(p, changed.seq, (e) => e.type === 'config-invalid', 'config-invalid');
    const lines = `${original}\n[broken\n`.split('\n');
    expect(invalid.data.error.line).toBe(lines.indexOf('[broken') + 1);
    expect(invalid.data.error.column).toBeGreaterThan(0);
    const status = await p.json(['status']);
    expect(status.config.ok).toBe(false);
    expect(status.config.error).toMatchObject({ file: p.path('jmake.toml'), line: invalid.data.error.line });
    const human = await p.run(['status']);
    expect(human.stdout).toMatch(new RegExp(`jmake\\.toml:${invalid.data.error.line}:\\d+: `));

    writeFileSync(p.path('jmake.toml'), original);
    await waitForEvent(p, invalid.seq, (e) => e.type === 'config-changed', 'config-changed after the fix');
    expect((await p.json(['status'])).config).toEqual({ ok: true, error: null });
  });

  it('takes a jmake.toml emptied in place as mid-save: the config stays until its content is back, or is emptied after the grace period', async () => {
    const p = await createProject();
    // The daemon waits 250 ms by default; a loaded machine may take longer between the test's two writes.
    expect((await p.run(['status'], { env: { ...p.env, JMAKE_EMPTY_CONFIG_GRACE_MS: '2000' } })).code).toBe(0);
    const ready = await waitReady(p);
    const original = readFileSync(p.path('jmake.toml'), 'utf8');
    const changedText = original.replace('"-Wall"', '"-Wall", "-O2"');

    // What an editor saving in place leaves for a moment: an empty file, then the new content.
    writeFileSync(p.path('jmake.toml'), '');
    await waitFor(() => /jmake\.toml reads empty right after having content/.test(p.daemonLog()), { what: 'the daemon to see the empty jmake.toml' });
    writeFileSync(p.path('jmake.toml'), changedText);
    const changed = await waitForEvent(p, ready.events.lastSeq, (e) => e.type === 'config-changed' && e.data.hash === xxh64(changedText), 'config-changed to the new content');
    const configEvents = (await events(p, ['--since', String(ready.events.lastSeq)])).filter((e) => e.type.startsWith('config-'));
    expect(configEvents.map((e) => e.seq)).toEqual([changed.seq]); // never the empty config
    expect(changed.data.changed).toEqual(['compile.flags']);

    // Emptied for good: taken once the grace period is over.
    writeFileSync(p.path('jmake.toml'), '');
    const emptied = await waitForEvent(p, changed.seq, (e) => e.type === 'config-changed' && e.data.hash === xxh64(''), 'config-changed to the empty config');
    expect(emptied.data.config).toEqual({});
    expect((await p.json(['status'])).config).toEqual({ ok: true, error: null });
  });

  it('applies a changed [daemon] watch_exclude at once by restarting the watcher', async () => {
    const p = await createProject();
    mkdirSync(p.path('gen'));
    writeFileSync(p.path('gen/table.h'), '#define N 1\n');
    const ready = await waitReady(p);
    expect(ready.files.tracked).toBe(5);
    addConfig(p, '[daemon]\nwatch_exclude = ["gen"]');
    const rescan = await waitForEvent(p, ready.events.lastSeq, (e) => e.type === 'watcher-rescan', 'the rescan after the config change');
    expect(rescan.data.reason).toBe('config');
    const after = await events(p, ['--since', String(ready.events.lastSeq)]);
    expect(after.filter((e) => e.type === 'file-removed').map((e) => e.data.path)).toEqual(['gen/table.h']);
    writeFileSync(p.path('gen/table.h'), '#define N 2\n');
    const status = await p.json(['status']);
    expect(status.files.tracked).toBe(4);
    expect((await events(p, ['--since', String(rescan.seq)])).filter((e) => e.data?.path === 'gen/table.h')).toEqual([]);
  });
});
