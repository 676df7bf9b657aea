import { describe, expect, it } from 'vitest';
import { pieces } from '../../src/daemon/handlers/cli.js';
import { GUARDS } from '../../src/protocol/guards.js';

describe('the native client relay', () => {
  it('cuts long output into frames without splitting a surrogate pair', () => {
    expect(pieces('')).toEqual(['']);
    expect(pieces('abcdef', 4)).toEqual(['abcd', 'ef']);
    // 'ab' + an emoji (2 UTF-16 units) + 'c': a cut after 3 units would split the emoji.
    const text = 'ab\u{1F600}c';
    const cut = pieces(text, 3);
    expect(cut).toEqual(['ab', '\u{1F600}c']);
    expect(cut.join('')).toBe(text);
    const long = 'x\u{1F600}'.repeat(1000);
    for (const max of [2, 3, 7, 64]) {
      const parts = pieces(long, max);
      expect(parts.join('')).toBe(long);
      for (const part of parts) {
        expect(part.length).toBeLessThanOrEqual(max);
        expect(Buffer.from(part).toString()).toBe(part); // no lone surrogate: survives UTF-8
      }
    }
  });

  it('checks the cli request: command, args, an absolute cwd, string env, terminals', () => {
    const good = { command: 'build', args: ['-j', '2'], cwd: '/tmp', env: { PATH: '/bin' }, stdout: { tty: true, columns: 80 }, stderr: { tty: false } };
    expect(GUARDS.cli(good)).toEqual({ ok: true, params: good });
    expect(GUARDS.cli({ ...good, command: 'clean' })).toMatchObject({ ok: false, message: expect.stringContaining('command') });
    expect(GUARDS.cli({ ...good, args: [1] })).toMatchObject({ ok: false, message: expect.stringContaining('args') });
    expect(GUARDS.cli({ ...good, cwd: 'relative' })).toMatchObject({ ok: false, message: expect.stringContaining('cwd') });
    expect(GUARDS.cli({ ...good, env: { A: 1 } })).toMatchObject({ ok: false, message: expect.stringContaining('env') });
    expect(GUARDS.cli({ ...good, env: undefined })).toMatchObject({ ok: false, message: expect.stringContaining('env') });
    expect(GUARDS.cli({ ...good, stdout: { tty: 'yes' } })).toMatchObject({ ok: false, message: expect.stringContaining('stdout') });
    expect(GUARDS.cli({ ...good, stderr: { tty: true, columns: 0 } })).toMatchObject({ ok: false, message: expect.stringContaining('stderr') });
  });
});
