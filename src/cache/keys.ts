/**
 * The compile cache's first key (pure): what is known before the compile runs. The tool identity,
 * the command line with the project root written as `{root}` (so another checkout of the same
 * sources finds the same entries), and the source's content. The headers come second (store.ts).
 */
import { CACHE_LAYOUT } from './store.js';

export interface PrimaryKeyParts {
  /** The tool identity every job key includes (path, version). */
  readonly tool: string;
  readonly argv: readonly string[];
  readonly root: string;
  readonly sourceHash: string;
}

export function normalizeArgv(argv: readonly string[], root: string): string[] {
  return argv.map((arg) => arg.split(root).join('{root}'));
}

/**
 * With debug info (-g…) the object records the compile's directory, the root, unless a prefix map
 * rewrites it: then the root is part of the key, as with ccache's hash_dir, so an object whose
 * debug info names one checkout is never restored into another.
 */
export function recordsRoot(argv: readonly string[], root: string): boolean {
  const debugInfo = argv.some((a) => /^-g(?!0$)/.test(a));
  const mapped = argv.some((a) => a.startsWith(`-fdebug-prefix-map=${root}=`) || a.startsWith(`-ffile-prefix-map=${root}=`));
  return debugInfo && !mapped;
}

export function primaryKey(parts: PrimaryKeyParts, hash: (text: string) => string): string {
  const where = recordsRoot(parts.argv, parts.root) ? parts.root : null;
  return hash(JSON.stringify([CACHE_LAYOUT, parts.tool, normalizeArgv(parts.argv, parts.root), parts.sourceHash, where]));
}
