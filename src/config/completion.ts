/**
 * `jmake complete`, the pure part: which jmake.toml fields are missing or empty, which jobs find
 * their values, and the keys to add once the jobs are done. The jobs themselves (reading sources,
 * discovering tools, creating folders) run in the daemon (daemon/completer.ts).
 *
 * Jobs and what they fill:
 * - `scan_files`: the sources and headers the watcher tracks -> `[discovery] include` globs (or the
 *   explicit `files` list with --freeze);
 * - `include_dirs` (after scan_files): folders that hold the headers the sources include with
 *   quotes, other than their own folder -> `[compile] include_dirs`;
 * - `discover_tools`: the toolchain a build would choose -> `[llvm] tools`, by command name when
 *   found on PATH (the file stays portable);
 * - `create_structure`: creates the output dir -> `[compile] output_dir`.
 * `project.name`, `project.root` and `[binary]` need no job: the folder's name, ".", an executable.
 */
import { dirname, posix } from 'node:path';
import { keySpec, tableSpec } from './schema.js';
import { isEmpty, type TomlAddition, type TomlValue } from './toml-edit.js';

export type CompletionJob = 'scan_files' | 'include_dirs' | 'discover_tools' | 'create_structure';

export const COMPLETION_JOB_DEPS: Readonly<Record<CompletionJob, readonly CompletionJob[]>> = {
  scan_files: [],
  include_dirs: ['scan_files'],
  discover_tools: [],
  create_structure: [],
};

export type Field =
  | 'project.name' | 'project.root' | 'discovery.include' | 'discovery.files' | 'compile.include_dirs'
  | 'compile.output_dir' | 'llvm.tools' | 'binary.type' | 'binary.name';

export interface Needs {
  readonly fields: readonly Field[];
  readonly jobs: readonly CompletionJob[];
}

export const SOURCE_FILE = /\.(c|cc|cpp|cxx|c\+\+|C)$/;
export const HEADER_FILE = /\.(h|hh|hpp|hxx|h\+\+|inc|inl|ipp|tpp)$/;

type Values = Readonly<Record<string, unknown>>;

/** The fields to fill, and the jobs (with their dependencies) that find them. */
export function missingFields(values: Values, freeze: boolean): Needs {
  const fields: Field[] = [];
  const missing = (table: string, key: string) => {
    const t = values[table];
    if (t === undefined) return true;
    if (t === null || typeof t !== 'object' || Array.isArray(t)) return false; // wrong type: validate's business
    const v = (t as Values)[key];
    return v === undefined || isEmpty(v);
  };
  if (missing('project', 'name')) fields.push('project.name');
  if (missing('project', 'root')) fields.push('project.root');
  const hasTargets = Array.isArray(values.targets) && values.targets.length > 0;
  if (missing('discovery', 'files') && missing('discovery', 'include') && !hasTargets) fields.push(freeze ? 'discovery.files' : 'discovery.include');
  if (missing('compile', 'include_dirs')) fields.push('compile.include_dirs');
  if (missing('compile', 'output_dir')) fields.push('compile.output_dir');
  if (missing('llvm', 'tools')) fields.push('llvm.tools');
  if (!hasTargets && missing('binary', 'type')) fields.push('binary.type');
  if (!hasTargets && missing('binary', 'name')) fields.push('binary.name');

  const jobs = new Set<CompletionJob>();
  for (const field of fields) {
    if (field === 'discovery.include' || field === 'discovery.files') jobs.add('scan_files');
    if (field === 'compile.include_dirs') { jobs.add('scan_files'); jobs.add('include_dirs'); }
    if (field === 'llvm.tools') jobs.add('discover_tools');
  }
  // The output dir is created whether or not its key is missing: the ancestor's "create the structure".
  jobs.add('create_structure');
  return { fields, jobs: [...jobs] };
}

/** One glob per top folder and extension that holds sources: new files there are picked up. */
export function sourceGlobs(sources: readonly string[]): string[] {
  const globs = new Set<string>();
  for (const path of sources) {
    const ext = /\.([^./]+)$/.exec(path)?.[1];
    if (!ext) continue;
    const slash = path.indexOf('/');
    globs.add(slash < 0 ? `*.${ext}` : `${path.slice(0, slash)}/**/*.${ext}`);
  }
  return [...globs].sort();
}

/**
 * The folders to add with -I: for each `#include "x/y.h"` a source makes that its own folder does
 * not resolve, the folder F with F/x/y.h among the headers (the shortest F when several match).
 */
export function includeDirsFor(includes: ReadonlyMap<string, readonly string[]>, headers: readonly string[]): string[] {
  const headerSet = new Set(headers);
  const dirs = new Set<string>();
  for (const [source, names] of includes) {
    const own = dirname(source);
    for (const name of names) {
      if (headerSet.has(posix.normalize(own === '.' ? name : `${own}/${name}`))) continue;
      const candidates = headers.filter((h) => h === name || h.endsWith(`/${name}`)).map((h) => (h === name ? '.' : h.slice(0, h.length - name.length - 1)));
      if (candidates.length === 0) continue; // a system header, or one a job generates
      candidates.sort((a, b) => a.length - b.length || a.localeCompare(b));
      dirs.add(candidates[0]!);
    }
  }
  return [...dirs].sort();
}

/** `#include "..."` names in a source text (not `<...>`: those are system or -I headers, searched alike). */
export function quotedIncludes(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*#\s*include\s+"([^"]+)"/gm)) out.push(m[1]!);
  return out;
}

export interface JobResults {
  readonly scan_files?: { readonly sources: readonly string[]; readonly headers: readonly string[] };
  readonly include_dirs?: { readonly dirs: readonly string[] };
  readonly discover_tools?: { readonly tools: Readonly<Record<string, string>> };
  readonly create_structure?: { readonly outputDir: string; readonly created: boolean };
}

export interface FilledField extends TomlAddition {
  readonly field: Field;
  /** The job that found the value, or how it was derived. */
  readonly source: CompletionJob | 'default';
}

/**
 * The keys to add. A job that found nothing (no sources, no include dirs) adds nothing. `folder`:
 * the project folder's name; `projectName`: `[project] name` when the file has one.
 */
export function additionsFor(needs: Needs, results: JobResults, folder: string, projectName: string | null): FilledField[] {
  const out: FilledField[] = [];
  const add = (field: Field, value: TomlValue, source: FilledField['source']) => {
    const [table, key] = field.split('.') as [string, string];
    out.push({ field, table: [table], key, value, source });
  };
  const name = projectName ?? projectNameFrom(folder);
  for (const field of needs.fields) {
    switch (field) {
      case 'project.name': add(field, name, 'default'); break;
      case 'project.root': add(field, '.', 'default'); break;
      case 'discovery.include': {
        const globs = sourceGlobs(results.scan_files?.sources ?? []);
        if (globs.length > 0) add(field, globs, 'scan_files');
        break;
      }
      case 'discovery.files': {
        const files = [...(results.scan_files?.sources ?? [])].sort();
        if (files.length > 0) add(field, files, 'scan_files');
        break;
      }
      case 'compile.include_dirs': {
        const dirs = results.include_dirs?.dirs ?? [];
        if (dirs.length > 0) add(field, [...dirs], 'include_dirs');
        break;
      }
      case 'compile.output_dir': add(field, results.create_structure?.outputDir ?? schemaDefault(field), 'create_structure'); break;
      case 'llvm.tools': {
        const tools = results.discover_tools?.tools ?? {};
        if (Object.keys(tools).length > 0) add(field, tools, 'discover_tools');
        break;
      }
      case 'binary.type': add(field, schemaDefault(field), 'default'); break;
      case 'binary.name': add(field, name, 'default'); break;
    }
  }
  return out;
}

/** A folder name as a project and program name: letters, digits and `_ . + -`. */
export function projectNameFrom(folder: string): string {
  const cleaned = folder.replace(/[^A-Za-z0-9_.+-]+/g, '-').replace(/^[-.]+|-+$/g, '');
  return cleaned === '' ? 'project' : cleaned;
}

/** The default the schema gives a field (config/schema.ts: one list of keys and defaults for validate, docs and this). */
export function schemaDefault(field: Field): string {
  const [table, key] = field.split('.') as [string, string];
  const spec = tableSpec(table);
  const d = spec ? keySpec(spec, key)?.default : undefined;
  if (d?.kind !== 'value' || typeof d.value !== 'string') throw new Error(`the schema has no string default for ${field}`);
  return d.value;
}
