/**
 * docs/config.md, generated from the schema (`npm run docs:config`), so the reference cannot drift
 * from what validation accepts; a unit test compares the file with this output.
 */
import { ROOT_KEYS, TABLES, tableHeader, typeLabel, type Default, type KeySpec, type TableSpec, type TomlValue } from './schema.js';

/** A config that uses the common keys; the unit tests check that it validates. */
export const EXAMPLE_CONFIG = `[project]
name = "app"

[discovery]
include = ["src/**/*.{c,cc,cpp,cxx,c++,C}"]
exclude_dirs = ["third_party"]

[compile]
flags = ["-Wall"]
cxx_flags = ["-std=c++17"]
include_dirs = ["include"]
defines = { VERSION = "\\"1.0\\"" }
output_dir = "build"

[[targets]]
name = "core"
type = "static"
sources = ["core/*.c"]

[[targets]]
name = "app"
sources = ["app/*.cpp"]
link = ["core", "m"]

[profile.fast]
flags = ["-O3"]

[daemon]
idle_timeout = "1h"
`;

const INTRO = `# jmake.toml

<!-- Generated from src/config/schema.ts by \`npm run docs:config\`. Edit the schema, not this file. -->

Every jmake project has a \`jmake.toml\` at its root; every table in it is optional. This page
lists every table and key with its type, default and meaning. \`jmake validate\` checks a file
against the same list and prints each problem as \`jmake.toml:LINE:COLUMN: error|warning: message\`;
it exits 2 when there are errors and 0 with warnings only. Unknown keys are warnings (with a "did
you mean"); wrong types and values are errors. \`jmake build\` refuses a file with errors, printing
exactly what \`jmake validate\` prints for them (and exits 2); warnings never stop a build.
[build.md](build.md) explains how the build uses these keys.

The file is UTF-8, as TOML requires: a byte that is no UTF-8 character is an error at its line and
column (write \`"\\uFFFD"\` in a string if you mean that character). Quoted text in messages has
its control characters shown as \`\\xNN\`, so a binary file cannot send escape sequences to the
terminal. jmake never rewrites jmake.toml after a failed parse.

Tables marked *reserved* are accepted and validated but not used yet, so a config written for them
keeps working when they are.`;

const TYPES = `## Types

| type | written as |
|---|---|
| string | \`"text"\`; never empty |
| flag | one compiler or linker argument, a non-empty string: \`"-Wall"\` |
| glob | a pattern relative to the project root: \`"src/**/*.c"\`, \`"tests/*_test.cpp"\` |
| path (output) | relative to the project root and inside it (no absolute paths, no \`..\`, not \`jmake.toml\` or \`.jmake/\`): jmake writes and deletes files there |
| path (input) | relative to the project root, or absolute (system or sibling folders); a missing one is a warning |
| path (anywhere) | any folder; created when needed |
| duration | a number of seconds, or a string with a unit: \`"500ms"\`, \`"30s"\`, \`"10m"\`, \`"3h"\` |
| size | a number and a unit: \`"500 MiB"\`, \`"5 GiB"\` (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB) |
| optimisation level | \`"O0"\`, \`"O1"\`, \`"O2"\`, \`"O3"\`, \`"Os"\`, \`"Oz"\` (also \`"2"\`, \`"-O2"\`) |
| table of macros | \`{ NDEBUG = true, VERSION = "\\"1.0\\"", LEVEL = 3 }\`: a string or number is the value, \`true\` defines the macro, \`false\` leaves it out |
| table of strings | \`{ name = "value" }\` |`;

export function configDoc(): string {
  const sections = [
    INTRO,
    `## Example\n\n\`\`\`toml\n${EXAMPLE_CONFIG}\`\`\``,
    TYPES,
    rootSection(),
    ...TABLES.map(tableSection),
  ];
  return `${sections.join('\n\n')}\n`;
}

function rootSection(): string {
  return `## Top level\n\nKeys outside any table.\n\n${keyTable(ROOT_KEYS)}`;
}

function tableSection(table: TableSpec): string {
  const heading = `## \`${tableHeader(table)}\`${table.reserved ? ' (reserved)' : ''}`;
  const notes = [table.meaning];
  if (table.reserved) notes.push('*Reserved: accepted and validated, not used yet.*');
  if (table.names) notes.push(`A profile name ${table.names.rule}.`);
  return `${heading}\n\n${notes.join(' ')}\n\n${keyTable(table.keys)}`;
}

function keyTable(keys: readonly KeySpec[]): string {
  const rows = keys.map((k) => {
    const meaning = `${k.required ? '**Required.** ' : ''}${k.reserved ? '*Reserved.* ' : ''}${k.meaning}`;
    return `| \`${k.name}\` | ${cell(typeLabel(k.type))} | ${cell(defaultText(k.default))} | ${cell(meaning)} |`;
  });
  return ['| key | type | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

function defaultText(d: Default): string {
  if (d.kind === 'value') return `\`${tomlLiteral(d.value)}\``;
  if (d.kind === 'derived') return d.text;
  return 'none';
}

/** A default as it would be written in jmake.toml. */
export function tomlLiteral(value: TomlValue): string {
  if (Array.isArray(value)) return `[${value.map(tomlLiteral).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${k} = ${tomlLiteral(v)}`).join(', ')} }`;
  }
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Markdown table cells end at a `|`. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
