import { JmakeCommand } from '../src/cli/base-command.js';
import { NOTIFY_FLAGS, type ParsedFlags } from '../src/cli/flags.js';
import { runNotify } from '../src/cli/notify.js';
import { oclifFlags } from '../src/cli/oclif-flags.js';

export default class Notify extends JmakeCommand {
  static override summary = 'Editor save hook: these files were just saved; build and print the diagnostics.';
  static override description = 'Prints file:line:column: severity: message with paths relative to the current directory (the format error lists parse). Exit 1 when there are errors, 0 with warnings only. A save that changed nothing prints the stored diagnostics again. Normally served by the lean path of bin/run.cjs.';
  static override strict = false;
  static override examples = [
    '<%= config.bin %> notify src/main.cpp',
    '<%= config.bin %> notify --no-wait src/a.cpp src/a.h',
  ];
  static override flags = oclifFlags(NOTIFY_FLAGS);

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Notify);
    process.exitCode = await runNotify({ ...(flags as ParsedFlags), json: this.jsonEnabled() }, argv as string[]);
  }
}
