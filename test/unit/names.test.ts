/** File names that are not UTF-8 (issue 8): found beside the sources and shown readably. Real files in a temp dir. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { foldersOf, showBytes, undecodableNames, undecodableWarning } from '../../src/util/names.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'jmake-names-'));
  mkdirSync(join(root, 'build'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('names that are not UTF-8', () => {
  it('shows valid runs as they are and every other byte as \\xNN', () => {
    expect(showBytes(Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0x2e, 0x63]))).toBe('bad\\xff\\xfe.c');
    expect(showBytes(Buffer.from('café ☃.c'))).toBe('café ☃.c');
    expect(showBytes(Buffer.from([0x63, 0x61, 0x66, 0xc3]))).toBe('caf\\xc3'); // a sequence cut short
  });

  it('are found in the given folders only, sorted, relative to the root', () => {
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src', 'ok.c'), '');
    writeFileSync(Buffer.from([...Buffer.from(join(root, 'src', 'b')), 0xff, ...Buffer.from('.c')]), '');
    writeFileSync(Buffer.from([...Buffer.from(join(root, 'a')), 0xe9, ...Buffer.from('.c')]), '');
    writeFileSync(Buffer.from([...Buffer.from(join(root, 'build', 'x')), 0xff]), '');
    expect(undecodableNames(root, ['src', '', 'missing'])).toEqual(['a\\xe9.c', 'src/b\\xff.c']);
    expect(undecodableWarning('src/b\\xff.c')).toBe('src/b\\xff.c: the file name is not valid UTF-8, so jmake cannot open it and leaves it out of the build; rename it');
  });

  it('foldersOf lists each folder once, the root as ""', () => {
    expect([...foldersOf(['src/a.c', 'src/b.c', 'main.c', 'src/x/y.c'])]).toEqual(['src', '', 'src/x']);
  });
});
