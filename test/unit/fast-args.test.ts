import { describe, expect, it } from 'vitest';
import { parseFastArgs } from '../../src/cli/flags.js';

describe('parseFastArgs', () => {
  it('parses no flags', () => {
    expect(parseFastArgs([])).toEqual({ dir: undefined, json: false });
  });

  it('parses --json', () => {
    expect(parseFastArgs(['--json'])).toEqual({ dir: undefined, json: true });
    expect(parseFastArgs(['--json', '--json'])).toEqual({ dir: undefined, json: true });
  });

  it('parses -C DIR, --dir DIR and --dir=DIR', () => {
    expect(parseFastArgs(['-C', 'proj'])).toEqual({ dir: 'proj', json: false });
    expect(parseFastArgs(['--dir', '/abs/path'])).toEqual({ dir: '/abs/path', json: false });
    expect(parseFastArgs(['--dir=a b/c'])).toEqual({ dir: 'a b/c', json: false });
    expect(parseFastArgs(['--dir=a=b'])).toEqual({ dir: 'a=b', json: false });
  });

  it('combines flags in any order; the last dir wins', () => {
    expect(parseFastArgs(['--json', '-C', 'x'])).toEqual({ dir: 'x', json: true });
    expect(parseFastArgs(['-C', 'x', '--json'])).toEqual({ dir: 'x', json: true });
    expect(parseFastArgs(['-C', 'x', '--dir=y'])).toEqual({ dir: 'y', json: false });
  });

  it('returns null for a missing or flag-like dir value', () => {
    expect(parseFastArgs(['-C'])).toBeNull();
    expect(parseFastArgs(['--dir'])).toBeNull();
    expect(parseFastArgs(['-C', '--json'])).toBeNull();
    expect(parseFastArgs(['--dir', '-x'])).toBeNull();
  });

  it('returns null for anything else, so oclif handles it', () => {
    for (const argv of [['--help'], ['-h'], ['--jsn'], ['extra'], ['--json', 'positional'], ['-Cproj'], ['-C=proj'], ['--JSON'], ['--verbose']]) {
      expect(parseFastArgs(argv), argv.join(' ')).toBeNull();
    }
  });
});

describe('parseFastArgs edge cases', () => {
  it('leaves an empty --dir= to the full CLI', () => {
    expect(parseFastArgs(['--dir='])).toBeNull();
    expect(parseFastArgs(['--dir=x'])).toEqual({ dir: 'x', json: false });
  });
});
