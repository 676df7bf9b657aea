/**
 * `{{...}}` templates in the `run` arguments of user jobs (`[[jobs]]`), as jmake's ancestor had them:
 * `{{project.root}}` (the absolute root), `{{config_path}}`, `{{compile.output_dir}}`,
 * `{{discovery.files}}` (the sources the build uses) and any key of jmake.toml by its dotted path.
 * An argument that is exactly one template of a list expands to one argument per item; a list
 * inside a longer argument, a table, or an unknown name is an error naming the job and the template.
 * Nothing goes through a shell: each argument stays one argument, whatever characters it holds.
 */
export type TemplateValue = string | number | boolean | readonly (string | number | boolean)[];

export type TemplateLookup = (name: string) => TemplateValue | undefined;

export type ExpandResult = { readonly ok: true; readonly argv: string[] } | { readonly ok: false; readonly message: string };

const TEMPLATE = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

export function expandArgs(job: string, argv: readonly string[], lookup: TemplateLookup): ExpandResult {
  const out: string[] = [];
  for (const arg of argv) {
    const whole = /^\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}$/.exec(arg);
    if (whole) {
      const value = lookup(whole[1]!);
      if (value === undefined) return unknown(job, whole[1]!);
      if (Array.isArray(value)) for (const item of value) out.push(String(item)); // not push(...): a huge list overflows the stack
      else out.push(String(value));
      continue;
    }
    let error: string | null = null;
    const expanded = arg.replace(TEMPLATE, (_, name: string) => {
      const value = lookup(name);
      if (value === undefined) { error ??= unknown(job, name).message; return ''; }
      if (Array.isArray(value)) { error ??= `job "${job}": {{${name}}} is a list; a list must be a whole argument ("{{${name}}}"), one argument per item`; return ''; }
      return String(value);
    });
    if (error) return { ok: false, message: error };
    out.push(expanded);
  }
  return { ok: true, argv: out };
}

/** The templates an argument list uses, for validation without expanding. */
export function templatesIn(argv: readonly string[]): string[] {
  return argv.flatMap((arg) => [...arg.matchAll(TEMPLATE)].map((m) => m[1]!));
}

/**
 * A lookup over jmake.toml's values plus the derived names: `values` is the parsed file, `derived`
 * the names jmake computes (project.root, config_path, compile.output_dir, discovery.files).
 */
export function configLookup(values: Readonly<Record<string, unknown>>, derived: Readonly<Record<string, TemplateValue>>): TemplateLookup {
  return (name) => {
    if (name in derived) return derived[name];
    let node: unknown = values;
    for (const part of name.split('.')) {
      if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
      node = (node as Record<string, unknown>)[part];
    }
    if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') return node;
    if (Array.isArray(node) && node.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) return node as TemplateValue;
    return undefined; // a table, a list of tables, a date or nothing
  };
}

function unknown(job: string, name: string): { ok: false; message: string } {
  return { ok: false, message: `job "${job}": unknown template {{${name}}} (use project.root, config_path, compile.output_dir, discovery.files or a key of jmake.toml)` };
}
