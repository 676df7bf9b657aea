import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, writeFileSync } from 'node:fs';
import { execa, execaSync } from 'execa';
import { BIN, createProject, disposeAll } from '../helpers/project.js';
import { events, waitForEvent } from '../helpers/events.js';
import { xxh64 } from '../helpers/hash.js';
import { waitFor } from '../helpers/wait.js';

afterEach(disposeAll);

/**
 * A user namespace has its own inotify watch limit (/proc/sys/user/max_inotify_watches), so the
 * daemon can be run past the limit without touching the machine-wide setting other tests share.
 */
function userNamespaceProblem(): string | null {
  try {
    execaSync('unshare', ['-U', '-r', 'sh', '-c', 'echo 5 > /proc/sys/user/max_inotify_watches']);
    return null;
  } catch (err) {
    return `cannot create a user namespace with its own inotify limit here (${(err as Error).message.split('\n')[0]})`;
  }
}

const problem = userNamespaceProblem();
if (problem) console.warn(`skipping the inotify-limit test: ${problem}`);

describe('past the inotify watch limit', () => {
  it.skipIf(problem !== null)('falls back to polling the unwatchable paths, says so in status, and still sees edits', async () => {
    const p = await createProject();
    appendFileSync(p.path('jmake.toml'), '\n[daemon]\npoll_interval = "200ms"\n');
    const script = `echo 3 > /proc/sys/user/max_inotify_watches && exec "${process.execPath}" "${BIN}" daemon start --json`;
    const started = await execa('unshare', ['-U', '-r', 'sh', '-c', script], { cwd: p.root, env: p.env, extendEnv: false });
    expect(JSON.parse(started.stdout)).toMatchObject({ running: true });

    const status = await waitFor(async () => {
      const s = await p.json(['status']);
      return s.watcher.ready && s.watcher.fallbacks.length > 0 ? s : null;
    }, { what: 'the watcher to report fallbacks' });
    expect(status.watcher.errors.map((e: { code: string }) => e.code)).toContain('ENOSPC');
    const overflow = await events(p, ['--type', 'watcher-overflow']);
    expect(overflow.length).toBeGreaterThan(0);
    expect(overflow[0]!.data).toMatchObject({ code: 'ENOSPC', fallback: 'poll' });
    expect((await p.run(['status'])).stdout).toMatch(/polling \d+ unwatchable paths/);

    const content = 'int polled() { return 5; }\n';
    writeFileSync(p.path('src/polled.cpp'), content);
    const added = await waitForEvent(p, status.events.lastSeq, (e) => e.data?.path === 'src/polled.cpp', 'the polled file');
    expect(added).toMatchObject({ type: 'file-added', data: { hash: xxh64(content) } });
  });
});
