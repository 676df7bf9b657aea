/**
 * The build graph: from the config, the tracked files and the toolchain, every job with its exact
 * command line, output, inputs and dependencies. Pure (no I/O): the same inputs give the same plan,
 * so the daemon caches it until the config, the file set or the toolchain changes.
 *
 * A job's id is the path of its output (relative to the root), so ids differ per profile and
 * `jmake why OUTPUT` needs no other name. Commands write to `<folder>/.jmake-tmp/<name>`; the runner
 * renames on success, so a killed build never leaves a truncated output that a later build trusts.
 *
 * Pipelines (see docs/build.md):
 * - object:  compile (.c/.cc -> .o, depfile) -> link | archive
 * - ir:      emit-ir (-> .bc) -> link-ir (llvm-link) -> opt -> codegen (llc -> .o) -> link | archive
 * - thinlto: compile -flto=thin -> link with lld and a ThinLTO cache | archive with llvm-ar
 */
import picomatch from 'picomatch';
import { generatorsOfSources, planUserJobs, type UserJobPlan } from './user-jobs.js';
import type { JobKindName } from '../../events/types.js';
import { SOURCE_EXTENSIONS, type ArtifactType, type BuildConfig, type FlagSet, type Pipeline, type Profile, type TargetSpec } from '../config/build-config.js';
import type { ToolRole } from '../toolchain/discover.js';
import { isPlainRelative } from '../util/inside-root.js';

export type JobKind = JobKindName;

export interface PlannedJob {
  /** The output path, relative to the root. */
  readonly id: string;
  readonly kind: JobKind;
  readonly target: string;
  /** `user`: the command of a `[[jobs]]` entry, identified by its command line. */
  readonly tool: ToolRole | 'user';
  /** The command, writing its output to `tmpOutput`. */
  readonly argv: readonly string[];
  /** Arguments that do not change the output (diagnostic colours): inserted after the tool, not in the key. */
  readonly cosmeticArgs: readonly string[];
  /** `[compile] launcher` (compiles only): run before the tool, not in the key nor in compile_commands.json. */
  readonly launcher?: readonly string[];
  readonly output: string;
  readonly tmpOutput: string;
  readonly depfile: string | null;
  /** For compile and emit-ir: the source. */
  readonly source: string | null;
  /** Jobs whose outputs this job reads (and must wait for). */
  readonly deps: readonly string[];
  /** Higher first among ready jobs: finishing a target's tail frees its dependents sooner. */
  readonly priority: number;
  /** For `[[jobs]]` entries: what the runner needs beyond argv. */
  readonly user?: UserJobPlan;
}

export interface PlannedTarget {
  readonly name: string;
  readonly type: ArtifactType;
  /** The id of the job producing the artifact. */
  readonly output: string;
  readonly jobs: readonly string[];
}

export interface PlanError {
  readonly message: string;
  readonly target?: string;
}

export interface Plan {
  readonly outBase: string;
  readonly pipeline: Pipeline;
  /** In a stable order: targets in declaration order, each target's compiles before its link. */
  readonly jobs: ReadonlyMap<string, PlannedJob>;
  readonly targets: readonly PlannedTarget[];
  readonly errors: readonly PlanError[];
  /** What the build says without failing: sources left out because of their names. */
  readonly notes: readonly string[];
}

export interface PlanToolchain {
  readonly family: 'clang' | 'gcc';
  readonly tools: Partial<Record<ToolRole, { readonly argv: readonly string[] }>>;
}

export interface PlanInput {
  readonly config: BuildConfig;
  readonly profile: string | null;
  /** Every tracked file, relative to the root. */
  readonly files: readonly string[];
  readonly toolchain: PlanToolchain;
  /** pkg-config results by package name. */
  readonly pkgConfig: Readonly<Record<string, { readonly cflags: readonly string[]; readonly libs: readonly string[] }>>;
  /** ThinLTO backend jobs. */
  readonly parallelism: number;
  /** The project root, for `{{project.root}}` in user jobs (default "."). */
  readonly root?: string;
}

/**
 * The folder, beside each output, where its command writes it and where its previous output is put
 * aside. The output watcher never watches it: a compiler writing an object made ~7 inotify events
 * (one per write), each a callback in the daemon, ~0.3 ms of its CPU a job in a full build here.
 * Being a subfolder of the output's own, it is on the same file system, so the rename into place
 * stays atomic; and the tool writes a file with the output's own name (a linker that derives a
 * name from it sees the real one).
 */
export const TEMP_FOLDER = '.jmake-tmp';

/** Where a command writes `output` (relative paths in, relative paths out). */
export function tempPathOf(output: string): string {
  const slash = output.lastIndexOf('/');
  return `${output.slice(0, slash + 1)}${TEMP_FOLDER}/${output.slice(slash + 1)}`;
}

/**
 * Where a finished job's previous output is renamed before the new one is renamed into place; it
 * is removed afterwards off the event loop: renaming over it freed its blocks inside the rename
 * (0.3–3 ms here, on the path from a compile to the link). See ProcessRunner.settleOutputs.
 */
export function asidePathOf(output: string): string {
  return `${tempPathOf(output)}.jmake-old`;
}

const BUILTIN_PROFILES: Readonly<Record<string, Profile>> = {
  debug: { name: 'debug', outputDir: null, own: { flags: ['-O0', '-g'], cFlags: [], cxxFlags: [], includeDirs: [], defines: {}, linkFlags: [], libDirs: [] } },
  release: { name: 'release', outputDir: null, own: { flags: ['-O2'], cFlags: [], cxxFlags: [], includeDirs: [], defines: { NDEBUG: null }, linkFlags: [], libDirs: [] } },
};

const TOOL_HINTS: Record<ToolRole, string> = {
  cc: 'a C compiler (clang or gcc)', cxx: 'a C++ compiler (clang++ or g++)', ar: 'ar (binutils)',
  'llvm-link': 'llvm-link of the same release as clang (Debian: apt install llvm)', opt: 'opt (apt install llvm)',
  llc: 'llc (apt install llvm)', 'llvm-ar': 'llvm-ar (apt install llvm)', lld: 'lld (apt install lld)', 'llvm-config': 'llvm-config',
};

const PRIORITY: Record<JobKind, number> = { job: 50, link: 40, archive: 40, codegen: 30, opt: 20, 'link-ir': 10, compile: 0, 'emit-ir': 0 };

export function profileFor(config: BuildConfig, name: string | null): Profile | null | undefined {
  if (name === null) return null;
  return config.profiles[name] ?? BUILTIN_PROFILES[name];
}

export function outBaseFor(config: BuildConfig, profile: Profile | null): string {
  if (!profile) return config.compile.outputDir;
  return profile.outputDir ?? `${config.compile.outputDir}/${profile.name}`;
}

export function isSource(path: string): boolean {
  const dot = path.lastIndexOf('.');
  return dot > path.lastIndexOf('/') && SOURCE_EXTENSIONS.includes(path.slice(dot + 1));
}

export function isCxx(path: string): boolean {
  return !path.endsWith('.c');
}

export function planBuild(input: PlanInput): Plan {
  const { config } = input;
  const errors: PlanError[] = [];
  const profile = profileFor(config, input.profile);
  if (profile === undefined) {
    return { outBase: config.compile.outputDir, pipeline: config.compile.pipeline, jobs: new Map(), targets: [], errors: [{ message: `no profile named "${input.profile}" ([profile.${input.profile}] in jmake.toml, or the built-in debug and release)` }], notes: [] };
  }
  const outBase = outBaseFor(config, profile);
  const pipeline = config.compile.pipeline;
  const jobs = new Map<string, PlannedJob>();
  const targets: PlannedTarget[] = [];
  // Sources a user job generates are compiled like the others, even before the job first ran.
  const generated = config.jobs.filter((j) => j.inputs.length > 0).flatMap((j) => j.outputs.map((o) => o.replace(/^\.\//, ''))).filter(isSource);
  const files = [...new Set([...input.files, ...generated])];
  const eligible = files.filter((f) => isSource(f) && !isUnder(f, config.discovery.excludeDirs) && !isUnder(f, [outBase, config.compile.outputDir]));
  // A depfile is make syntax, which cannot hold a line break: the headers such a source includes
  // could not be known, and a header edit would leave its object stale. Left out, and said so.
  const lineBreak = (f: string) => /[\n\r]/.test(f);
  const candidates = eligible.filter((f) => !lineBreak(f));
  const notes = eligible.filter(lineBreak).map((f) => `${f.replace(/\n/g, '\\n').replace(/\r/g, '\\r')}: the file name holds a line break, which a depfile cannot describe, so jmake cannot track what it includes and leaves it out of the build; rename it`);

  const specs = expandEach(config, candidates, errors);
  const tracked = new Set(files);
  // Every target's artifact and sources are known before any is planned: `link` may name a later
  // target, and a link needs to know whether anything it pulls in is C++.
  const artifacts = new Map<string, Artifact>();
  const planned: { spec: TargetSpec; sources: string[] }[] = [];
  for (const spec of specs) {
    if (artifacts.has(spec.name)) errors.push({ target: spec.name, message: `two targets are named "${spec.name}" (an \`each\` target makes one per matching file name)` });
    const sources = selectSources(spec, candidates);
    const untracked = sources.filter((s) => !tracked.has(s));
    if (untracked.length > 0) {
      errors.push({ target: spec.name, message: `target "${spec.name}": ${untracked.join(', ')} ${untracked.length === 1 ? 'does' : 'do'} not exist` });
      continue;
    }
    if (sources.length === 0) {
      errors.push({ target: spec.name, message: `target "${spec.name}" has no sources (patterns: ${spec.sources.join(', ') || 'none'})` });
      continue;
    }
    artifacts.set(spec.name, { type: spec.type, output: artifactPath(outBase, spec), cxx: sources.some(isCxx), link: spec.link });
    planned.push({ spec, sources });
  }
  for (const { spec, sources } of planned) {
    const ctx = new TargetContext(input, spec, profile, outBase, pipeline);
    const target = ctx.plan(sources, artifacts, errors);
    for (const job of target.jobList) jobs.set(job.id, job);
    targets.push({ name: spec.name, type: spec.type, output: target.output, jobs: target.jobList.map((j) => j.id) });
  }
  const sources = [...new Set(planned.flatMap((p) => p.sources))].sort();
  const userJobs = planUserJobs({
    jobs: config.jobs, values: config.values, root: input.root ?? '.', outputDir: outBase, sources, files: input.files,
    targets: new Map(targets.map((t) => [t.name, t.output])), buildJobs: jobs,
  }, errors);
  const generators = generatorsOfSources(userJobs);
  for (const id of generators) {
    if (dependsOnBuild(id, userJobs, jobs)) errors.push({ message: `job "${id}" generates headers or sources, so every compile waits for it, but it also waits for the build: a cycle` });
  }
  if (generators.length > 0) {
    for (const job of jobs.values()) if (job.kind === 'compile' || job.kind === 'emit-ir') jobs.set(job.id, { ...job, deps: [...job.deps, ...generators] });
  }
  for (const job of userJobs) jobs.set(job.id, job);
  const missing = new Set<ToolRole>();
  for (const job of jobs.values()) if (job.tool !== 'user' && !input.toolchain.tools[job.tool]) missing.add(job.tool);
  if (pipeline === 'thinlto' && jobs.size > 0 && !input.toolchain.tools.lld) missing.add('lld');
  for (const role of missing) errors.push({ message: `the ${pipeline} pipeline needs ${TOOL_HINTS[role]}, which was not found (see \`jmake tools\`)` });
  for (const e of outsideWrites(jobs.values())) errors.push(e);
  return { outBase, pipeline, jobs, targets, errors, notes };
}

/** Whether a user job waits, directly or through other user jobs, for a build job. */
function dependsOnBuild(id: string, userJobs: readonly PlannedJob[], buildJobs: ReadonlyMap<string, PlannedJob>): boolean {
  const byId = new Map(userJobs.map((j) => [j.id, j]));
  const seen = new Set<string>();
  const visit = (at: string): boolean => {
    if (seen.has(at)) return false;
    seen.add(at);
    return (byId.get(at)?.deps ?? []).some((d) => buildJobs.has(d) || visit(d));
  };
  return visit(id);
}

/** `each = "tests/*_test.cc"` makes one executable per match. */
function expandEach(config: BuildConfig, candidates: readonly string[], errors: PlanError[]): TargetSpec[] {
  const out: TargetSpec[] = [];
  for (const spec of config.targets) {
    if (!spec.each) { out.push(spec); continue; }
    const match = picomatch(spec.each, { dot: true });
    const matches = candidates.filter((f) => match(f));
    if (matches.length === 0) errors.push({ target: spec.name, message: `target "${spec.name}": each = "${spec.each}" matches no source` });
    for (const file of matches) {
      const base = file.slice(file.lastIndexOf('/') + 1).replace(/\.[^.]+$/, '');
      out.push({ ...spec, name: base, each: null, sources: [file, ...spec.sources] });
    }
  }
  return out;
}

function selectSources(spec: TargetSpec, candidates: readonly string[]): string[] {
  const explicit = spec.sources.filter((p) => !picomatch.scan(p).isGlob);
  const globs = spec.sources.filter((p) => picomatch.scan(p).isGlob);
  const include = globs.length > 0 ? picomatch(globs, { dot: true }) : () => false;
  const exclude = spec.exclude.length > 0 ? picomatch([...spec.exclude], { dot: true }) : () => false;
  const set = new Set(explicit.map((p) => p.replace(/^\.\//, '')));
  for (const f of candidates) if (include(f)) set.add(f);
  return [...set].filter((f) => !exclude(f)).sort();
}

function isUnder(path: string, dirs: readonly string[]): boolean {
  return dirs.some((d) => d !== '' && (path === d || path.startsWith(`${d}/`)));
}

/** Everything about one target that its commands need. */
class TargetContext {
  readonly levels: FlagSet[];
  readonly jobList: PlannedJob[] = [];

  constructor(
    private readonly input: PlanInput,
    private readonly spec: TargetSpec,
    profile: Profile | null,
    private readonly outBase: string,
    private readonly pipeline: Pipeline,
  ) {
    this.levels = [input.config.compile, spec.own, ...(profile ? [profile.own] : [])];
  }

  plan(sources: readonly string[], artifacts: ReadonlyMap<string, Artifact>, errors: PlanError[]): { output: string; jobList: PlannedJob[] } {
    const { spec, pipeline } = this;
    const objects = sources.map((src) => (pipeline === 'ir' ? this.emitIr(src) : this.compile(src)));
    let linkInputs = objects;
    if (pipeline === 'ir') linkInputs = [this.irTail(objects)];
    const output = spec.type === 'static' ? this.archive(linkInputs) : this.link(linkInputs, sources, artifacts, errors);
    return { output, jobList: this.jobList };
  }

  /** Objects of a lone [binary] live in obj/ itself, so renaming the binary relinks only; [[targets]] use obj/<target>/. */
  private get objDir(): string {
    return this.spec.fromBinary ? `${this.outBase}/obj` : `${this.outBase}/obj/${this.spec.name}`;
  }

  private compile(src: string): string {
    const obj = `${this.objDir}/${src}.o`;
    const dep = `${obj}.d`;
    const lto = this.pipeline === 'thinlto' ? ['-flto=thin'] : [];
    this.add({
      kind: 'compile', tool: isCxx(src) ? 'cxx' : 'cc', output: obj, depfile: dep, source: src, deps: [],
      args: [...this.compileFlags(src), ...lto, '-MD', '-MF', dep, '-MT', obj, '-c', operand(src), '-o', tempPathOf(obj)],
    });
    return obj;
  }

  private emitIr(src: string): string {
    const bc = `${this.outBase}/ir/${this.spec.name}/${src}.bc`;
    const dep = `${bc}.d`;
    const level = this.input.config.link.optLevel;
    this.add({
      kind: 'emit-ir', tool: isCxx(src) ? 'cxx' : 'cc', output: bc, depfile: dep, source: src, deps: [],
      // -O0 bitcode marks every function optnone, so a later `opt` would do nothing: emit at the
      // target level with the passes disabled and let `opt` optimise the linked module.
      args: [...this.compileFlags(src), `-${level}`, '-Xclang', '-disable-llvm-passes', '-emit-llvm', '-MD', '-MF', dep, '-MT', bc, '-c', operand(src), '-o', tempPathOf(bc)],
    });
    return bc;
  }

  /** llvm-link the bitcode, opt it, compile it to one object. */
  private irTail(bitcode: readonly string[]): string {
    const base = `${this.outBase}/ir/${this.spec.name}/${this.spec.name}`;
    const level = this.input.config.link.optLevel;
    const linked = `${base}.linked.bc`;
    const optimised = `${base}.opt.bc`;
    const object = `${base}.o`;
    this.add({ kind: 'link-ir', tool: 'llvm-link', output: linked, depfile: null, source: null, deps: bitcode, args: [...bitcode, '-o', tempPathOf(linked)] });
    this.add({ kind: 'opt', tool: 'opt', output: optimised, depfile: null, source: null, deps: [linked], args: [`-${level}`, linked, '-o', tempPathOf(optimised)] });
    // Position-independent always: distributions link executables as PIE, and shared libraries need it.
    this.add({ kind: 'codegen', tool: 'llc', output: object, depfile: null, source: null, deps: [optimised], args: [`-${level}`, '-filetype=obj', '-relocation-model=pic', optimised, '-o', tempPathOf(object)] });
    return object;
  }

  private archive(inputs: readonly string[]): string {
    const lib = artifactPath(this.outBase, this.spec);
    const tool: ToolRole = this.pipeline === 'thinlto' ? 'llvm-ar' : 'ar';
    this.add({ kind: 'archive', tool, output: lib, depfile: null, source: null, deps: inputs, args: ['rcsD', tempPathOf(lib), ...inputs] });
    return lib;
  }

  private link(inputs: readonly string[], sources: readonly string[], artifacts: ReadonlyMap<string, Artifact>, errors: PlanError[]): string {
    const { spec } = this;
    const shared = spec.type === 'shared';
    const out = artifactPath(this.outBase, spec);
    const resolved = resolveLinks(spec.name, spec.link, artifacts, errors);
    const libs = resolved.args;
    const libDeps = resolved.deps;
    const rpath = resolved.shared;
    // The C++ driver only when some code linked in is C++ (it would pull in libstdc++ otherwise).
    const cxx = sources.some(isCxx) || resolved.cxx;
    const pkgLibs = spec.pkgConfig.flatMap((p) => this.input.pkgConfig[p]?.libs ?? []);
    const libDirs = this.levels.flatMap((l) => l.libDirs).map((d) => `-L${d}`);
    const linkFlags = this.levels.flatMap((l) => l.linkFlags);
    const envFlags = splitFlags(this.input.config.env.LDFLAGS);
    const soname = shared ? ['-shared', `-Wl,-soname,lib${spec.name}.so`] : [];
    const thin = this.pipeline === 'thinlto'
      ? ['-flto=thin', '-fuse-ld=lld', `-Wl,--thinlto-cache-dir=${this.outBase}/thinlto-cache`, `-Wl,--thinlto-jobs=${this.input.parallelism}`]
      : [];
    const rpathFlag = rpath ? [shared ? '-Wl,-rpath,$ORIGIN' : '-Wl,-rpath,$ORIGIN/../lib'] : [];
    this.add({
      kind: 'link', tool: cxx ? 'cxx' : 'cc', output: out, depfile: null, source: null, deps: [...inputs, ...libDeps],
      args: [...soname, ...thin, ...inputs, '-o', tempPathOf(out), ...libDirs, ...libs, ...pkgLibs, ...rpathFlag, ...linkFlags, ...envFlags],
    });
    return out;
  }

  private compileFlags(src: string): string[] {
    const cxx = isCxx(src);
    const flags: string[] = [];
    // Not push(...list): a list of a million flags would overflow the call stack.
    for (const level of this.levels) for (const list of [level.flags, cxx ? level.cxxFlags : level.cFlags]) for (const f of list) flags.push(f);
    for (const f of splitFlags(cxx ? this.input.config.env.CXXFLAGS : this.input.config.env.CFLAGS)) flags.push(f);
    const includes = [this.spec.own, this.input.config.compile, ...this.levels.slice(2)].flatMap((l) => l.includeDirs);
    const defines: Record<string, string | null> = {};
    for (const level of this.levels) Object.assign(defines, level.defines);
    const pkg = this.spec.pkgConfig.flatMap((p) => this.input.pkgConfig[p]?.cflags ?? []);
    const pic = this.spec.type === 'shared' ? ['-fPIC'] : [];
    return [
      ...flags,
      ...pic,
      ...includes.map((d) => `-I${d}`),
      ...Object.entries(defines).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => (v === null ? `-D${k}` : `-D${k}=${v}`)),
      ...pkg,
    ];
  }

  private add(job: { kind: JobKind; tool: ToolRole; output: string; depfile: string | null; source: string | null; deps: readonly string[]; args: string[] }): void {
    const tool = this.input.toolchain.tools[job.tool];
    const base = tool ? [...tool.argv] : [`<no ${job.tool}>`];
    const colour = (job.tool === 'cc' || job.tool === 'cxx') ? ['-fdiagnostics-color=always'] : [];
    this.jobList.push({
      id: job.output, kind: job.kind, target: this.spec.name, tool: job.tool, argv: [...base, ...job.args], cosmeticArgs: colour,
      ...(job.source !== null && this.input.config.compile.launcher.length > 0 ? { launcher: this.input.config.compile.launcher } : {}),
      output: job.output, tmpOutput: tempPathOf(job.output), depfile: job.depfile, source: job.source, deps: [...job.deps], priority: PRIORITY[job.kind],
    });
  }
}

interface Artifact {
  readonly type: ArtifactType;
  readonly output: string;
  /** Its own sources hold C++. */
  readonly cxx: boolean;
  readonly link: readonly string[];
}

/**
 * A target's `link` list -> link-line arguments. In-tree static libraries pass on what they link
 * themselves (a static archive records no dependencies), so `link = ["m"]` on a library reaches
 * every program that links it; a shared library carries its own.
 */
function resolveLinks(owner: string, names: readonly string[], artifacts: ReadonlyMap<string, Artifact>, errors: PlanError[]): { args: string[]; deps: string[]; shared: boolean; cxx: boolean } {
  const args: string[] = [];
  const deps: string[] = [];
  let shared = false;
  let cxx = false;
  const seen = new Set<string>();
  const visit = (list: readonly string[], via: string) => {
    for (const name of list) {
      const target = artifacts.get(name);
      if (!target) {
        args.push(/\.(a|so(\.\d+)*)$/.test(name) || name.startsWith('-') ? name : `-l${name}`);
        continue;
      }
      if (target.type === 'executable') {
        errors.push({ target: owner, message: `target "${via}" links to "${name}", which is an executable` });
        continue;
      }
      if (seen.has(name)) continue;
      seen.add(name);
      args.push(target.output);
      deps.push(target.output);
      if (target.type === 'shared') {
        shared = true; // it records its own dependencies (libstdc++ included)
      } else {
        cxx ||= target.cxx;
        visit(target.link, name);
      }
    }
  };
  visit(names, owner);
  return { args, deps, shared, cxx };
}

function artifactPath(outBase: string, spec: TargetSpec): string {
  if (spec.type === 'shared') return `${outBase}/lib/lib${spec.name}.so`;
  if (spec.type === 'static') return `${outBase}/lib/lib${spec.name}.a`;
  return `${outBase}/bin/${spec.name}`;
}

/** A file name as a command operand: `-x.cpp` would be read as an option, `./-x.cpp` is the file. */
function operand(path: string): string {
  return path.startsWith('-') ? `./${path}` : path;
}

/**
 * jmake writes and deletes only inside the project: every path a job writes (its output, the temp
 * file, the depfile, a user job's outputs) must be a plain relative path, with no `..` or `.`
 * segment and not absolute. The config checks refuse the values that lead elsewhere; this is the
 * last look, at the paths themselves, whatever they were made of.
 */
export function outsideWrites(jobs: Iterable<PlannedJob>): PlanError[] {
  const errors: PlanError[] = [];
  for (const job of jobs) {
    const written = job.user ? job.user.outputs : [job.output, job.tmpOutput, ...(job.depfile ? [job.depfile] : [])];
    const bad = written.find((p) => !isPlainRelative(p));
    if (bad === undefined) continue;
    const what = job.user ? `job "${job.id}" declares the output` : `${job.kind} ${job.source ?? job.id} would write`;
    errors.push({ ...(job.target ? { target: job.target } : {}), message: `${what} "${bad}", which is not a plain path inside the project (no "..", ".", or leading "/"): jmake writes and deletes files only inside the project` });
  }
  return errors;
}

export function splitFlags(value: string | undefined): string[] {
  return value ? value.trim().split(/\s+/).filter(Boolean) : [];
}
