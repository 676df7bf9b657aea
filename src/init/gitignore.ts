/**
 * Merging the lines jmake needs ignored (its state dir, the output dir) into a .gitignore: the
 * user's lines stay as they are, and a line is added only when no existing line already ignores
 * the same path (`build`, `build/`, `/build` and `/build/` all cover `/build/`).
 */
export interface GitignoreMerge {
  /** The whole new content. */
  readonly text: string;
  /** The lines that were missing, in the order they were appended. */
  readonly added: readonly string[];
}

export function mergeGitignore(existing: string | null, wanted: readonly string[]): GitignoreMerge {
  const text = existing ?? '';
  const covered = new Set(text.split(/\r?\n/).map(ignoredPath).filter((p): p is string => p !== null));
  const added: string[] = [];
  for (const line of wanted) {
    const path = ignoredPath(line);
    if (path === null || covered.has(path)) continue;
    covered.add(path);
    added.push(line);
  }
  if (added.length === 0) return { text, added };
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const head = text === '' || text.endsWith('\n') ? text : `${text}${eol}`;
  return { text: `${head}${added.map((line) => `${line}${eol}`).join('')}`, added };
}

/** The path a line ignores, without the anchoring `/` and the folder-only `/`; null for comments, negations, blanks. */
function ignoredPath(line: string): string | null {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('!')) return null;
  return trimmed.replace(/^\/+/, '').replace(/\/+$/, '');
}
