/**
 * The project templates of `jmake init`, shipped in the package's `templates/` folder:
 * `templates/<name>/template.json` ({"run": [...]}: the programs a build makes, relative to the
 * output dir, to suggest running) and `templates/<name>/files/`, copied as they are except that
 * `{{name}}` in a path or a text becomes the project's name.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { JmakeError, isErrno } from '../errors.js';
import { packageRoot } from '../package-root.js';

export interface TemplateFile {
  /** Relative to the project root, with `/`. */
  readonly path: string;
  readonly text: string;
}

export interface Template {
  readonly name: string;
  /** The programs a build makes, relative to the output dir (`bin/{{name}}`), in the order to suggest running them. */
  readonly run: readonly string[];
  readonly files: readonly TemplateFile[];
}

export const DEFAULT_TEMPLATE = 'cpp_project';

export function templatesDir(): string {
  return join(packageRoot(), 'templates');
}

/** The names of the templates in `dir`, sorted. */
export function listTemplates(dir: string = templatesDir()): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return [];
    throw err;
  }
  return entries.filter((name) => isFile(join(dir, name, 'template.json'))).sort();
}

export function loadTemplate(name: string, dir: string = templatesDir()): Template {
  const known = listTemplates(dir);
  if (!known.includes(name)) {
    throw new JmakeError('unknown-template', `there is no template "${name}"`, 2, `templates: ${known.join(', ') || '(none installed)'}`);
  }
  const base = join(dir, name);
  const manifest = JSON.parse(readFileSync(join(base, 'template.json'), 'utf8')) as { run?: unknown };
  if (!Array.isArray(manifest.run) || !manifest.run.every((r) => typeof r === 'string')) {
    // A broken package, not a user error.
    throw new Error(`${join(base, 'template.json')} needs "run": an array of strings`);
  }
  const files = filesUnder(join(base, 'files')).map((path) => ({ path, text: readFileSync(join(base, 'files', path), 'utf8') }));
  return { name, run: manifest.run as string[], files };
}

/** The template with every `{{name}}` replaced, in file paths, texts and run paths. */
export function renderTemplate(template: Template, projectName: string): Template {
  const fill = (text: string) => text.replaceAll('{{name}}', projectName);
  return {
    ...template,
    run: template.run.map(fill),
    files: template.files.map((f) => ({ path: fill(f.path), text: fill(f.text) })),
  };
}

/** Every file below `dir`, relative to it, sorted so a template is always written in the same order. */
function filesUnder(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...filesUnder(dir, rel));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
