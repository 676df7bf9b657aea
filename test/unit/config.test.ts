import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, daemonSettings, parseDuration } from '../../src/config/daemon-settings.js';
import { changedKeys, parseConfig, readConfig } from '../../src/config/load.js';
import type { Hasher } from '../../src/util/hash.js';

const fakeHasher: Hasher = {
  hashBytes: (bytes) => `len-${bytes.length}`,
  hashFileSync: () => { throw new Error('not used'); },
};

describe('parseConfig', () => {
  it('parses TOML into plain objects and keeps the hash', () => {
    const r = parseConfig(Buffer.from('name = "x"\n[daemon]\nidle_timeout = "10m"\nwatch_exclude = ["a", "b"]\n[compile.flags]\nO = 2\n'), 'h1');
    expect(r).toMatchObject({ ok: true, hash: 'h1', values: { name: 'x', daemon: { idle_timeout: '10m', watch_exclude: ['a', 'b'] }, compile: { flags: { O: 2 } } } });
    if (!r.ok) throw new Error('unreachable');
    expect(Object.getPrototypeOf(r.values)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(r.values.daemon)).toBe(Object.prototype);
  });

  it('parses an empty document', () => {
    expect(parseConfig(Buffer.from(''), 'e')).toEqual({ ok: true, hash: 'e', values: {}, text: '' });
  });

  it('reports the 1-based line and column of a syntax error', () => {
    const r = parseConfig(Buffer.from('[daemon]\nidle_timeout = "3h"\n  x = = 2\n'), 'h2');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.hash).toBe('h2');
    expect(r.error.line).toBe(3);
    expect(r.error.column).toBe(7); // the second "="
    expect(r.error.message).toBeTruthy();
    expect(r.error.message).not.toContain('\n');
    expect(r.error.message).not.toMatch(/^Invalid TOML document/);
  });

  it('reports the line of a redefined key', () => {
    const r = parseConfig(Buffer.from('a = 1\nb = 2\na = 3\n'), 'h');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.line).toBe(3);
      expect(r.error.column).toBe(1);
    }
  });

  it('reports an error on the first line', () => {
    const r = parseConfig(Buffer.from('= 1\n'), 'h');
    expect(!r.ok && r.error.line).toBe(1);
    expect(!r.ok && r.error.column).toBe(1);
  });
});

describe('parseConfig with hostile bytes (issue 8)', () => {
  it('refuses a file that is not UTF-8 at the first bad byte, with validate\'s message', () => {
    const r = parseConfig(Buffer.concat([Buffer.from('[compile]\nflags = ["-DX='), Buffer.from([0xff, 0xfe]), Buffer.from('"]\n')]), 'h');
    expect(r).toEqual({ ok: false, hash: 'h', error: { line: 2, column: 15, message: 'not valid UTF-8: the bytes here are not a character (is this a text file?)' } });
    // Random bytes, a NUL: an error with a place, never an exception.
    const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    expect(parseConfig(junk, 'j')).toMatchObject({ ok: false, error: { line: expect.any(Number), column: expect.any(Number) } });
    expect(parseConfig(Buffer.from('a = 1\n# x\u0000y\n'), 'n')).toMatchObject({ ok: false, error: { line: 2, column: 4, message: expect.stringContaining('\\x00') } });
  });

  it('says a syntax error as jmake validate does', () => {
    const r = parseConfig(Buffer.from('[project]\nname = app\n'), 'h');
    expect(!r.ok && r.error.message).toBe('syntax error: invalid value in `name = app`');
  });
});

describe('readConfig', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'jmake-config-test-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('reads, hashes and parses a file', () => {
    const path = join(dir, 'jmake.toml');
    writeFileSync(path, 'a = 1\n');
    expect(readConfig(path, fakeHasher)).toEqual({ ok: true, hash: 'len-6', values: { a: 1 }, text: 'a = 1\n' });
  });

  it('reports an unreadable file at line 0, column 0', () => {
    const r = readConfig(join(dir, 'missing.toml'), fakeHasher);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.hash).toBe('');
      expect(r.error.line).toBe(0);
      expect(r.error.column).toBe(0);
      expect(r.error.message).toContain('cannot read');
    }
  });
});

describe('changedKeys', () => {
  it('lists every leaf key, sorted, for the first config', () => {
    expect(changedKeys(null, { b: 1, a: { y: 2, x: [1] }, c: 'z' })).toEqual(['a.x', 'a.y', 'b', 'c']);
  });

  it('is empty for equal configs (arrays compare by value)', () => {
    const c = { a: { b: [1, 2, { c: 3 }] }, d: true };
    expect(changedKeys(c, JSON.parse(JSON.stringify(c)) as Record<string, unknown>)).toEqual([]);
  });

  it('lists changed, added and removed leaves', () => {
    const before = { daemon: { idle_timeout: '1h', settle_ms: 50 }, keep: 1, gone: 'x' };
    const after = { daemon: { idle_timeout: '2h', settle_ms: 50, poll_interval: 2 }, keep: 1, added: true };
    expect(changedKeys(before, after)).toEqual(['added', 'daemon.idle_timeout', 'daemon.poll_interval', 'gone']);
  });

  it('compares arrays whole', () => {
    expect(changedKeys({ a: [1, 2] }, { a: [2, 1] })).toEqual(['a']);
    expect(changedKeys({ a: [1, 2] }, { a: [1, 2, 3] })).toEqual(['a']);
  });

  it('distinguishes types that print alike', () => {
    expect(changedKeys({ a: 1 }, { a: '1' })).toEqual(['a']);
    expect(changedKeys({ a: null }, { a: 'null' })).toEqual(['a']);
  });

  it('reports both sides when a table becomes a value', () => {
    expect(changedKeys({ a: { b: 1 } }, { a: 5 })).toEqual(['a', 'a.b']);
  });
});

describe('parseDuration', () => {
  it('reads a number as seconds', () => {
    expect(parseDuration(0)).toBe(0);
    expect(parseDuration(30)).toBe(30_000);
    expect(parseDuration(1.5)).toBe(1500);
  });

  it('reads strings with units (default seconds)', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('30')).toBe(30_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('3h')).toBe(10_800_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration(' 10 m ')).toBe(600_000);
    expect(parseDuration('0ms')).toBe(0);
  });

  it('rejects anything else', () => {
    for (const v of [-1, Number.NaN, Number.POSITIVE_INFINITY, '-1s', '1d', '', ' ', 'abc', '1.s', '.5s', '1H', '1 h 2 m', '10sec', null, undefined, true, [], {}]) {
      expect(parseDuration(v), JSON.stringify(v) ?? String(v)).toBeNull();
    }
  });
});

describe('daemonSettings', () => {
  it('gives the defaults for no config, without warnings', () => {
    expect(daemonSettings(null)).toEqual({ settings: DEFAULT_SETTINGS, warnings: [] });
    expect(daemonSettings({})).toEqual({ settings: DEFAULT_SETTINGS, warnings: [] });
    expect(DEFAULT_SETTINGS).toEqual({
      idleTimeoutMs: 10_800_000, watchExclude: [], settleMs: 5, pollIntervalMs: 2000, keepRecentEvents: 10000, outputDirs: ['build'], buildOnChange: true,
      maxMemoryMb: 0, watchScope: null,
    });
  });

  it('reads every [daemon] key and the output dir', () => {
    const { settings, warnings } = daemonSettings({
      daemon: { idle_timeout: '10m', watch_exclude: ['./vendor/', 'third_party//', 'docs'], settle_ms: 100, poll_interval: 5, keep_recent_events: 0, build_on_change: false, max_memory_mb: 2048 },
      compile: { output_dir: './out/' },
      discovery: { include: ['src/**/*.c'] },
    });
    expect(warnings).toEqual([]);
    expect(settings).toEqual({
      idleTimeoutMs: 600_000, watchExclude: ['vendor', 'third_party', 'docs'], settleMs: 100, pollIntervalMs: 5000, keepRecentEvents: 0, outputDirs: ['out'], buildOnChange: false,
      maxMemoryMb: 2048, watchScope: ['src'],
    });
  });

  it('falls back to the default with a warning for each bad value', () => {
    const { settings, warnings } = daemonSettings({
      daemon: { idle_timeout: 'forever', watch_exclude: ['ok', ''], settle_ms: 5001, poll_interval: -1, keep_recent_events: 1.5, build_on_change: 'yes' },
    });
    expect(settings).toEqual(DEFAULT_SETTINGS);
    expect(warnings).toHaveLength(6);
    for (const key of ['idle_timeout', 'watch_exclude', 'settle_ms', 'poll_interval', 'keep_recent_events']) {
      expect(warnings.some((w) => w.startsWith(`[daemon] ${key} = `) && w.endsWith('is not valid; using the default')), key).toBe(true);
    }
    expect(warnings).toContain('[daemon] idle_timeout = "forever" is not valid; using the default');
  });

  it('accepts the bounds of the integer settings', () => {
    const { settings, warnings } = daemonSettings({ daemon: { settle_ms: 5000, keep_recent_events: 1e9 } });
    expect(warnings).toEqual([]);
    expect(settings.settleMs).toBe(5000);
    expect(settings.keepRecentEvents).toBe(1e9);
    expect(daemonSettings({ daemon: { settle_ms: -1 } }).warnings).toHaveLength(1);
    expect(daemonSettings({ daemon: { keep_recent_events: 1e9 + 1 } }).warnings).toHaveLength(1);
    expect(daemonSettings({ daemon: { watch_exclude: 'vendor' } }).warnings).toHaveLength(1);
  });

  it('rejects durations a timer cannot hold (they would fire after 1 ms)', () => {
    // 2^31 - 1 ms (~24.8 days) is the longest delay setTimeout/setInterval honour
    const longest = daemonSettings({ daemon: { idle_timeout: '2147483647ms', poll_interval: '2147483647ms' } });
    expect(longest.warnings).toEqual([]);
    expect(longest.settings.idleTimeoutMs).toBe(2_147_483_647);
    expect(longest.settings.pollIntervalMs).toBe(2_147_483_647);
    for (const value of ['720h', '2147483648ms', 1e308, '9'.repeat(400)]) {
      const { settings, warnings } = daemonSettings({ daemon: { idle_timeout: value, poll_interval: value } });
      expect(settings.idleTimeoutMs, String(value)).toBe(DEFAULT_SETTINGS.idleTimeoutMs);
      expect(settings.pollIntervalMs, String(value)).toBe(DEFAULT_SETTINGS.pollIntervalMs);
      expect(warnings).toHaveLength(2);
    }
  });

  it('ignores [daemon] or [compile] that are not tables, and a bad output_dir', () => {
    expect(daemonSettings({ daemon: 5, compile: [1] }).settings).toEqual(DEFAULT_SETTINGS);
    expect(daemonSettings({ compile: { output_dir: '' } }).settings.outputDirs).toEqual(['build']);
    expect(daemonSettings({ compile: { output_dir: 3 } }).settings.outputDirs).toEqual(['build']);
    expect(daemonSettings({ compile: { output_dir: 'out/debug' } }).settings.outputDirs).toEqual(['out/debug']);
  });

  it('keeps only output dirs inside the root: the output watcher creates them (issue 8)', () => {
    const dirs = (compile: unknown, profile: unknown = {}) => daemonSettings({ compile, profile }).settings.outputDirs;
    expect(dirs({ output_dir: '../build' }, { r: { output_dir: 'build/../../release' }, a: { output_dir: '/tmp/abs' } })).toEqual([]);
    expect(dirs({ output_dir: 'out/./x/' }, { r: { output_dir: './rel' } })).toEqual(['out/x', 'rel']);
    expect(dirs({ output_dir: '.' })).toEqual([]);
  });
});

describe('daemonSettings limits', () => {
  it('idle_timeout = 0 means never; poll_interval below 100ms falls back to the default with a warning', () => {
    expect(daemonSettings({ daemon: { idle_timeout: 0 } }).settings.idleTimeoutMs).toBe(0);
    const fast = daemonSettings({ daemon: { poll_interval: '10ms' } });
    expect(fast.settings.pollIntervalMs).toBe(DEFAULT_SETTINGS.pollIntervalMs);
    expect(fast.warnings.join('\n')).toMatch(/poll_interval/);
    expect(daemonSettings({ daemon: { poll_interval: '100ms' } }).settings.pollIntervalMs).toBe(100);
  });
});
