import { describe, expect, it } from 'vitest';
import { parse } from 'smol-toml';
import { addKeys, formatValue, isEmpty } from '../../src/config/toml-edit.js';

const commented = `# My project: keep this comment.
[project]
name = 'demo'   # single quotes stay single

# The compiler settings.
[compile]
  flags = [
    "-Wall",   # warn
    "-O2",
  ]
  defines = { FOO = "1", BAR = "2" }

[[targets]]
name = "app"
type = "executable"

[daemon]
idle_timeout = "1h"
`;

function removeLines(text: string, added: readonly string[]): string {
  const lines = text.split('\n');
  for (const line of added) {
    const at = lines.indexOf(line);
    if (at < 0) throw new Error(`line not found: ${line}`);
    lines.splice(at, 1);
  }
  return lines.join('\n');
}

describe('addKeys', () => {
  it('inserts keys under their table, after a multi-line array, with the table\'s indentation, and keeps every original line', () => {
    const r = addKeys(commented, [
      { table: ['compile'], key: 'include_dirs', value: ['include', 'src/internal'] },
      { table: ['project'], key: 'root', value: '.' },
      { table: ['compile'], key: 'output_dir', value: 'build' },
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.text).toContain(`name = 'demo'   # single quotes stay single\nroot = "."\n`);
    expect(r.text).toContain(`  ]\n  defines = { FOO = "1", BAR = "2" }\n  include_dirs = [ "include", "src/internal" ]\n  output_dir = "build"\n`);
    expect(removeLines(r.text, ['root = "."', '  include_dirs = [ "include", "src/internal" ]', '  output_dir = "build"'])).toBe(commented);
    const doc = parse(r.text) as any;
    expect(doc.compile.flags).toEqual(['-Wall', '-O2']);
    expect(doc.targets[0].name).toBe('app');
  });

  it('appends a table that does not exist, and adds tables and inline maps', () => {
    const r = addKeys(commented, [
      { table: ['binary'], key: 'type', value: 'executable' },
      { table: ['binary'], key: 'name', value: 'demo' },
      { table: ['llvm'], key: 'tools', value: { cc: 'clang', 'c++': 'clang++' } },
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.text.endsWith(`idle_timeout = "1h"\n\n[binary]\ntype = "executable"\nname = "demo"\n\n[llvm]\ntools = { cc = "clang", "c++" = "clang++" }\n`)).toBe(true);
    expect(r.text.startsWith(commented.trimEnd())).toBe(true);
  });

  it('fills an empty value in place and keeps its comment', () => {
    const text = '[project]\nname = ""  # fill me\n\n[discovery]\nfiles = []\n';
    const r = addKeys(text, [{ table: ['project'], key: 'name', value: 'x' }, { table: ['discovery'], key: 'files', value: ['src/a.c'] }]);
    expect(r).toEqual({ ok: true, text: '[project]\nname = "x"  # fill me\n\n[discovery]\nfiles = [ "src/a.c" ]\n' });
  });

  it('keeps CRLF line endings, a file without a final newline, and an empty file', () => {
    expect(addKeys('[project]\r\nname = "a"\r\n', [{ table: ['project'], key: 'root', value: '.' }])).toEqual({ ok: true, text: '[project]\r\nname = "a"\r\nroot = "."\r\n' });
    expect(addKeys('[project]\nname = "a"', [{ table: ['project'], key: 'root', value: '.' }])).toEqual({ ok: true, text: '[project]\nname = "a"\nroot = "."\n' });
    expect(addKeys('', [{ table: ['project'], key: 'name', value: 'a' }])).toEqual({ ok: true, text: '[project]\nname = "a"\n' });
  });

  it('does not mistake brackets or quotes inside strings and comments for structure', () => {
    const text = `[compile]\nflags = ["-DX=\\"[\\"", '-DY=[']  # ] [\ndoc = """\n[not a table]\nname = "no"\n"""\n\n[link]\nflags = []\n`;
    const r = addKeys(text, [{ table: ['compile'], key: 'output_dir', value: 'out' }]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.text).toBe(`[compile]\nflags = ["-DX=\\"[\\"", '-DY=[']  # ] [\ndoc = """\n[not a table]\nname = "no"\n"""\noutput_dir = "out"\n\n[link]\nflags = []\n`);
  });

  it('refuses, saying why, when a key has a value, a table is defined only by dotted keys, or the file does not parse', () => {
    expect(addKeys('[project]\nname = "a"\n', [{ table: ['project'], key: 'name', value: 'b' }])).toEqual({ ok: false, reason: 'project.name already has a value' });
    expect(addKeys('compile.flags = ["-O2"]\n', [{ table: ['compile'], key: 'output_dir', value: 'b' }])).toEqual({ ok: false, reason: 'compile has no [compile] header to add output_dir under' });
    expect(addKeys('[project\nname = 1\n', [{ table: ['project'], key: 'root', value: '.' }])).toMatchObject({ ok: false, reason: expect.stringMatching(/^jmake.toml does not parse/) });
    expect(addKeys('project = 3\n', [{ table: ['project'], key: 'root', value: '.' }])).toEqual({ ok: false, reason: 'project is not a table in jmake.toml' });
  });

  it('is idempotent through the caller: a second pass has nothing missing to add', () => {
    const first = addKeys(commented, [{ table: ['compile'], key: 'output_dir', value: 'build' }]);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(addKeys(first.text, [{ table: ['compile'], key: 'output_dir', value: 'build' }])).toEqual({ ok: false, reason: 'compile.output_dir already has a value' });
  });
});

describe('formatValue and isEmpty', () => {
  it('formats strings with escapes, lists, numbers, booleans and maps', () => {
    expect(formatValue('a "q" \\ b')).toBe('"a \\"q\\" \\\\ b"');
    expect(formatValue(['x', 'y'])).toBe('[ "x", "y" ]');
    expect(formatValue(3)).toBe('3');
    expect(formatValue(true)).toBe('true');
    expect(formatValue({})).toBe('{}');
  });

  it('treats empty strings, lists and tables as missing', () => {
    expect([isEmpty(''), isEmpty([]), isEmpty({}), isEmpty('a'), isEmpty(['a']), isEmpty(0), isEmpty(false)]).toEqual([true, true, true, false, false, false, false]);
  });
});
