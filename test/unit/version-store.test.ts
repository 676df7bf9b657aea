import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeTool } from '../../src/toolchain/discover.js';
import { FileVersionStore } from '../../src/toolchain/version-store.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

describe('tool versions kept between daemons', () => {
  it('asks a tool once; a changed binary is asked again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jmake-versions-'));
    dirs.push(dir);
    const tool = join(dir, 'clang');
    const calls = join(dir, 'calls');
    const script = (version: string) => `#!/bin/sh\necho x >> "${calls}"\necho "clang version ${version}"\n`;
    writeFileSync(tool, script('14.0.6'));
    chmodSync(tool, 0o755);
    const file = join(dir, 'cache', 'versions.json');
    const count = () => { try { return readFileSync(calls, 'utf8').split('\n').filter(Boolean).length; } catch { return 0; } };

    const first = new FileVersionStore(file);
    expect((await probeTool('clang', tool, first))?.version).toBe('14.0.6');
    first.save();
    const second = new FileVersionStore(file); // a later daemon
    expect((await probeTool('clang', tool, second))?.version).toBe('14.0.6');
    expect(count()).toBe(1);

    writeFileSync(tool, script('15.0.1')); // an upgrade: another size
    const later = new Date(Date.now() + 5000);
    utimesSync(tool, later, later);
    expect((await probeTool('clang', tool, new FileVersionStore(file)))?.version).toBe('15.0.1');
    expect(count()).toBe(2);
  });

  it('treats an unreadable file as empty', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jmake-versions-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'v.json'), '{not json');
    expect(new FileVersionStore(join(dir, 'v.json')).get('x')).toBeUndefined();
  });
});
