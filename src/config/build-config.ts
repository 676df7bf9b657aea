/**
 * jmake.toml -> the build configuration the planner uses, with defaults filled in. Pure: the parsed
 * document, its text (to name lines) and the client's environment in; a BuildConfig and the
 * problems found out. Unknown keys are warnings (with a "did you mean"); wrong types and values are
 * errors that name the key and its line. The keys come from schema.ts; `jmake validate` (validate.ts)
 * checks the whole file against the same schema.
 */
import type { UserJobSpec } from '../jobs/graph.js';
import { readUserJobs } from '../jobs/spec.js';
import { locateNearest, type KeyPath } from './locate.js';
import { pickEnv, type BuildEnv } from './build-env.js';
import { parseSize } from './daemon-settings.js';
import { ARTIFACT_TYPES, COMPILER_FAMILIES, DEFAULT_INCLUDE, PIPELINES, TABLES, rootNames } from './schema.js';

export { ARTIFACT_TYPES, DEFAULT_INCLUDE, PIPELINES };

export type Pipeline = (typeof PIPELINES)[number];
export type ArtifactType = (typeof ARTIFACT_TYPES)[number];

export interface ConfigIssue {
  readonly severity: 'error' | 'warning';
  readonly key: string;
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

/** Flags that add up: [compile], then a target's, then the profile's, then the environment's. */
export interface FlagSet {
  readonly flags: readonly string[];
  readonly cFlags: readonly string[];
  readonly cxxFlags: readonly string[];
  readonly includeDirs: readonly string[];
  readonly defines: Readonly<Record<string, string | null>>;
  readonly linkFlags: readonly string[];
  readonly libDirs: readonly string[];
}

export interface TargetSpec {
  readonly name: string;
  readonly type: ArtifactType;
  /** Globs (relative to the root) selecting this target's sources. */
  readonly sources: readonly string[];
  readonly exclude: readonly string[];
  /**
   * One executable per source matching this glob (e.g. "tests/*_test.cc"), named after the file,
   * each built from that source plus `sources`.
   */
  readonly each: string | null;
  /** Other targets (by name) or system libraries (`m`, `-lm`, `pthread`). */
  readonly link: readonly string[];
  readonly own: FlagSet;
  readonly pkgConfig: readonly string[];
  /** The one target of the simple form ([binary], or neither it nor [[targets]]): its objects live in obj/ itself. */
  readonly fromBinary: boolean;
}

export interface Profile {
  readonly name: string;
  readonly own: FlagSet;
  readonly outputDir: string | null;
}

export interface BuildConfig {
  readonly projectName: string;
  readonly discovery: {
    readonly files: readonly string[] | null;
    readonly include: readonly string[];
    readonly exclude: readonly string[];
    readonly excludeDirs: readonly string[];
  };
  /** `compdb`: where compile_commands.json goes (relative), or null when `[compile] compdb = false`. */
  readonly compile: FlagSet & { readonly outputDir: string; readonly pipeline: Pipeline; readonly compdb: string | null; readonly launcher: readonly string[] };
  readonly link: { readonly flags: readonly string[]; readonly optLevel: string };
  readonly profiles: Readonly<Record<string, Profile>>;
  readonly targets: readonly TargetSpec[];
  readonly llvm: { readonly root: string | null; readonly tools: Readonly<Record<string, string>>; readonly prefer: 'clang' | 'gcc' };
  /** CC, CXX, CFLAGS, CXXFLAGS, LDFLAGS of the client that asked (part of every job key). */
  readonly env: BuildEnv;
  /** `[[jobs]]` entries. */
  readonly jobs: readonly UserJobSpec[];
  /** `[distributed]`: compiles go through distcc to these hosts ("host/slots") when enabled. */
  readonly distributed: { readonly enabled: boolean; readonly hosts: readonly string[] };
  /** `[cache]`: dir null means the default (the daemon's $XDG_CACHE_HOME/jmake or ~/.cache/jmake). */
  readonly cache: { readonly enabled: boolean; readonly dir: string | null; readonly maxBytes: number };
  /** jmake.toml as parsed: any key is a `{{template}}` in user jobs. */
  readonly values: Readonly<Record<string, unknown>>;
}

export { BUILD_ENV_KEYS, pickEnv, type BuildEnv } from './build-env.js';

/** [cache] max_size when not given: 5 GiB. */
const DEFAULT_CACHE_BYTES = 5 * 2 ** 30;

export const SOURCE_EXTENSIONS = ['c', 'cc', 'cpp', 'cxx', 'c++', 'C'];

const EMPTY_FLAGS: FlagSet = { flags: [], cFlags: [], cxxFlags: [], includeDirs: [], defines: {}, linkFlags: [], libDirs: [] };

/** The keys valid at each place, from the schema: '' is the top of the file, then one entry per table. */
const KNOWN: Record<string, readonly string[]> = Object.fromEntries([
  ['', rootNames()],
  ...TABLES.map((t) => [t.name, t.keys.map((k) => k.name)]),
]);

export interface ResolveResult {
  readonly config: BuildConfig;
  readonly issues: readonly ConfigIssue[];
}

export function resolveBuildConfig(values: Readonly<Record<string, unknown>>, text: string, env: BuildEnv, rootName: string): ResolveResult {
  const r = new Reader(values, text);
  r.unknownKeys([], KNOWN['']!);
  for (const section of ['project', 'discovery', 'compile', 'link', 'binary', 'llvm', 'daemon', 'cache', 'distributed']) r.unknownKeys([section], KNOWN[section]!);

  const projectName = r.string(['project', 'name']) ?? rootName;
  const discoveryFiles = r.stringList(['discovery', 'files']);
  const discovery = {
    files: discoveryFiles && discoveryFiles.length > 0 ? discoveryFiles : null,
    include: r.stringList(['discovery', 'include']) ?? DEFAULT_INCLUDE,
    exclude: r.stringList(['discovery', 'exclude']) ?? [],
    excludeDirs: (r.stringList(['discovery', 'exclude_dirs']) ?? []).map(trimSlashes),
  };
  const outputDir = r.relativePath(['compile', 'output_dir']) ?? 'build';
  const compdb = r.boolean(['compile', 'compdb']) === false ? null : r.relativePath(['compile', 'compdb_path']) ?? 'compile_commands.json';
  const pipeline = r.oneOf(['compile', 'pipeline'], PIPELINES) ?? 'object';
  const launcher = r.stringList(['compile', 'launcher']) ?? [];
  const compile = { ...r.flagSet(['compile']), linkFlags: r.stringList(['link', 'flags']) ?? [], outputDir, pipeline, compdb, launcher };
  const optLevel = r.optLevel(['link', 'opt_level']) ?? 'O2';

  const profiles: Record<string, Profile> = {};
  const profileTable = r.table(['profile']);
  for (const name of Object.keys(profileTable ?? {})) {
    if (r.table(['profile', name]) === null) continue;
    r.unknownKeys(['profile', name], KNOWN.profile!);
    profiles[name] = { name, own: r.flagSet(['profile', name], 'link_flags'), outputDir: r.relativePath(['profile', name, 'output_dir']) };
  }

  const targets: TargetSpec[] = [];
  const targetList = r.arrayOfTables(['targets']);
  const targetIndex: number[] = []; // targets[k] came from [[targets]] #targetIndex[k] (rejected ones are left out)
  const binary = r.table(['binary']);
  if (targetList.length > 0) {
    if (binary) r.warn(['binary'], '[binary] is ignored when [[targets]] are given');
    targetList.forEach((_, i) => {
      const at = ['targets', i];
      r.unknownKeys(at, KNOWN.targets!);
      const name = r.string([...at, 'name']);
      if (!name) { r.error(at, `[[targets]] #${i + 1} needs a name`); return; }
      if (!/^[A-Za-z0-9_.+-]+$/.test(name)) { r.error([...at, 'name'], `target name "${name}" may only hold letters, digits and _ . + -`); return; }
      const each = r.string([...at, 'each']) ?? null;
      targetIndex.push(i);
      targets.push({
        name,
        type: r.oneOf([...at, 'type'], ARTIFACT_TYPES) ?? 'executable',
        sources: r.stringList([...at, 'sources']) ?? (each ? [] : discovery.include),
        exclude: r.stringList([...at, 'exclude']) ?? [],
        each,
        link: r.stringList([...at, 'link']) ?? [],
        own: r.flagSet(at, 'link_flags'),
        pkgConfig: r.stringList([...at, 'pkg_config']) ?? [],
        fromBinary: false,
      });
    });
    const seen = new Set<string>();
    targets.forEach((t, k) => {
      if (seen.has(t.name)) r.error(['targets', targetIndex[k]!, 'name'], `two targets are named "${t.name}"`);
      seen.add(t.name);
    });
  } else {
    const type = r.oneOf(['binary', 'type'], ARTIFACT_TYPES) ?? 'executable';
    const name = r.string(['binary', 'name']) ?? projectName;
    const libs = r.stringList(['binary', 'link_libraries']) ?? [];
    const libDirs = r.stringList(['binary', 'lib_dirs']) ?? [];
    targets.push({
      name, type, sources: discovery.files ?? discovery.include, exclude: discovery.exclude, each: null,
      link: libs, own: { ...EMPTY_FLAGS, libDirs }, pkgConfig: [], fromBinary: true,
    });
  }

  const prefer = r.oneOf(['llvm', 'prefer'], COMPILER_FAMILIES) ?? 'clang';
  const llvmTools = r.stringMap(['llvm', 'tools']) ?? {};
  const config: BuildConfig = {
    projectName,
    discovery,
    compile,
    link: { flags: compile.linkFlags, optLevel },
    profiles,
    targets,
    llvm: { root: r.string(['llvm', 'root']) ?? null, tools: llvmTools, prefer },
    env: pickEnv(env),
    jobs: readUserJobs(values),
    distributed: { enabled: r.boolean(['distributed', 'enabled']) ?? false, hosts: r.stringList(['distributed', 'hosts']) ?? [] },
    cache: {
      enabled: r.boolean(['cache', 'enabled']) ?? true,
      dir: r.string(['cache', 'dir']) ?? null,
      maxBytes: parseSize(r.string(['cache', 'max_size']) ?? '') ?? DEFAULT_CACHE_BYTES,
    },
    values,
  };
  return { config, issues: r.issues };
}


function trimSlashes(path: string): string {
  return path.replace(/^\.\//, '').replace(/\/+$/, '');
}

/** Reads typed values out of the parsed document, recording an issue for each problem. */
class Reader {
  readonly issues: ConfigIssue[] = [];

  constructor(private readonly values: Readonly<Record<string, unknown>>, private readonly text: string) {}

  get(path: KeyPath): unknown {
    let value: unknown = this.values;
    for (const key of path) {
      if (typeof value !== 'object' || value === null) return undefined;
      value = (value as Record<string | number, unknown>)[key];
    }
    return value;
  }

  error(path: KeyPath, message: string): void {
    this.issue('error', path, message);
  }

  warn(path: KeyPath, message: string): void {
    this.issue('warning', path, message);
  }

  table(path: KeyPath): Record<string, unknown> | null {
    const v = this.get(path);
    if (v === undefined) return null;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      this.error(path, `${dotted(path)} must be a table`);
      return null;
    }
    return v as Record<string, unknown>;
  }

  arrayOfTables(path: KeyPath): Record<string, unknown>[] {
    const v = this.get(path);
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every((t) => typeof t === 'object' && t !== null && !Array.isArray(t))) {
      this.error(path, `${dotted(path)} must be an array of tables ([[${dotted(path)}]])`);
      return [];
    }
    return v as Record<string, unknown>[];
  }

  string(path: KeyPath): string | undefined {
    const v = this.get(path);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') { this.error(path, `${dotted(path)} must be a string, not ${describe(v)}`); return undefined; }
    if (v.trim() === '') { this.error(path, `${dotted(path)} must not be empty`); return undefined; }
    return v;
  }

  boolean(path: KeyPath): boolean | undefined {
    const v = this.get(path);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') { this.error(path, `${dotted(path)} must be true or false, not ${describe(v)}`); return undefined; }
    return v;
  }

  stringList(path: KeyPath): string[] | undefined {
    const v = this.get(path);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) {
      this.error(path, `${dotted(path)} must be an array of strings, not ${describe(v)}`);
      return undefined;
    }
    const empty = v.findIndex((s) => (s as string).trim() === '');
    if (empty >= 0) { this.error(path, `${dotted(path)}[${empty}] is an empty string`); return undefined; }
    return v as string[];
  }

  stringMap(path: KeyPath): Record<string, string> | undefined {
    const t = this.table(path);
    if (!t) return undefined;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(t)) {
      if (typeof v === 'string' && v !== '') out[k] = v;
      else this.error([...path, k], `${dotted([...path, k])} must be a non-empty string`);
    }
    return out;
  }

  oneOf<T extends string>(path: KeyPath, allowed: readonly T[]): T | undefined {
    const v = this.string(path);
    if (v === undefined) return undefined;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    this.error(path, `${dotted(path)} = "${v}" is not one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
    return undefined;
  }

  /** An output path: relative, and inside the project root. */
  relativePath(path: KeyPath): string | null {
    const v = this.string(path);
    if (v === undefined) return null;
    const normal = trimSlashes(v.replace(/\/\.\//g, '/'));
    // Any `..` segment is refused: `sub/..` is the root itself, and an unnormalised path would not
    // match the tracked (normalised) paths that must be kept out of the sources.
    if (normal.startsWith('/') || normal.split('/').includes('..') || normal === '.' || normal === '') {
      this.error(path, `${dotted(path)} = "${v}" must be a folder inside the project root`);
      return null;
    }
    return normal;
  }

  optLevel(path: KeyPath): string | undefined {
    const v = this.string(path);
    if (v === undefined) return undefined;
    const m = /^-?O?([0-3sz])$/.exec(v);
    if (m) return `O${m[1]}`;
    this.error(path, `${dotted(path)} = "${v}" is not an optimisation level (O0, O1, O2, O3, Os, Oz)`);
    return undefined;
  }

  defines(path: KeyPath): Record<string, string | null> {
    const t = this.table(path);
    const out: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(t ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) { this.error([...path, k], `"${k}" is not a valid macro name`); continue; }
      if (v === true) out[k] = null;
      else if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
      else if (v === false) continue;
      else this.error([...path, k], `${dotted([...path, k])} must be a string, a number or true`);
    }
    return out;
  }

  flagSet(at: KeyPath, linkFlagsKey?: string): FlagSet {
    return {
      flags: this.stringList([...at, 'flags']) ?? [],
      cFlags: this.stringList([...at, 'c_flags']) ?? [],
      cxxFlags: this.stringList([...at, 'cxx_flags']) ?? [],
      includeDirs: this.stringList([...at, 'include_dirs']) ?? [],
      defines: this.defines([...at, 'defines']),
      linkFlags: linkFlagsKey ? this.stringList([...at, linkFlagsKey]) ?? [] : [],
      libDirs: this.stringList([...at, 'lib_dirs']) ?? [],
    };
  }

  unknownKeys(path: KeyPath, known: readonly string[]): void {
    const t = path.length === 0 ? this.values : this.get(path);
    if (typeof t !== 'object' || t === null || Array.isArray(t)) return;
    for (const key of Object.keys(t)) {
      if (known.includes(key)) continue;
      const suggestion = closest(key, known);
      this.warn([...path, key], `unknown key ${dotted([...path, key])}${suggestion ? `; did you mean "${suggestion}"?` : ''}`);
    }
  }

  private issue(severity: 'error' | 'warning', path: KeyPath, message: string): void {
    const { line, column } = locateNearest(this.text, path);
    this.issues.push({ severity, key: dotted(path), message, line, column });
  }
}

function dotted(path: KeyPath): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${p}` : p), '');
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'a table' : `${typeof v} ${JSON.stringify(v)}`;
}

/** The known key at edit distance <= 2, if any. */
export function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) { best = c; bestDistance = d; }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
