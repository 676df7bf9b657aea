import { describe, expect, it } from 'vitest';
import { locateKey, locateNearest } from '../../src/config/locate.js';

const doc = (...lines: string[]): string => lines.join('\n');

describe('locateKey', () => {
  it('finds a top-level key and a key under a [table]', () => {
    const text = doc(
      'version = 1', // 1
      '', // 2
      '[compile]', // 3
      'flags = ["-Wall"]', // 4
      'pipeline = "ir"', // 5
      '', // 6
      '[link]', // 7
      'flags = ["-lm"]', // 8
    );
    expect(locateKey(text, ['version'])).toEqual({ line: 1, column: 1 });
    expect(locateKey(text, ['compile', 'flags'])).toEqual({ line: 4, column: 1 });
    expect(locateKey(text, ['compile', 'pipeline'])).toEqual({ line: 5, column: 1 });
    expect(locateKey(text, ['link', 'flags'])).toEqual({ line: 8, column: 1 });
    // the table itself is its header line
    expect(locateKey(text, ['compile'])).toEqual({ line: 3, column: 1 });
    expect(locateKey(text, ['link'])).toEqual({ line: 7, column: 1 });
  });

  it('does not confuse a key of one table with the same key in another', () => {
    const text = doc('[link]', 'flags = []', '[compile]', 'pipeline = "object"');
    expect(locateKey(text, ['compile', 'flags'])).toBeNull();
    expect(locateKey(text, ['flags'])).toBeNull();
  });

  it('reports the column of an indented key or header', () => {
    const text = doc('[compile]', '    flags = ["-O2"]', '  [link]', '\topt_level = "O3"');
    expect(locateKey(text, ['compile', 'flags'])).toEqual({ line: 2, column: 5 });
    expect(locateKey(text, ['link'])).toEqual({ line: 3, column: 3 });
    expect(locateKey(text, ['link', 'opt_level'])).toEqual({ line: 4, column: 2 });
  });

  it('numbers the elements of an array of tables', () => {
    const text = doc(
      '[[targets]]', // 1
      'name = "core"', // 2
      'type = "static"', // 3
      '', // 4
      '[[targets]]', // 5
      'name = "app"', // 6
      'type = "dll"', // 7
      '', // 8
      '[[targets]]', // 9
      'name = "tool"', // 10
    );
    expect(locateKey(text, ['targets', 0, 'type'])).toEqual({ line: 3, column: 1 });
    expect(locateKey(text, ['targets', 1, 'type'])).toEqual({ line: 7, column: 1 });
    expect(locateKey(text, ['targets', 2, 'name'])).toEqual({ line: 10, column: 1 });
    expect(locateKey(text, ['targets', 1])).toEqual({ line: 5, column: 1 });
    expect(locateKey(text, ['targets', 2])).toEqual({ line: 9, column: 1 });
    expect(locateKey(text, ['targets', 2, 'type'])).toBeNull();
    expect(locateKey(text, ['targets', 3])).toBeNull();
  });

  it('accepts string indexes the same as numbers', () => {
    const text = doc('[[targets]]', 'name = "a"', '[[targets]]', 'name = "b"');
    expect(locateKey(text, ['targets', '1', 'name'])).toEqual(locateKey(text, ['targets', 1, 'name']));
    expect(locateKey(text, ['targets', 1, 'name'])).toEqual({ line: 4, column: 1 });
  });

  it('finds dotted keys, at the top level and inside a table', () => {
    const text = doc(
      'compile.flags = "x"', // 1
      'compile . pipeline = "ir"', // 2
      '[profile]', // 3
      'fast.flags = ["-O3"]', // 4
    );
    expect(locateKey(text, ['compile', 'flags'])).toEqual({ line: 1, column: 1 });
    expect(locateKey(text, ['compile', 'pipeline'])).toEqual({ line: 2, column: 1 });
    expect(locateKey(text, ['profile', 'fast', 'flags'])).toEqual({ line: 4, column: 1 });
    // a dotted key is not a table header: only its full path matches
    expect(locateKey(text, ['compile'])).toBeNull();
  });

  it('finds quoted keys, in headers and in key/value lines', () => {
    const text = doc(
      '[compile.defines]', // 1
      '"HAS THING" = true', // 2
      "'single' = 1", // 3
      '["my table"]', // 4
      '"a.b" = 2', // 5
      'plain."quoted part".x = 3', // 6
    );
    expect(locateKey(text, ['compile', 'defines', 'HAS THING'])).toEqual({ line: 2, column: 1 });
    expect(locateKey(text, ['compile', 'defines', 'single'])).toEqual({ line: 3, column: 1 });
    expect(locateKey(text, ['my table'])).toEqual({ line: 4, column: 1 });
    // a dot inside quotes is part of the key
    expect(locateKey(text, ['my table', 'a.b'])).toEqual({ line: 5, column: 1 });
    expect(locateKey(text, ['my table', 'a', 'b'])).toBeNull();
    expect(locateKey(text, ['my table', 'plain', 'quoted part', 'x'])).toEqual({ line: 6, column: 1 });
  });

  it('skips comments and blank lines, and ignores trailing comments', () => {
    const text = doc(
      '# flags = "top comment"', // 1
      '', // 2
      '   ', // 3
      '[compile] # the compile table', // 4
      '  # flags = "commented out"', // 5
      'flags = ["-g"] # real', // 6
    );
    expect(locateKey(text, ['flags'])).toBeNull();
    expect(locateKey(text, ['compile'])).toEqual({ line: 4, column: 1 });
    expect(locateKey(text, ['compile', 'flags'])).toEqual({ line: 6, column: 1 });
  });

  it('handles CRLF line endings', () => {
    const text = '[compile]\r\nflags = []\r\n\r\npipeline = "ir"\r\n';
    expect(locateKey(text, ['compile', 'flags'])).toEqual({ line: 2, column: 1 });
    expect(locateKey(text, ['compile', 'pipeline'])).toEqual({ line: 4, column: 1 });
  });

  it('maps a sub-table of an array element to the latest element', () => {
    const text = doc(
      '[[targets]]', // 1
      'name = "a"', // 2
      '[targets.defines]', // 3
      'A = 1', // 4
      '[[targets]]', // 5
      'name = "b"', // 6
      '[targets.defines]', // 7
      'B = true', // 8
      '[compile]', // 9
      'flags = []', // 10
    );
    expect(locateKey(text, ['targets', 0, 'defines'])).toEqual({ line: 3, column: 1 });
    expect(locateKey(text, ['targets', 0, 'defines', 'A'])).toEqual({ line: 4, column: 1 });
    expect(locateKey(text, ['targets', 1, 'defines'])).toEqual({ line: 7, column: 1 });
    expect(locateKey(text, ['targets', 1, 'defines', 'B'])).toEqual({ line: 8, column: 1 });
    expect(locateKey(text, ['targets', 1, 'defines', 'A'])).toBeNull();
    // after another table, keys belong to that table
    expect(locateKey(text, ['compile', 'flags'])).toEqual({ line: 10, column: 1 });
    expect(locateKey(text, ['targets', 1, 'flags'])).toBeNull();
  });

  it('counts each array of tables separately', () => {
    const text = doc('[[targets]]', 'name = "a"', '[[other]]', 'x = 1', '[[targets]]', 'name = "b"', '[[other]]', 'x = 2');
    expect(locateKey(text, ['targets', 1, 'name'])).toEqual({ line: 6, column: 1 });
    expect(locateKey(text, ['other', 0, 'x'])).toEqual({ line: 4, column: 1 });
    expect(locateKey(text, ['other', 1, 'x'])).toEqual({ line: 8, column: 1 });
  });

  it('does not find keys inside an inline table', () => {
    const text = doc('[compile]', 'defines = { DEBUG = true }');
    expect(locateKey(text, ['compile', 'defines'])).toEqual({ line: 2, column: 1 });
    expect(locateKey(text, ['compile', 'defines', 'DEBUG'])).toBeNull();
  });

  it('returns null for an empty document', () => {
    expect(locateKey('', ['compile'])).toBeNull();
  });
});

describe('locateNearest', () => {
  const text = doc(
    'version = 1', // 1
    '[compile]', // 2
    'defines = { DEBUG = true }', // 3
    '[[targets]]', // 4
    'name = "a"', // 5
    '[[targets]]', // 6
    'name = "b"', // 7
  );

  it('returns the key itself when it is written out', () => {
    expect(locateNearest(text, ['targets', 1, 'name'])).toEqual({ line: 7, column: 1 });
  });

  it('falls back to the enclosing table when the key is missing', () => {
    expect(locateNearest(text, ['targets', 1, 'type'])).toEqual({ line: 6, column: 1 });
    expect(locateNearest(text, ['compile', 'pipeline'])).toEqual({ line: 2, column: 1 });
  });

  it('falls back to the key holding an inline table', () => {
    expect(locateNearest(text, ['compile', 'defines', 'DEBUG'])).toEqual({ line: 3, column: 1 });
  });

  it('is line 1, column 1 when nothing on the path is written out', () => {
    expect(locateNearest(text, ['link', 'flags'])).toEqual({ line: 1, column: 1 });
    expect(locateNearest('', ['x'])).toEqual({ line: 1, column: 1 });
    expect(locateNearest(text, [])).toEqual({ line: 1, column: 1 });
  });
});
