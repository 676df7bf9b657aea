import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Output } from '../../src/cli/stdio.js';

let dir: string | null = null;
afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); dir = null; });

describe('Output (the commands\' stdout and stderr)', () => {
  it('writes a file descriptor directly, in order, without Node\'s stream', () => {
    dir = mkdtempSync(join(tmpdir(), 'jmake-stdio-'));
    const path = join(dir, 'out.txt');
    const fd = openSync(path, 'w');
    let streamMade = false;
    const out = new Output(fd, () => { streamMade = true; throw new Error('no stream wanted'); });
    expect(out.isTTY).toBe(false);
    expect(out.columns).toBeUndefined();
    const big = 'x'.repeat(200_000);
    out.write('first\n');
    out.write('');
    out.write(`${big}\n`);
    out.write('ünïcödé last\n');
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe(`first\n${big}\nünïcödé last\n`);
    expect(out.pendingStream()).toBeNull();
    expect(streamMade).toBe(false);
  });
});
