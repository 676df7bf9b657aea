import { describe, expect, it } from 'vitest';
import type { JmakeEvent } from '../../events/types.js';
import { BuildFeed, ChangeList } from '../../src/daemon/build-feed.js';
import { buildChanges } from '../../src/daemon/change-trigger.js';
import { formatDiagnostic } from '../../src/cli/notify.js';
import { WatchPrinter, type WatchOutput } from '../../src/cli/render/watch.js';
import { GUARDS } from '../../src/protocol/guards.js';

const fileEvent = (seq: number, type: 'file-changed' | 'file-added' | 'file-removed', path: string) =>
  ({ seq, time: 0, type, data: type === 'file-removed' ? { path } : { path, hash: 'h', size: 1, mtime: 1, ino: 1 } }) as JmakeEvent;

function fakeOutput(tty: boolean): WatchOutput & { text: () => string; advance: (ms: number) => void } {
  let out = '';
  let now = 0;
  return {
    write: (t) => { out += t; }, tty, color: false, columns: 80, now: () => now, clock: () => '12:00:00',
    text: () => out, advance: (ms) => { now += ms; },
  };
}

describe('buildChanges', () => {
  const isInput = (p: string) => p.startsWith('src/');
  it('names the inputs that changed and the sources that came or went', () => {
    const events = [fileEvent(3, 'file-changed', 'src/a.c'), fileEvent(4, 'file-changed', 'README.md'), fileEvent(5, 'file-added', 'lib/new.cpp')];
    expect(buildChanges(events, isInput, 'jmake.toml')).toEqual({ seq: 5, paths: ['src/a.c', 'lib/new.cpp'] });
  });
  it('counts jmake.toml only while a watcher asks for it', () => {
    const events = [fileEvent(7, 'file-changed', 'jmake.toml')];
    expect(buildChanges(events, isInput, 'jmake.toml')).toEqual({ seq: 0, paths: [] });
    expect(buildChanges(events, isInput, 'jmake.toml', true)).toEqual({ seq: 7, paths: ['jmake.toml'] });
  });
});

describe('ChangeList', () => {
  it('lists each path once, sorted, at most 100, and counts the rest once each', () => {
    const list = new ChangeList();
    list.add(['b.c', 'a.c', 'b.c']);
    expect(list.take()).toEqual({ changed: ['a.c', 'b.c'], more: 0 });
    expect(list.take()).toEqual({ changed: [], more: 0 });
    const many = Array.from({ length: 150 }, (_, i) => `f${String(i).padStart(3, '0')}.c`);
    list.add(many);
    list.add(many);
    const taken = list.take();
    expect(taken.changed).toHaveLength(100);
    expect(taken.more).toBe(50);
  });
});

describe('BuildFeed', () => {
  it('sends every message to every watcher and drops one whose delivery throws', () => {
    const feed = new BuildFeed();
    const a: string[] = [];
    const detachA = feed.subscribe((m) => a.push(m.type));
    feed.subscribe(() => { throw new Error('socket gone'); });
    expect(feed.watchers).toBe(2);
    feed.emit({ type: 'error', message: 'x' });
    expect(feed.watchers).toBe(1);
    feed.emit({ type: 'error', message: 'y' });
    expect(a).toEqual(['error', 'error']);
    detachA();
    expect(feed.watchers).toBe(0);
  });
});

describe('WatchPrinter', () => {
  const build = { type: 'build-started', build: 5, trigger: 'change', changed: ['src/a.cpp'], more: 0, total: 2 } as const;
  it('without a terminal: the tool output as printed and one summary line per build', () => {
    const out = fakeOutput(false);
    const printer = new WatchPrinter(out, '/p', '/p');
    printer.message({ type: 'watching', root: '/p', pid: 9, instance: 'i' });
    printer.message(build);
    printer.message({ type: 'job-started', build: 5, job: 'build/obj/src/a.cpp.o', kind: 'compile', label: 'src/a.cpp', done: 0, total: 2 });
    printer.message({ type: 'job-finished', build: 5, job: 'build/obj/src/a.cpp.o', kind: 'compile', status: 'failed', durationMs: 10, done: 1, total: 2, log: '\u001b[1msrc/a.cpp:1:1: error: x\u001b[0m\n' });
    printer.message({ type: 'diagnostic', build: 5, job: 'build/obj/src/a.cpp.o', file: 'src/a.cpp', line: 1, column: 1, severity: 'error', message: 'x' });
    out.advance(1500);
    printer.message({ type: 'build-finished', build: 5, ok: false, jobsRun: 1, failed: 1, cancelled: false, durationMs: 1500 });
    printer.message({ type: 'watching', root: '/p', pid: 9, instance: 'i' });
    expect(out.text()).toBe([
      'jmake: watching /p (daemon pid 9); Ctrl-C to stop watching (the daemon keeps running)',
      'FAILED: compile build/obj/src/a.cpp.o',
      'src/a.cpp:1:1: error: x',
      '[12:00:00] build 5: failed (1 failed) in 1s (changed: src/a.cpp)',
      '',
    ].join('\n'));
  });

  it('on a terminal: a status line with the job and the elapsed time, cleared before other output', () => {
    const out = fakeOutput(true);
    const printer = new WatchPrinter(out, '/p', '/p/src');
    printer.message(build);
    printer.message({ type: 'job-started', build: 5, job: 'build/obj/src/a.cpp.o', kind: 'compile', label: 'src/a.cpp', done: 0, total: 2 });
    out.advance(2300);
    printer.tick();
    expect(out.text().split('\r\u001b[K').at(-1)).toBe('[1/2] compile a.cpp 2s');
    printer.message({ type: 'build-finished', build: 5, ok: true, jobsRun: 2, failed: 0, cancelled: false, durationMs: 2400 });
    expect(out.text().endsWith('\r\u001b[K[12:00:00] build 5: ok, 2 jobs in 2s (changed: a.cpp)\n')).toBe(true);
  });

  it('a config error names the file and line, relative to the current directory', () => {
    const out = fakeOutput(false);
    new WatchPrinter(out, '/p', '/p').message({ type: 'config-error', message: 'bad value', file: '/p/jmake.toml', line: 3, column: 8 });
    expect(out.text()).toBe('jmake.toml:3:8: error: bad value\njmake: no build until jmake.toml is fixed (still watching)\n');
  });
});

describe('notify output and params', () => {
  it('prints diagnostics relative to the current directory', () => {
    const d = { file: 'src/a.cpp', line: 3, column: 7, severity: 'error', message: 'boom' } as const;
    expect(formatDiagnostic(d, '/p', '/p')).toBe('src/a.cpp:3:7: error: boom');
    expect(formatDiagnostic(d, '/p', '/p/src')).toBe('a.cpp:3:7: error: boom');
    expect(formatDiagnostic(d, '/p', '/elsewhere')).toBe('../p/src/a.cpp:3:7: error: boom');
    expect(formatDiagnostic({ ...d, file: '/usr/include/x.h' }, '/p', '/p')).toBe('../usr/include/x.h:3:7: error: boom');
    expect(formatDiagnostic({ ...d, file: '' }, '/p', '/p')).toBe('error: boom');
  });

  it('checks notify and watch params', () => {
    expect(GUARDS.notify({ paths: ['/p/a.c'], wait: true })).toMatchObject({ ok: true });
    expect(GUARDS.notify({ paths: ['a.c'], wait: true })).toEqual({ ok: false, message: 'paths must be an array of absolute paths' });
    expect(GUARDS.notify({ paths: ['/p/a.c'] })).toEqual({ ok: false, message: 'wait must be a boolean' });
    expect(GUARDS.watch({ jobs: 0 })).toEqual({ ok: false, message: 'jobs must be an integer >= 1' });
    expect(GUARDS.watch({ targets: ['app'], profile: 'release' })).toMatchObject({ ok: true, params: { targets: ['app'], profile: 'release' } });
  });
});
