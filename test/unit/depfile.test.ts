import { describe, expect, it } from 'vitest';
import { normalizeDepPath, parseDepfile } from '../../src/toolchain/depfile.js';

describe('parseDepfile', () => {
  it('reads a one-line rule', () => {
    expect(parseDepfile('build/obj/main.c.o: src/main.c src/greet.h\n')).toEqual({
      targets: ['build/obj/main.c.o'],
      inputs: ['src/main.c', 'src/greet.h'],
    });
  });

  it('joins continuation lines, with LF and CRLF', () => {
    const text = 'build/obj/app/src/main.cpp.o: src/main.cpp src/greet.h \\\n  /usr/include/stdio.h \\\n  /usr/include/stdlib.h\n';
    const expected = { targets: ['build/obj/app/src/main.cpp.o'], inputs: ['src/main.cpp', 'src/greet.h', '/usr/include/stdio.h', '/usr/include/stdlib.h'] };
    expect(parseDepfile(text)).toEqual(expected);
    expect(parseDepfile(text.replace(/\n/g, '\r\n'))).toEqual(expected);
  });

  it('handles a continuation right after the colon and tabs between words', () => {
    expect(parseDepfile('out.o: \\\n\tsrc/a.c\t\\\n\tsrc/b.h\n')).toEqual({ targets: ['out.o'], inputs: ['src/a.c', 'src/b.h'] });
  });

  it('unescapes spaces, # and backslashes in names', () => {
    const text = 'build/my\\ obj.o: src/my\\ file.c include/a\\ b\\ c.h src/x\\#1.h src/back\\\\slash.h\n';
    expect(parseDepfile(text)).toEqual({
      targets: ['build/my obj.o'],
      inputs: ['src/my file.c', 'include/a b c.h', 'src/x#1.h', 'src/back\\slash.h'],
    });
  });

  it('turns $$ into $', () => {
    expect(parseDepfile('o.o: src/$$name.c src/a$$$$b.h\n')).toEqual({ targets: ['o.o'], inputs: ['src/$name.c', 'src/a$$b.h'] });
  });

  it('reads several targets of one rule', () => {
    expect(parseDepfile('a.o b.o: x.c y.h\n')).toEqual({ targets: ['a.o', 'b.o'], inputs: ['x.c', 'y.h'] });
  });

  it('accepts a space before the colon', () => {
    expect(parseDepfile('a.o : x.c\n')).toEqual({ targets: ['a.o'], inputs: ['x.c'] });
  });

  it('reads several rules (-MP style phony targets) and de-duplicates inputs', () => {
    const text = [
      'out.o: src/a.c src/a.h src/common.h \\',
      '  src/a.h',
      'src/a.h:',
      'src/common.h:',
      'other.o: src/common.h src/b.c',
      '',
    ].join('\n');
    expect(parseDepfile(text)).toEqual({
      targets: ['out.o', 'src/a.h', 'src/common.h', 'other.o'],
      inputs: ['src/a.c', 'src/a.h', 'src/common.h', 'src/b.c'],
    });
  });

  it('ignores blank lines and lines without a rule, and an empty file is empty', () => {
    expect(parseDepfile('\n\nno colon here\n\nx.o: y.c\n')).toEqual({ targets: ['x.o'], inputs: ['y.c'] });
    expect(parseDepfile('')).toEqual({ targets: [], inputs: [] });
  });
});

describe('normalizeDepPath', () => {
  const root = '/work/proj';

  it('makes a path inside the root relative', () => {
    expect(normalizeDepPath('/work/proj/src/a.h', root)).toBe('src/a.h');
    expect(normalizeDepPath('src/a.h', root)).toBe('src/a.h');
    expect(normalizeDepPath('./src/a.h', root)).toBe('src/a.h');
  });

  it('resolves .. segments', () => {
    expect(normalizeDepPath('src/../include/b.h', root)).toBe('include/b.h');
    expect(normalizeDepPath('a/../b.h', root)).toBe('b.h');
    expect(normalizeDepPath('/work/proj/src/x/../../b.h', root)).toBe('b.h');
    expect(normalizeDepPath('/usr/include/../include/stdio.h', root)).toBe('/usr/include/stdio.h');
  });

  it('keeps a path outside the root absolute', () => {
    expect(normalizeDepPath('/usr/include/stdio.h', root)).toBe('/usr/include/stdio.h');
    expect(normalizeDepPath('../other/c.h', root)).toBe('/work/other/c.h');
    expect(normalizeDepPath('/work/proj-two/d.h', root)).toBe('/work/proj-two/d.h');
  });

  it('the root itself stays absolute', () => {
    expect(normalizeDepPath('/work/proj', root)).toBe('/work/proj');
    expect(normalizeDepPath('.', root)).toBe('/work/proj');
  });

  it('a folder whose name starts with two dots is inside the root', () => {
    expect(normalizeDepPath('/work/proj/..gen/x.h', root)).toBe('..gen/x.h');
    expect(normalizeDepPath('..gen/x.h', root)).toBe('..gen/x.h');
  });

  it('accepts a root with a trailing slash', () => {
    expect(normalizeDepPath('/work/proj/src/a.h', '/work/proj/')).toBe('src/a.h');
  });
});
