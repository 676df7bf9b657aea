/**
 * Reconcile: compare what is on disk (a stat per file) with what the state knows, and decide which
 * files need hashing and which are gone. Size, mtime and inode are only a filter: a file whose
 * stat differs is re-hashed, and only a different hash makes an event (a touch makes none).
 * Pure: no I/O.
 */
export interface StatFacts {
  readonly size: number;
  readonly mtime: number;
  readonly ino: number;
}

export interface KnownFile extends StatFacts {
  readonly hash: string;
}

export interface ReconcilePlan {
  /** On disk and new, or with a stat that differs from the known one. */
  readonly toHash: string[];
  /** Known, under the scanned prefix, and no longer on disk. */
  readonly removed: string[];
  readonly unchanged: number;
}

export function planReconcile(
  seen: ReadonlyMap<string, StatFacts>,
  known: Iterable<[string, KnownFile]>,
  options: { readonly prefix?: string; readonly rehashAll?: boolean } = {},
): ReconcilePlan {
  const toHash: string[] = [];
  const removed: string[] = [];
  let unchanged = 0;
  const knownInScope = new Map<string, KnownFile>();
  const prefix = options.prefix ?? '';
  for (const [path, file] of known) {
    if (prefix === '' || path === prefix || path.startsWith(`${prefix}/`)) knownInScope.set(path, file);
  }
  for (const [path, st] of seen) {
    const k = knownInScope.get(path);
    if (!k || options.rehashAll || k.size !== st.size || k.mtime !== st.mtime || k.ino !== st.ino) toHash.push(path);
    else unchanged++;
  }
  for (const path of knownInScope.keys()) if (!seen.has(path)) removed.push(path);
  return { toHash, removed, unchanged };
}
