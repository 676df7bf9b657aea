/**
 * The one definition of jmake.toml: every table and key, its type, default and meaning. Validation
 * (validate.ts), the known-key lists of the build config (build-config.ts), completion and
 * docs/config.md (schema-doc.ts) are all derived from this data, so a key is added here once.
 *
 * Tables marked `reserved` ([cache], [distributed], [[jobs]]) and reserved keys are accepted and
 * validated but not used yet: a config written for them today keeps working when they are.
 */

/** What a path means, which decides how it is checked. */
export type PathRole =
  /** jmake writes (and deletes) there: relative, and inside the project root. */
  | 'output'
  /** Read by the build; may be outside the root (system or sibling dirs). A missing one is a warning. */
  | 'input'
  /** Anywhere, and need not exist yet (created when needed). */
  | 'anywhere';

export type ValueType =
  | { readonly kind: 'string'; readonly pattern?: StringPattern }
  /** One compiler or linker argument: a non-empty string. */
  | { readonly kind: 'flag' }
  /** A glob relative to the project root (`src/**\/*.c`). */
  | { readonly kind: 'glob' }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'integer'; readonly min?: number; readonly max?: number }
  | { readonly kind: 'enum'; readonly noun: string; readonly values: readonly string[] }
  /** A number of seconds, or a string with a unit: "500ms", "30s", "10m", "3h". */
  | { readonly kind: 'duration'; readonly minMs?: number; readonly maxMs?: number }
  /** A byte count with a unit: "500 MiB", "5 GiB". */
  | { readonly kind: 'size' }
  /** An optimisation level: O0, O1, O2, O3, Os, Oz (also written 2, -O2). */
  | { readonly kind: 'opt-level' }
  | { readonly kind: 'path'; readonly role: PathRole }
  | { readonly kind: 'list'; readonly item: ValueType }
  /** A table of non-empty strings (`{ opt = "/opt/llvm/bin/opt" }`). */
  | { readonly kind: 'string-map' }
  /** A table of preprocessor macros: a string or number is the value, true defines it, false leaves it out. */
  | { readonly kind: 'defines' };

/** A rule a string must follow; `rule` completes the message `<key> = "<value>" <rule>`. */
export interface StringPattern {
  readonly re: RegExp;
  readonly rule: string;
}

export type TomlValue = string | number | boolean | readonly TomlValue[] | { readonly [key: string]: TomlValue };

export type Default =
  | { readonly kind: 'value'; readonly value: TomlValue }
  /** Computed from other keys or the environment; the text says how. */
  | { readonly kind: 'derived'; readonly text: string }
  | { readonly kind: 'none' };

export interface KeySpec {
  readonly name: string;
  readonly type: ValueType;
  readonly default: Default;
  /** One sentence for the docs and completion. */
  readonly meaning: string;
  /** A table of this kind is incomplete without it. */
  readonly required?: boolean;
  /** Accepted and validated, not used yet. */
  readonly reserved?: boolean;
}

export interface TableSpec {
  readonly name: string;
  /** `[name]`, `[[name]]` (an array of tables) or `[name.NAME]` (tables named by the user). */
  readonly form: 'table' | 'array' | 'named';
  readonly meaning: string;
  readonly keys: readonly KeySpec[];
  /** For `named` tables: what the user's names must look like. */
  readonly names?: StringPattern;
  readonly reserved?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Values the code shares with the schema (build-config.ts re-exports them).

export const PIPELINES = ['object', 'ir', 'thinlto'] as const;
export const ARTIFACT_TYPES = ['executable', 'shared', 'static'] as const;
export const COMPILER_FAMILIES = ['clang', 'gcc'] as const;
export const DEFAULT_INCLUDE: readonly string[] = ['src/**/*.{c,cc,cpp,cxx,c++,C}'];

/** Target, binary and profile names become file and folder names: nothing that could leave a folder. */
export const NAME_PATTERN: StringPattern = { re: /^(?!\.\.?$)[A-Za-z0-9_.+-]+$/, rule: 'may only hold letters, digits and _ . + -' };
const HOST_PATTERN: StringPattern = { re: /^[^\s/]+\/[1-9][0-9]*$/, rule: 'must be "host/slots", e.g. "build1/8"' };

/** Node timers hold at most 2^31 - 1 ms (daemon-settings.ts refuses longer delays too). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

// ---------------------------------------------------------------------------------------------
// Small constructors, so the tables below read as data.

const string = (pattern?: StringPattern): ValueType => (pattern ? { kind: 'string', pattern } : { kind: 'string' });
const flag: ValueType = { kind: 'flag' };
const glob: ValueType = { kind: 'glob' };
const boolean: ValueType = { kind: 'boolean' };
const integer = (min?: number, max?: number): ValueType => ({ kind: 'integer', ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) });
const oneOf = (noun: string, values: readonly string[]): ValueType => ({ kind: 'enum', noun, values });
const duration = (minMs?: number, maxMs = MAX_TIMER_MS): ValueType => ({ kind: 'duration', ...(minMs !== undefined ? { minMs } : {}), maxMs });
const size: ValueType = { kind: 'size' };
const optLevel: ValueType = { kind: 'opt-level' };
const path = (role: PathRole): ValueType => ({ kind: 'path', role });
const list = (item: ValueType): ValueType => ({ kind: 'list', item });
const stringMap: ValueType = { kind: 'string-map' };
const defines: ValueType = { kind: 'defines' };

const is = (value: TomlValue): Default => ({ kind: 'value', value });
const derived = (text: string): Default => ({ kind: 'derived', text });
const NONE: Default = { kind: 'none' };

function key(name: string, type: ValueType, dflt: Default, meaning: string, extra: { required?: boolean; reserved?: boolean } = {}): KeySpec {
  return { name, type, default: dflt, meaning, ...extra };
}

const reserved = { reserved: true } as const;
const enabledKey = (what: string): KeySpec => key('enabled', boolean, is(true), `Whether ${what} is on.`, reserved);

/** The flag keys [compile], [[targets]] and [profile.NAME] share; each level adds to the one before. */
const flagKeys = {
  flags: (level: string) => key('flags', list(flag), is([]), `Flags for C and C++ compiles${level}.`),
  c_flags: (level: string) => key('c_flags', list(flag), is([]), `Flags for C compiles only${level}.`),
  cxx_flags: (level: string) => key('cxx_flags', list(flag), is([]), `Flags for C++ compiles only${level}.`),
  include_dirs: (level: string) => key('include_dirs', list(path('input')), is([]), `Folders searched for headers (-I)${level}.`),
  defines: (level: string) => key('defines', defines, is({}), `Preprocessor macros (-D)${level}.`),
  lib_dirs: (level: string) => key('lib_dirs', list(path('input')), is([]), `Folders searched for libraries (-L) when linking${level}.`),
  link_flags: (level: string) => key('link_flags', list(flag), is([]), `Flags for the link step${level}.`),
};

const ON_TARGET = ', added to those of [compile] for this target';
const ON_PROFILE = ', added last when building with this profile';

// ---------------------------------------------------------------------------------------------
// The schema.

/** Keys at the top of the file, outside any table. */
export const ROOT_KEYS: readonly KeySpec[] = [
  key('version', integer(1, 1), is(1), 'The jmake.toml format version.', reserved),
];

export const TABLES: readonly TableSpec[] = [
  {
    name: 'project', form: 'table', meaning: 'What the project is called.',
    keys: [
      key('name', string(), derived('the name of the project folder'), 'The project name; also the name of the `[binary]` when that does not set one, and then a file name (no `/` or control characters, not `.` or `..`).'),
      key('root', string(), derived('the folder holding jmake.toml'), 'The project root (the root is always the folder holding jmake.toml).', reserved),
      key('version', string(), NONE, 'The project version.', reserved),
      key('description', string(), NONE, 'A one-line description of the project.', reserved),
    ],
  },
  {
    name: 'discovery', form: 'table', meaning: 'Which files are sources.',
    keys: [
      enabledKey('source discovery'),
      key('files', list(path('input')), NONE, 'An explicit list of source files (relative to the root) instead of the `include` globs; empty means use the globs.'),
      key('include', list(glob), is(DEFAULT_INCLUDE), 'Globs (relative to the root) selecting the sources.'),
      key('exclude', list(glob), is([]), 'Globs of files that are never sources.'),
      key('exclude_dirs', list(string()), is([]), 'Folders (relative to the root) never searched for sources.'),
    ],
  },
  {
    name: 'compile', form: 'table', meaning: 'How every source is compiled, and where the outputs go.',
    keys: [
      enabledKey('compiling'),
      flagKeys.flags(''),
      flagKeys.c_flags(''),
      flagKeys.cxx_flags(''),
      flagKeys.include_dirs(''),
      flagKeys.defines(''),
      flagKeys.lib_dirs(''),
      key('output_dir', path('output'), is('build'), 'The folder (inside the project) that receives every output; the watcher never treats it as sources.'),
      key('pipeline', oneOf('pipeline', PIPELINES), is('object'), 'How sources become programs: "object" (compile and link), "ir" (LLVM bitcode, llvm-link, opt, llc) or "thinlto".'),
      key('compdb', boolean, is(true), 'Keep a compile_commands.json (the exact compile commands) for editors and clangd, rewritten when the file set, flags or toolchain change.'),
      key('compdb_path', path('output'), is('compile_commands.json'), 'Where that file goes (inside the project).'),
      key('launcher', list(string()), is([]), 'A command put before every compile ("ccache", "sccache", any wrapper); not part of the job key, and compile_commands.json shows the compiler alone.'),
    ],
  },
  {
    name: 'link', form: 'table', meaning: 'How programs and libraries are linked.',
    keys: [
      enabledKey('linking'),
      key('flags', list(flag), is([]), 'Flags for every link step.'),
      key('opt_level', optLevel, is('O2'), 'The optimisation level of the ir pipeline (opt and llc), and the level bitcode is emitted at.'),
    ],
  },
  {
    name: 'binary', form: 'table', meaning: 'The simple form: one artifact built from all sources (ignored when [[targets]] are given).',
    keys: [
      enabledKey('the binary'),
      key('type', oneOf('binary type', ARTIFACT_TYPES), is('executable'), 'What to build: "executable", "shared" (a .so) or "static" (a .a).'),
      key('name', string(NAME_PATTERN), derived('[project] name'), 'The artifact name (bin/NAME, lib/libNAME.so, lib/libNAME.a).'),
      key('link_libraries', list(string()), is([]), 'System libraries to link ("m", "-lpthread", "libfoo.a").'),
      flagKeys.lib_dirs(''),
    ],
  },
  {
    name: 'targets', form: 'array', meaning: 'Several artifacts, one [[targets]] entry each (instead of [binary]).',
    keys: [
      key('name', string(NAME_PATTERN), NONE, 'The target\'s name, which names its artifact and lets other targets link it.', { required: true }),
      key('type', oneOf('target type', ARTIFACT_TYPES), is('executable'), 'What to build: "executable", "shared" (a .so) or "static" (a .a).'),
      key('sources', list(glob), derived('[discovery] include, or none with `each`'), 'Globs (relative to the root) selecting the target\'s sources.'),
      key('exclude', list(glob), is([]), 'Globs of files left out of `sources`.'),
      key('each', glob, NONE, 'One executable per file matching this glob, named after the file, each built from that file plus `sources`.'),
      key('link', list(string()), is([]), 'Other targets (by name, in any order) or system libraries ("m", "-lpthread", "libfoo.a") to link.'),
      flagKeys.flags(ON_TARGET),
      flagKeys.c_flags(ON_TARGET),
      flagKeys.cxx_flags(ON_TARGET),
      flagKeys.defines(ON_TARGET),
      flagKeys.include_dirs(ON_TARGET),
      flagKeys.link_flags(', added to those of [link] for this target'),
      flagKeys.lib_dirs(' for this target'),
      key('pkg_config', list(string()), is([]), 'Packages whose compile and link flags come from pkg-config, re-resolved when their .pc file changes.'),
    ],
  },
  {
    name: 'profile', form: 'named', names: NAME_PATTERN, meaning: 'Build variants selected with `jmake build --profile NAME`; built in: debug (-O0 -g) and release (-O2 -DNDEBUG).',
    keys: [
      flagKeys.flags(ON_PROFILE),
      flagKeys.c_flags(ON_PROFILE),
      flagKeys.cxx_flags(ON_PROFILE),
      flagKeys.link_flags(ON_PROFILE),
      flagKeys.defines(ON_PROFILE),
      flagKeys.include_dirs(ON_PROFILE),
      flagKeys.lib_dirs(ON_PROFILE),
      key('output_dir', path('output'), derived('the profile name under [compile] output_dir (build/NAME)'), 'The folder (inside the project) that receives this profile\'s outputs.'),
    ],
  },
  {
    name: 'llvm', form: 'table', meaning: 'Which compilers and LLVM tools are used.',
    keys: [
      key('root', path('input'), NONE, 'An LLVM installation (e.g. /usr/lib/llvm-14) searched before PATH.'),
      key('tools', stringMap, is({}), 'Paths of individual tools by name, e.g. { "llvm-link" = "/opt/llvm/bin/llvm-link" }.'),
      key('prefer', oneOf('compiler family', COMPILER_FAMILIES), is('clang'), 'The compiler family chosen when both are installed.'),
      key('use_jmake_llvm', boolean, is(false), 'Use an LLVM toolchain provided by jmake instead of one found on the system.', reserved),
    ],
  },
  {
    name: 'cache', form: 'table', meaning: 'The compile cache: outputs of compiles, shared between builds, branches and checkouts (see docs/scaling.md).',
    keys: [
      key('enabled', boolean, is(true), 'Whether outputs are cached.'),
      key('dir', path('anywhere'), derived('$XDG_CACHE_HOME/jmake, else ~/.cache/jmake'), 'The cache folder; may be outside the project (relative: to the root) and is created when needed.'),
      key('max_size', size, is('5 GiB'), 'The size above which the least recently used entries are removed.'),
    ],
  },
  {
    name: 'daemon', form: 'table', meaning: 'The project daemon\'s own settings.',
    keys: [
      key('idle_timeout', duration(), is('3h'), 'The daemon exits after this long with no client connected; 0 means never.'),
      key('settle_ms', integer(0, 5000), is(5), 'A changed file is hashed once it has been quiet this many milliseconds.'),
      key('watch_exclude', list(string()), is([]), 'Path prefixes (relative to the root) the watcher never looks at.'),
      key('poll_interval', duration(100), is('2s'), 'How often paths that cannot be watched (inotify limit) are polled; at least 100ms.'),
      key('keep_recent_events', integer(0, 1e9), is(10000), 'Compaction of the event log always keeps at least this many recent events.'),
      key('build_on_change', boolean, is(true), 'After a `jmake build`, an edit to an input starts the same build at once.'),
      key('max_memory_mb', integer(0, 1e6), is(0), 'When the daemon\'s resident memory exceeds this many MiB, and still does after a full garbage collection, it restarts itself once no build runs (its state comes back from the log); 0 means never.'),
    ],
  },
  {
    name: 'distributed', form: 'table', meaning: 'Compiling on other machines through distcc (see docs/scaling.md); links stay local.',
    keys: [
      key('enabled', boolean, is(false), 'Whether compiles are sent to the hosts (through distcc, which falls back to compiling locally).'),
      key('hosts', list(string(HOST_PATTERN)), is([]), 'The distccd hosts, each as "host/slots" or "host:port/slots" (how many compiles it takes at once); the job limit grows to their sum.'),
    ],
  },
  {
    name: 'jobs', form: 'array', meaning: 'Your own commands in the build graph (code generators, test runners), one [[jobs]] entry each. A job with `inputs` is part of every `jmake build` and runs when their content changes; one without runs when asked by name (`jmake build ID`) or when a job being run depends on it.',
    keys: [
      key('id', string(NAME_PATTERN), NONE, 'The job\'s name, unique among jobs; `depends_on` refers to it.', { required: true }),
      key('run', list(string()), NONE, 'The command as an argument list (no shell), e.g. ["python3", "gen.py"].', { required: true }),
      key('depends_on', list(string()), is([]), 'What must finish first: other job ids, "build" (every target), a target name, or an output path.'),
      key('priority', integer(), is(0), 'Among ready jobs, higher priorities start first.'),
      key('inputs', list(glob), is([]), 'Files (globs relative to the root) the job reads; a change to one re-runs it.'),
      key('outputs', list(path('output')), is([]), 'Files (inside the project) the job writes; deleted when it fails. Compiles wait for a job that writes headers, even on the first build.'),
      key('env', stringMap, is({}), 'Environment variables set for the command.'),
      key('cwd', path('input'), derived('the project root'), 'The folder the command runs in.'),
      key('timeout', duration(), NONE, 'The job is stopped and fails after this long (a number of seconds, or "10m").'),
      key('retries', integer(0), is(0), 'How many times a failed job is run again.'),
      key('retry_on', list(integer()), is([]), 'Exit codes that are retried; empty means any failure.'),
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// Lookups derived from the data.

const TABLE_BY_NAME = new Map(TABLES.map((t) => [t.name, t]));

export function tableSpec(name: string): TableSpec | undefined {
  return TABLE_BY_NAME.get(name);
}

export function keySpec(table: TableSpec, name: string): KeySpec | undefined {
  return table.keys.find((k) => k.name === name);
}

/** Every name valid at the top of the file: root keys, then the tables, in schema order. */
export function rootNames(): string[] {
  return [...ROOT_KEYS.map((k) => k.name), ...TABLES.map((t) => t.name)];
}

/** How a table is written: `[compile]`, `[[targets]]`, `[profile.NAME]`. */
export function tableHeader(table: TableSpec, name = 'NAME'): string {
  if (table.form === 'array') return `[[${table.name}]]`;
  if (table.form === 'named') return `[${table.name}.${name}]`;
  return `[${table.name}]`;
}

/** A human name of a type, for messages, completion and the docs ("list of flags"). */
export function typeLabel(type: ValueType): string {
  switch (type.kind) {
    case 'string': return 'string';
    case 'flag': return 'flag';
    case 'glob': return 'glob';
    case 'boolean': return 'boolean';
    case 'integer': return integerLabel(type.min, type.max);
    case 'enum': return `one of ${type.values.map((v) => `"${v}"`).join(', ')}`;
    case 'duration': return type.minMs !== undefined ? `duration (at least ${type.minMs}ms)` : 'duration';
    case 'size': return 'size';
    case 'opt-level': return 'optimisation level';
    case 'path': return `path (${type.role})`;
    case 'list': return `list of ${plural(typeLabel(type.item))}`;
    case 'string-map': return 'table of strings';
    case 'defines': return 'table of macros';
  }
}

function integerLabel(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return min === max ? `integer (${min})` : `integer (${min} to ${max})`;
  if (min !== undefined) return `integer (${min} or more)`;
  return 'integer';
}

function plural(label: string): string {
  if (label.startsWith('path (')) return `paths (${label.slice('path ('.length)}`;
  if (label.startsWith('integer')) return `integers${label.slice('integer'.length)}`;
  return `${label}s`;
}
