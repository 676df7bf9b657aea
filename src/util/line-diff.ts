/**
 * A unified diff of two small texts (config files: a few hundred lines), for `--dry-run` output:
 * `--- a/NAME`, `+++ b/NAME`, then hunks with `context` unchanged lines around each change.
 * Plain LCS over lines; quadratic, which is fine at this size.
 */
export function unifiedDiff(before: string, after: string, name: string, context = 2): string {
  if (before === after) return '';
  const a = before.split('\n');
  const b = after.split('\n');
  const ops = diffLines(a, b);
  const changed = ops.flatMap((o, k) => (o.op === ' ' ? [] : [k]));
  // Changes closer than 2 * context lines share a hunk.
  const groups: number[][] = [];
  for (const k of changed) {
    const last = groups[groups.length - 1];
    if (last && k - last[last.length - 1]! <= 2 * context + 1) last.push(k); else groups.push([k]);
  }
  const hunks: string[] = [];
  for (const group of groups) {
    const slice = ops.slice(Math.max(0, group[0]! - context), Math.min(ops.length, group[group.length - 1]! + context + 1));
    const oldCount = slice.filter((o) => o.op !== '+').length;
    const newCount = slice.filter((o) => o.op !== '-').length;
    hunks.push(`@@ -${slice[0]!.a + 1},${oldCount} +${slice[0]!.b + 1},${newCount} @@`, ...slice.map((o) => `${o.op}${o.text}`));
  }
  return [`--- a/${name}`, `+++ b/${name}`, ...hunks].join('\n') + '\n';
}

interface Op { readonly op: ' ' | '-' | '+'; readonly text: string; readonly a: number; readonly b: number }

function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: length of the LCS of a[i..] and b[j..]
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { ops.push({ op: ' ', text: a[i]!, a: i, b: j }); i++; j++; }
    else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) { ops.push({ op: '-', text: a[i]!, a: i, b: j }); i++; }
    else { ops.push({ op: '+', text: b[j]!, a: i, b: j }); j++; }
  }
  return ops;
}
