import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ToolchainManager } from '../../src/toolchain/manager.js';
import { fakeWatches } from '../helpers/fake-watch.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

/** A folder with a stand-in gcc and g++ (only `--version` is asked of them here). */
function fakeCompilers(version: string): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'jmake-toolchain-')));
  dirs.push(dir);
  for (const name of ['gcc', 'g++']) writeCompiler(join(dir, name), version);
  return dir;
}
function writeCompiler(path: string, version: string): void {
  writeFileSync(path, `#!/bin/sh\necho "${path.endsWith('g++') ? 'g++' : 'gcc'} (Fake) ${version}"\n`);
  chmodSync(path, 0o755);
}

const hash = (text: string) => String(text.length) + text.slice(0, 64);

describe('ToolchainManager', () => {
  it('trusts a watched toolchain without a stat; after a watch reports, looks again and finds the new binary', async () => {
    const dir = fakeCompilers('12.2.0');
    const options = { pathEnv: `${dir}:/usr/bin:/bin`, llvmRoot: null, prefer: 'gcc' as const, overrides: {} };
    const fake = fakeWatches();
    const manager = new ToolchainManager(hash, null, fake.watchFile);
    const first = await manager.get(options);
    expect(first.toolchain.tools.cc?.realPath).toBe(join(dir, 'gcc'));
    expect(fake.watching(join(dir, 'gcc'))).toBe(true);

    // Replaced behind the watch's back (the fake reports nothing): still trusted, not even stat'ed.
    writeCompiler(join(dir, 'gcc'), '13.1.0-longer');
    expect(await manager.get(options)).toBe(first);

    // Reported: the next build stats it, sees it changed and discovers again.
    fake.fire(join(dir, 'gcc'));
    const second = await manager.get(options);
    expect(second).not.toBe(first);
    expect(second.toolchain.tools.cc?.version).not.toBe(first.toolchain.tools.cc?.version);
    expect(fake.watching(join(dir, 'gcc'))).toBe(true);
    manager.close();
    expect(fake.watching(join(dir, 'gcc'))).toBe(false);
  });

  it('when a binary cannot be watched, stats them at each build and does not offer watches again', async () => {
    const dir = fakeCompilers('12.2.0');
    const options = { pathEnv: `${dir}:/usr/bin:/bin`, llvmRoot: null, prefer: 'gcc' as const, overrides: {} };
    let offers = 0;
    const manager = new ToolchainManager(hash, null, () => { offers++; return null; });
    const first = await manager.get(options);
    expect(await manager.get(options)).toBe(first);
    expect(offers).toBe(1);
    writeCompiler(join(dir, 'gcc'), '13.1.0-longer');
    expect(await manager.get(options)).not.toBe(first);
  });
});
