import { describe, expect, it } from 'vitest';
import { ignoreRules } from '../../src/watcher/ignore.js';

describe('ignoreRules', () => {
  const rules = ignoreRules({ outputDirs: ['build'], watchExclude: ['third_party/big', 'docs'] });

  it('never ignores the root itself', () => {
    expect(rules.isIgnored('')).toBe(false);
    expect(rules.isIgnored('.')).toBe(false);
  });

  it('ignores .git, .jmake and node_modules as a segment anywhere', () => {
    for (const p of ['.git', '.git/HEAD', '.jmake', '.jmake/events.log', 'node_modules', 'node_modules/x/y.h',
      'src/.git', 'src/.git/config', 'a/b/node_modules/c.h', 'lib/.jmake/x']) {
      expect(rules.isIgnored(p), p).toBe(true);
    }
  });

  it('does not ignore names that only contain those segments', () => {
    for (const p of ['.gitignore', '.github/workflows/ci.yml', 'node_modules2/a.c', 'my.jmake', 'src/.gitkeep',
      'src/node_modules.c', 'x.git/a']) {
      expect(rules.isIgnored(p), p).toBe(false);
    }
  });

  it('ignores watch_exclude prefixes, by whole segments', () => {
    for (const p of ['docs', 'docs/a.md', 'third_party/big', 'third_party/big/x.c']) {
      expect(rules.isIgnored(p), p).toBe(true);
    }
    for (const p of ['third_party/bigger/x.c', 'third_party/small.c', 'documents/x']) {
      expect(rules.isIgnored(p), p).toBe(false);
    }
  });

  it('leaves output dirs to the output watcher (ignored here), by whole segments', () => {
    for (const p of ['build', 'build/main.o', 'build/deep/x.o']) {
      expect(rules.isIgnored(p), p).toBe(true);
      expect(rules.isOutput(p), p).toBe(true);
    }
    for (const p of ['builder/x.c', 'build.c', 'src/build/x.c', 'docs/a.md']) {
      expect(rules.isOutput(p), p).toBe(false);
    }
    expect(rules.isIgnored('builder/x.c')).toBe(false);
  });

  it('drops empty and "." prefixes instead of ignoring everything', () => {
    const r = ignoreRules({ outputDirs: ['', '.'], watchExclude: ['.'] });
    expect(r.isIgnored('src/main.c')).toBe(false);
    expect(r.isIgnored('build/x.o')).toBe(false);
    expect(r.isIgnored('.git/x')).toBe(true);
  });

  it('with no prefixes only the fixed segments apply', () => {
    const r = ignoreRules({ outputDirs: [], watchExclude: [] });
    expect(r.isIgnored('build/x')).toBe(false);
    expect(r.isIgnored('node_modules')).toBe(true);
  });

  it('handles a nested output dir', () => {
    const r = ignoreRules({ outputDirs: ['out/debug'], watchExclude: [] });
    expect(r.isOutput('out/debug/a.o')).toBe(true);
    expect(r.isOutput('out/release/a.o')).toBe(false);
    expect(r.isOutput('out')).toBe(false);
  });
});
