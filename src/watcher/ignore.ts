/**
 * What the watcher never looks at. Paths are relative to the project root with `/`.
 * - `.git`, `.jmake` and `node_modules`, as a segment anywhere;
 * - the build output dirs (a change there is never a source change);
 * - `[daemon] watch_exclude` prefixes.
 * `[discovery] exclude` is deliberately not here: an excluded folder may still hold headers.
 * The sync-cookie dir `.jmake/cookies` is the one exception inside `.jmake`.
 */
export const COOKIE_DIR = '.jmake/cookies';
const ALWAYS_IGNORED_SEGMENTS = new Set(['.git', '.jmake', 'node_modules']);

export interface IgnoreRules {
  isIgnored(relativePath: string): boolean;
}

export function ignoreRules(options: { outputDirs: readonly string[]; watchExclude: readonly string[] }): IgnoreRules {
  const prefixes = [...options.outputDirs, ...options.watchExclude].filter((p) => p !== '' && p !== '.');
  return {
    isIgnored(rel: string): boolean {
      if (rel === '' || rel === '.') return false;
      if (rel === COOKIE_DIR || rel.startsWith(`${COOKIE_DIR}/`)) return false;
      for (const prefix of prefixes) {
        if (rel === prefix || rel.startsWith(`${prefix}/`)) return true;
      }
      let start = 0;
      for (;;) {
        const slash = rel.indexOf('/', start);
        const segment = slash < 0 ? rel.slice(start) : rel.slice(start, slash);
        if (ALWAYS_IGNORED_SEGMENTS.has(segment)) return true;
        if (slash < 0) return false;
        start = slash + 1;
      }
    },
  };
}

export function isCookiePath(rel: string): boolean {
  return rel.startsWith(`${COOKIE_DIR}/`);
}
