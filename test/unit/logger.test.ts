/**
 * The daemon log (daemon/logger.ts): the lines of one turn are written together at its end, at
 * once on flush (before each reply), and when the process exits, a crash included.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { FileLogger } from '../../src/daemon/logger.js';
import { REPO_ROOT } from '../helpers/project.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const at = Date.UTC(2026, 10, 30, 12, 0, 0);

describe('FileLogger', () => {
  it('holds the lines of a turn and writes them at its end, or at once on flush', async () => {
    dir = mkdtempSync(join(tmpdir(), 'jmake-logger-'));
    const path = join(dir, 'daemon.log');
    const logger = new FileLogger(path, () => at);
    logger.log('job', 'compile a.o: succeeded in 5ms');
    logger.log('request', '#1 build rid=2 ok');
    expect(readFileSync(path, 'utf8')).toBe('');
    await new Promise((resolve) => setImmediate(resolve));
    expect(readFileSync(path, 'utf8')).toBe('2026-11-30T12:00:00.000Z [job] compile a.o: succeeded in 5ms\n2026-11-30T12:00:00.000Z [request] #1 build rid=2 ok\n');
    logger.log('daemon', 'stopping');
    logger.flush();
    expect(readFileSync(path, 'utf8')).toMatch(/\[daemon\] stopping\n$/);
    logger.log('daemon', 'last words');
    logger.close();
    expect(readFileSync(path, 'utf8')).toMatch(/\[daemon\] last words\n$/);
    logger.log('daemon', 'after close'); // ignored, never thrown
    expect(readFileSync(path, 'utf8')).not.toMatch(/after close/);
  });

  it('writes what it holds when the process dies of an uncaught exception', async () => {
    dir = mkdtempSync(join(tmpdir(), 'jmake-logger-'));
    const path = join(dir, 'daemon.log');
    const script = `import { FileLogger } from ${JSON.stringify(join(REPO_ROOT, 'dist', 'src', 'daemon', 'logger.js'))};
      const logger = new FileLogger(${JSON.stringify(path)});
      logger.log('daemon', 'about to fail');
      throw new Error('boom');`;
    const died = await execa(process.execPath, ['--input-type=module', '-e', script], { reject: false });
    expect(died.exitCode).toBe(1);
    expect(died.stderr).toMatch(/boom/);
    expect(readFileSync(path, 'utf8')).toMatch(/\[daemon\] about to fail\n$/);
  });
});
