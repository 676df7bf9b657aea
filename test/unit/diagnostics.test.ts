import { describe, expect, it } from 'vitest';
import { parseDiagnostics, stripAnsi, resolveLinkerFiles } from '../../src/toolchain/diagnostics.js';

const root = '/work/proj';

// Captured from gcc 12 and clang 14 with -fdiagnostics-color=always.
const GCC_WARNING_COLOURED = '\u001b[01m\u001b[Km.c:\u001b[m\u001b[K In function ‘\u001b[01m\u001b[Kmain\u001b[m\u001b[K’:\n\u001b[01m\u001b[Km.c:2:25:\u001b[m\u001b[K \u001b[01;35m\u001b[Kwarning: \u001b[m\u001b[Kinitialization of ‘\u001b[01m\u001b[Kint\u001b[m\u001b[K’ from ‘\u001b[01m\u001b[Kchar *\u001b[m\u001b[K’ makes integer from pointer without a cast [\u001b[01;35m\u001b[K-Wint-conversion\u001b[m\u001b[K]\n    2 | int main(void){ int x = \u001b[01;35m\u001b[K"s"\u001b[m\u001b[K; return foo(); }\n      |                         \u001b[01;35m\u001b[K^~~\u001b[m\u001b[K\n';
const GCC_ERROR_COLOURED = '\u001b[01m\u001b[Ke.c:\u001b[m\u001b[K In function ‘\u001b[01m\u001b[Kf\u001b[m\u001b[K’:\n\u001b[01m\u001b[Ke.c:1:21:\u001b[m\u001b[K \u001b[01;31m\u001b[Kerror: \u001b[m\u001b[Kexpected ‘\u001b[01m\u001b[K;\u001b[m\u001b[K’ before ‘\u001b[01m\u001b[K}\u001b[m\u001b[K’ token\n    1 | int f(void){return 0\u001b[01;31m\u001b[K}\u001b[m\u001b[K\n      |                     \u001b[01;31m\u001b[K^\u001b[m\u001b[K\n      |                     \u001b[32m\u001b[K;\u001b[m\u001b[K\n';
const CLANG_WARNING_COLOURED = '\u001b[1mm.c:2:21: \u001b[0m\u001b[0;1;35mwarning: \u001b[0m\u001b[1mincompatible pointer to integer conversion initializing \'int\' with an expression of type \'char[2]\' [-Wint-conversion]\u001b[0m\nint main(void){ int x = "s"; return foo(); }\n\u001b[0;1;32m                    ^   ~~~\n\u001b[0m1 warning generated.\n';
const CLANG_ERROR_COLOURED = '\u001b[1me.c:1:21: \u001b[0m\u001b[0;1;31merror: \u001b[0m\u001b[1mexpected \';\' after return statement\u001b[0m\nint f(void){return 0}\n\u001b[0;1;32m                    ^\n\u001b[0m\u001b[0;32m                    ;\n\u001b[0m1 error generated.\n';

describe('stripAnsi', () => {
  it('removes gcc and clang colour codes and keeps the text', () => {
    expect(stripAnsi('\u001b[01m\u001b[Ksrc/a.c:1:2:\u001b[m\u001b[K \u001b[01;31m\u001b[Kerror: \u001b[m\u001b[Kx')).toBe('src/a.c:1:2: error: x');
    expect(stripAnsi('\u001b[1ma.c:1:2: \u001b[0m\u001b[0;1;31merror: \u001b[0m\u001b[1mmsg\u001b[0m')).toBe('a.c:1:2: error: msg');
    expect(stripAnsi('plain text')).toBe('plain text');
  });
});

describe('parseDiagnostics: compilers', () => {
  it('reads a coloured gcc warning and error, skipping context and caret lines', () => {
    expect(parseDiagnostics(GCC_WARNING_COLOURED, root)).toEqual([{
      file: 'm.c', line: 2, column: 25, severity: 'warning',
      message: 'initialization of ‘int’ from ‘char *’ makes integer from pointer without a cast [-Wint-conversion]',
    }]);
    expect(parseDiagnostics(GCC_ERROR_COLOURED, root)).toEqual([{ file: 'e.c', line: 1, column: 21, severity: 'error', message: 'expected ‘;’ before ‘}’ token' }]);
  });

  it('reads a coloured clang warning and error', () => {
    expect(parseDiagnostics(CLANG_WARNING_COLOURED, root)).toEqual([{
      file: 'm.c', line: 2, column: 21, severity: 'warning',
      message: "incompatible pointer to integer conversion initializing 'int' with an expression of type 'char[2]' [-Wint-conversion]",
    }]);
    expect(parseDiagnostics(CLANG_ERROR_COLOURED, root)).toEqual([{ file: 'e.c', line: 1, column: 21, severity: 'error', message: "expected ';' after return statement" }]);
  });

  it('a fatal error is an error', () => {
    const gcc = 'src/f.c:1:10: fatal error: nope.h: No such file or directory\n    1 | #include "nope.h"\n      |          ^~~~~~~~\ncompilation terminated.\n';
    const clang = "src/f.c:1:10: fatal error: 'nope.h' file not found\n#include \"nope.h\"\n         ^~~~~~~~\n1 error generated.\n";
    expect(parseDiagnostics(gcc, root)).toEqual([{ file: 'src/f.c', line: 1, column: 10, severity: 'error', message: 'nope.h: No such file or directory' }]);
    expect(parseDiagnostics(clang, root)).toEqual([{ file: 'src/f.c', line: 1, column: 10, severity: 'error', message: "'nope.h' file not found" }]);
  });

  it('keeps notes, in order after their error', () => {
    const text = [
      'n.c:2:5: error: conflicting types for ‘g’; have ‘int(long int)’',
      '    2 | int g(long x){return 0;}',
      '      |     ^',
      'n.c:1:5: note: previous declaration of ‘g’ with type ‘int(int)’',
      '    1 | int g(int);',
      '      |     ^',
    ].join('\n');
    expect(parseDiagnostics(text, root)).toEqual([
      { file: 'n.c', line: 2, column: 5, severity: 'error', message: 'conflicting types for ‘g’; have ‘int(long int)’' },
      { file: 'n.c', line: 1, column: 5, severity: 'note', message: 'previous declaration of ‘g’ with type ‘int(int)’' },
    ]);
  });

  it('a message without a column has column 0', () => {
    expect(parseDiagnostics('src/a.c:7: warning: "X" redefined\n', root)).toEqual([{ file: 'src/a.c', line: 7, column: 0, severity: 'warning', message: '"X" redefined' }]);
  });

  it('makes files inside the root relative, keeps others absolute, and resolves ..', () => {
    const text = [
      '/work/proj/src/a.c:3:1: error: in root',
      '/usr/include/stdio.h:10:2: note: outside',
      '/work/proj/src/../include/b.h:4:7: warning: dotted',
      'src/rel.c:1:1: error: already relative',
    ].join('\r\n');
    expect(parseDiagnostics(text, root).map((d) => d.file)).toEqual(['src/a.c', '/usr/include/stdio.h', 'include/b.h', 'src/rel.c']);
  });

  it('ignores context lines, summaries and empty output', () => {
    const text = ['In file included from src/main.c:3:', 'src/a.h: In function ‘f’:', '2 warnings generated.', 'compilation terminated.', ''].join('\n');
    expect(parseDiagnostics(text, root)).toEqual([]);
    expect(parseDiagnostics('', root)).toEqual([]);
  });

  it('a message holding colons and numbers is kept whole', () => {
    expect(parseDiagnostics('src/a.c:1:2: error: expected 3: got 4: see a.c:9:9\n', root)).toEqual([
      { file: 'src/a.c', line: 1, column: 2, severity: 'error', message: 'expected 3: got 4: see a.c:9:9' },
    ]);
  });
});

describe('parseDiagnostics: linkers', () => {
  it('gcc: undefined reference (no debug info) and the collect2 summary', () => {
    const text = "/usr/bin/ld: build/obj/main.c.o: in function `main':\nmain.c:(.text+0x13): undefined reference to `foo'\ncollect2: error: ld returned 1 exit status\n";
    expect(parseDiagnostics(text, root)).toEqual([
      { file: 'main.c', line: 0, column: 0, severity: 'error', message: "undefined reference to `foo'" },
      { file: '', line: 0, column: 0, severity: 'error', message: 'ld returned 1 exit status' },
    ]);
  });

  it('gcc or clang: undefined reference with debug info names the source line', () => {
    const text = "/usr/bin/ld: mg.o: in function `main':\n/work/proj/src/m.c:2: undefined reference to `foo'\nclang: error: linker command failed with exit code 1 (use -v to see invocation)\n";
    expect(parseDiagnostics(text, root)).toEqual([
      { file: 'src/m.c', line: 2, column: 0, severity: 'error', message: "undefined reference to `foo'" },
      { file: '', line: 0, column: 0, severity: 'error', message: 'linker command failed with exit code 1 (use -v to see invocation)' },
    ]);
  });

  it('an undefined reference printed by ld itself', () => {
    expect(parseDiagnostics("/usr/bin/ld: main.o:(.text+0x5): undefined reference to `bar'\n", root)).toEqual([
      { file: '', line: 0, column: 0, severity: 'error', message: "main.o:(.text+0x5): undefined reference to `bar'" },
    ]);
  });

  it('a multiple definition is an error', () => {
    const text = "/usr/bin/ld: d2.o:(.data+0x0): multiple definition of `x'; d1.o:(.data+0x0): first defined here\n";
    expect(parseDiagnostics(text, root)).toEqual([
      { file: '', line: 0, column: 0, severity: 'error', message: "d2.o:(.data+0x0): multiple definition of `x'; d1.o:(.data+0x0): first defined here" },
    ]);
  });

  it('ld: cannot find -lfoo (old and new binutils wording)', () => {
    expect(parseDiagnostics('/usr/bin/ld: cannot find -lfoo: No such file or directory\n', root)).toEqual([
      { file: '', line: 0, column: 0, severity: 'error', message: 'cannot find -lfoo: No such file or directory' },
    ]);
    expect(parseDiagnostics('ld: cannot find -lfoo\n', root)).toEqual([{ file: '', line: 0, column: 0, severity: 'error', message: 'cannot find -lfoo' }]);
  });

  it('lld errors and warnings', () => {
    const text = 'ld.lld: error: undefined symbol: foo\n>>> referenced by m.c\n>>>               m.o:(main)\nld.lld: warning: something odd\n';
    expect(parseDiagnostics(text, root)).toEqual([
      { file: '', line: 0, column: 0, severity: 'error', message: 'undefined symbol: foo' },
      { file: '', line: 0, column: 0, severity: 'warning', message: 'something odd' },
    ]);
  });

  it('driver messages: errors and warnings kept, other chatter dropped', () => {
    const text = [
      'gcc: error: src/missing.c: No such file or directory',
      'clang++-14: warning: argument unused during compilation: \'-pthread\'',
      "/usr/bin/ld: m.o: in function `main':",
      'ar: creating build/lib/libcore.a',
    ].join('\n');
    expect(parseDiagnostics(text, root)).toEqual([
      { file: '', line: 0, column: 0, severity: 'error', message: 'src/missing.c: No such file or directory' },
      { file: '', line: 0, column: 0, severity: 'warning', message: "argument unused during compilation: '-pthread'" },
    ]);
  });
});

describe('resolveLinkerFiles', () => {
  it('names the linked source a linker gave by its basename, when only one source has it', () => {
    const parsed = parseDiagnostics("/usr/bin/ld: build/obj/src/main.cpp.o: in function `main':\nmain.cpp:(.text+0x5): undefined reference to `greeting()'\n", '/p');
    expect(parsed.map((d) => d.file)).toContain('main.cpp');
    const resolved = resolveLinkerFiles(parsed, ['src/main.cpp', 'src/greet.cpp']);
    expect(resolved.find((d) => d.message.includes('undefined reference'))).toMatchObject({ file: 'src/main.cpp', severity: 'error' });
    // Two sources with that name: left as the linker said it.
    expect(resolveLinkerFiles(parsed, ['a/main.cpp', 'b/main.cpp']).find((d) => d.message.includes('undefined'))!.file).toBe('main.cpp');
  });
});
