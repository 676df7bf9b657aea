import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../src/util/line-diff.js';

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', 'f')).toBe('');
  });

  it('shows inserted and replaced lines with two lines of context, one hunk per distant change', () => {
    const before = ['[project]', 'name = ""', '', '[compile]', 'flags = []', 'x = 1', 'y = 2', 'z = 3', 'w = 4', 'v = 5', ''].join('\n');
    const after = ['[project]', 'name = "a"', '', '[compile]', 'flags = []', 'x = 1', 'y = 2', 'z = 3', 'w = 4', 'v = 5', 'output_dir = "build"', ''].join('\n');
    expect(unifiedDiff(before, after, 'jmake.toml')).toBe([
      '--- a/jmake.toml', '+++ b/jmake.toml',
      '@@ -1,4 +1,4 @@', ' [project]', '-name = ""', '+name = "a"', ' ', ' [compile]',
      '@@ -9,3 +9,4 @@', ' w = 4', ' v = 5', '+output_dir = "build"', ' ',
    ].join('\n') + '\n');
  });
});
