// Synthetic C source trees for scenario 4: src/lib<NN>/mod<NNN>/file<NN>.{c,h}, 20 small files per
// leaf dir (10k files -> 500 leaf dirs; 100k files -> 5,000 leaf dirs), plus a jmake.toml (not with
// `{ toml: false }`: scenario 4b puts such a tree in a project's third_party/ as files nobody builds).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { filePath } from './synthetic.js';

export const TREE_TOML = `# Synthetic benchmark tree.
[project]
name = "bench"

[compile]
flags = ["-std=c11", "-O0"]
output_dir = "build"

[binary]
type = "executable"
name = "bench"
`;

export function generateTree(root, files, { toml = true } = {}) {
  const started = performance.now();
  const dirs = new Set();
  mkdirSync(root, { recursive: true });
  if (toml) writeFileSync(join(root, 'jmake.toml'), TREE_TOML);
  for (let k = 0; k < files; k++) {
    const rel = filePath(k);
    const dir = dirname(rel);
    if (!dirs.has(dir)) {
      mkdirSync(join(root, dir), { recursive: true });
      dirs.add(dir);
    }
    const name = rel.slice(rel.lastIndexOf('/') + 1, rel.lastIndexOf('.'));
    const fn = `${dir.replaceAll('/', '_')}_${name}`;
    const text = rel.endsWith('.h')
      ? `#pragma once\n/* ${rel} */\nint ${fn}(int x);\n`
      : `#include <stdint.h>\n#include "file18.h"\n\nint ${fn}(int x) {\n  return x * ${k % 97} + ${k % 13};\n}\n`;
    writeFileSync(join(root, rel), text);
  }
  return { files, leafDirs: dirs.size, ms: performance.now() - started };
}
