import { resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { JmakeCommand } from '../src/cli/base-command.js';
import { printJson } from '../src/cli/output.js';
import { initProject, type InitReport } from '../src/init/init.js';
import { DEFAULT_TEMPLATE } from '../src/init/templates.js';

export default class Init extends JmakeCommand {
  static override summary = 'Create a project from a template: jmake.toml, src/, include/, a starter program, .gitignore lines.';
  static override description = 'Works outside any project. Existing files are kept; an existing jmake.toml is refused unless --force.';
  static override examples = [
    '<%= config.bin %> init',
    '<%= config.bin %> init myproj --template lib_project',
    '<%= config.bin %> init myproj --name hello --json',
  ];

  static override args = {
    dir: Args.string({ description: 'The project folder, relative to the current directory (created when missing).', default: '.' }),
  };

  static override flags = {
    template: Flags.string({ summary: 'cpp_project (one program) or lib_project (a static library, a program, a test).', default: DEFAULT_TEMPLATE }),
    name: Flags.string({ summary: "The project's name, also its program's: letters, digits, _ . + - (default: the folder's name)." }),
    force: Flags.boolean({ summary: 'Overwrite an existing jmake.toml (other existing files are always kept).' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Init);
    // Not this.projectRoot(): the project does not exist yet, and a jmake.toml above must not matter.
    const base = resolve(flags.dir ?? process.cwd());
    const report = initProject({ root: resolve(base, args.dir), template: flags.template, name: flags.name, force: flags.force, shellCwd: process.cwd() });
    if (this.jsonEnabled()) printJson(report);
    else this.log(describe(report));
  }
}

function describe(report: InitReport): string {
  const lines = [`${report.root}: project ${report.name} from template ${report.template}`];
  for (const path of report.created) lines.push(`  created      ${path}`);
  for (const path of report.overwritten) lines.push(`  overwritten  ${path}`);
  for (const path of report.updated) lines.push(`  updated      ${path} (added ${report.gitignoreAdded.join(' ')})`);
  for (const path of report.kept) lines.push(`  kept         ${path} (already there)`);
  lines.push('next:', ...report.next.map((step) => `  ${step}`));
  return lines.join('\n');
}
