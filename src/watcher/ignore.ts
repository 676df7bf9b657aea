/**
 * What the watcher never looks at. Paths are relative to the project root with `/`.
 * - `.git`, `.jmake` and `node_modules`, as a segment anywhere;
 * - `[daemon] watch_exclude` prefixes;
 * - what is outside the watch scope (watcher/scope.ts: the folders jmake.toml says inputs live in);
 * - the build output dirs: nothing there is a source. They have their own, cheaper watcher
 *   (output-watcher.ts), which only tells the builder to check an output again.
 * `[discovery] exclude` is deliberately not here: an excluded folder may still hold headers.
 */
const CONFIG_FILE = 'jmake.toml';
const ALWAYS_IGNORED_SEGMENTS = new Set(['.git', '.jmake', 'node_modules']);

export interface IgnoreRules {
  /** Never watched by the source watcher (output dirs included: watcher/output-watcher.ts has those). */
  isIgnored(relativePath: string): boolean;
  /** Under a build output dir: never a source. */
  isOutput(relativePath: string): boolean;
}

export function ignoreRules(options: { outputDirs: readonly string[]; watchExclude: readonly string[]; watchScope?: readonly string[] | null }): IgnoreRules {
  const usable = (p: string) => p !== '' && p !== '.';
  const excluded = options.watchExclude.filter(usable);
  const outputs = options.outputDirs.filter(usable);
  const scope = options.watchScope ?? null;
  const under = (rel: string, prefixes: readonly string[]) => prefixes.some((p) => rel === p || rel.startsWith(`${p}/`));
  // In scope: under a scope folder, or a folder on the way to one, or jmake.toml.
  const inScope = (rel: string) => scope === null || rel === CONFIG_FILE || under(rel, scope) || scope.some((s) => s.startsWith(`${rel}/`));
  return {
    isOutput: (rel: string) => under(rel, outputs),
    isIgnored(rel: string): boolean {
      if (rel === '' || rel === '.') return false;
      if (under(rel, excluded) || under(rel, outputs) || !inScope(rel)) return true;
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
