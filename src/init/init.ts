/**
 * `jmake init`: a new project from a template. Planning looks at the disk and decides everything
 * (and refuses) before anything is written; applying then only writes. Existing files are never
 * overwritten, except jmake.toml with --force, and jmake.toml is written last, so an init that
 * failed half-way can simply be run again.
 */
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { parse } from 'smol-toml';
import { resolveBuildConfig } from '../config/build-config.js';
import { JmakeError } from '../errors.js';
import { CONFIG_FILE } from '../project/root.js';
import { STATE_DIR_NAME } from '../project/paths.js';
import { nodeDisk, type InitDisk } from './disk.js';
import { mergeGitignore } from './gitignore.js';
import { isValidProjectName, projectNameFromFolder } from './project-name.js';
import { loadTemplate, renderTemplate, templatesDir, type Template } from './templates.js';

export interface InitOptions {
  /** The project folder, absolute (created when missing). */
  readonly root: string;
  readonly template: string;
  /** Default: the folder's name, made valid. */
  readonly name?: string | undefined;
  /** Overwrite an existing jmake.toml (and nothing else). */
  readonly force?: boolean | undefined;
  /** The folder the user's shell is in: the suggested `cd` is relative to it. */
  readonly shellCwd: string;
}

interface PlannedFile {
  readonly path: string;
  readonly text: string;
  readonly replace: boolean;
}

export interface InitPlan {
  readonly root: string;
  readonly template: string;
  readonly name: string;
  /** Folders to create, relative to the root, parents first. */
  readonly dirs: readonly string[];
  /** Files to write, relative to the root. */
  readonly files: readonly PlannedFile[];
  /** Existing files left as they are. */
  readonly kept: readonly string[];
  /** The new .gitignore, or null when it already ignores everything needed. */
  readonly gitignore: { readonly text: string; readonly added: readonly string[]; readonly existed: boolean } | null;
  readonly next: readonly string[];
}

export interface InitReport {
  readonly root: string;
  readonly template: string;
  readonly name: string;
  /** Folders (with a trailing `/`) and files that did not exist. */
  readonly created: readonly string[];
  /** jmake.toml, with --force. */
  readonly overwritten: readonly string[];
  /** .gitignore, when lines were added to it. */
  readonly updated: readonly string[];
  readonly kept: readonly string[];
  /** The lines added to .gitignore. */
  readonly gitignoreAdded: readonly string[];
  /** The commands to run next, in order. */
  readonly next: readonly string[];
}

const GITIGNORE = '.gitignore';

/** Plan, then apply, with the templates shipped in the package. */
export function initProject(options: InitOptions, disk: InitDisk = nodeDisk, templates: string = templatesDir()): InitReport {
  return applyInit(planInit(options, loadTemplate(options.template, templates), disk), disk);
}

export function planInit(options: InitOptions, template: Template, disk: InitDisk): InitPlan {
  const root = options.root;
  if (!isAbsolute(root)) throw new Error(`planInit needs an absolute root, not ${root}`);
  const name = chooseName(options.name, root);
  const rendered = renderTemplate(template, name);
  const config = rendered.files.find((f) => f.path === CONFIG_FILE);
  if (!config) throw new Error(`template ${template.name} has no ${CONFIG_FILE}`);

  const rootKind = disk.kind(root);
  if (rootKind !== null && rootKind !== 'dir') throw conflict(root, 'it is not a folder');
  const configKind = disk.kind(join(root, CONFIG_FILE));
  if (configKind !== null) {
    if (!options.force) throw configExists(root);
    if (configKind !== 'file') throw conflict(join(root, CONFIG_FILE), 'it is not a file');
  }

  const dirs: string[] = [];
  for (const dir of foldersOf(rendered.files.map((f) => f.path))) {
    const kind = disk.kind(join(root, dir));
    if (kind === null) dirs.push(dir);
    else if (kind !== 'dir') throw conflict(join(root, dir), 'the template needs a folder there');
  }

  const files: PlannedFile[] = [];
  const kept: string[] = [];
  for (const file of rendered.files) {
    const exists = disk.kind(join(root, file.path)) !== null;
    if (!exists) files.push({ ...file, replace: false });
    else if (file === config) files.push({ ...file, replace: true });
    else kept.push(file.path);
  }

  const outputDir = outputDirOf(config.text, name);
  const gitignorePath = join(root, GITIGNORE);
  const gitignoreKind = disk.kind(gitignorePath);
  if (gitignoreKind !== null && gitignoreKind !== 'file') throw conflict(gitignorePath, 'it is not a file');
  const merged = mergeGitignore(gitignoreKind === 'file' ? disk.readText(gitignorePath) : null, [`${STATE_DIR_NAME}/`, `/${outputDir}/`]);
  if (merged.added.length === 0) kept.push(GITIGNORE);

  return {
    root,
    template: template.name,
    name,
    dirs,
    files,
    kept,
    gitignore: merged.added.length > 0 ? { text: merged.text, added: merged.added, existed: gitignoreKind !== null } : null,
    next: nextSteps(root, options.shellCwd, outputDir, rendered.run),
  };
}

export function applyInit(plan: InitPlan, disk: InitDisk): InitReport {
  const created: string[] = [];
  const overwritten: string[] = [];
  const updated: string[] = [];
  const kept = [...plan.kept];
  const at = (rel: string) => join(plan.root, rel);

  disk.makeDir(plan.root);
  for (const dir of plan.dirs) {
    disk.makeDir(at(dir));
    created.push(`${dir}/`);
  }
  const write = (file: PlannedFile) => {
    if (file.replace) {
      disk.replaceFile(at(file.path), file.text);
      overwritten.push(file.path);
    } else if (disk.createFile(at(file.path), file.text)) {
      created.push(file.path);
    } else if (file.path === CONFIG_FILE) {
      // Someone wrote one since the plan: the same answer as if it had been there before.
      throw configExists(plan.root);
    } else {
      kept.push(file.path);
    }
  };
  // The config last: until it is written, running init again is never refused.
  const config = plan.files.filter((f) => f.path === CONFIG_FILE);
  for (const file of plan.files) if (file.path !== CONFIG_FILE) write(file);
  if (plan.gitignore?.existed) {
    disk.replaceFile(at(GITIGNORE), plan.gitignore.text);
    updated.push(GITIGNORE);
  } else if (plan.gitignore) {
    write({ path: GITIGNORE, text: plan.gitignore.text, replace: false });
  }
  for (const file of config) write(file);
  return {
    root: plan.root, template: plan.template, name: plan.name,
    created, overwritten, updated, kept, gitignoreAdded: plan.gitignore?.added ?? [], next: plan.next,
  };
}

function chooseName(given: string | undefined, root: string): string {
  if (given === undefined) return projectNameFromFolder(basename(root));
  if (!isValidProjectName(given)) {
    throw new JmakeError('invalid-name', `"${given}" is not a valid project name`, 2,
      'use letters, digits and _ . + - (starting with a letter, a digit or _)');
  }
  return given;
}

function configExists(root: string): JmakeError {
  return new JmakeError('config-exists', `${join(root, CONFIG_FILE)} already exists; jmake init leaves it as it is`, 2, 'use --force to overwrite it');
}

function conflict(path: string, why: string): JmakeError {
  return new JmakeError('init-conflict', `cannot create the project: ${path} is in the way (${why})`, 2);
}

/** Every folder that holds one of `paths`, parents before children. */
function foldersOf(paths: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const path of paths) {
    for (let dir = dirname(path); dir !== '.' && dir !== '/'; dir = dirname(dir)) dirs.add(dir);
  }
  return [...dirs].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
}

/** Where the template's jmake.toml puts outputs, read the way a build reads it (defaults included). */
function outputDirOf(configText: string, projectName: string): string {
  const values = JSON.parse(JSON.stringify(parse(configText))) as Record<string, unknown>;
  const { config, issues } = resolveBuildConfig(values, configText, {}, projectName);
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length > 0) throw new Error(`the template's ${CONFIG_FILE} is invalid: ${errors.map((e) => e.message).join('; ')}`);
  return config.compile.outputDir;
}

function nextSteps(root: string, shellCwd: string, outputDir: string, programs: readonly string[]): string[] {
  const steps: string[] = [];
  const rel = relative(shellCwd, root);
  if (rel !== '') steps.push(`cd ${shellWord(rel.startsWith('..') || isAbsolute(rel) ? root : rel)}`);
  steps.push('jmake build');
  for (const program of programs) steps.push(`./${outputDir}/${program}`);
  return steps;
}

/** Quoted for a POSIX shell when it holds anything but plain path characters. */
function shellWord(text: string): string {
  return /^[A-Za-z0-9_./+-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
