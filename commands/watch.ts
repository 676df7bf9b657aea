import { JmakeCommand } from '../src/cli/base-command.js';
import { WATCH_FLAGS, type ParsedFlags } from '../src/cli/flags.js';
import { oclifFlags } from '../src/cli/oclif-flags.js';
import { runWatch } from '../src/cli/watch.js';

export default class Watch extends JmakeCommand {
  static override summary = 'Build every change as it is saved, and show the results live.';
  static override description = 'Brings the project up to date, then the daemon builds each settled change ([daemon] settle_ms). Several watchers see the same builds. Ctrl-C detaches; the daemon keeps running. --json streams one object a line (docs/editors.md).';
  static override strict = false;
  static override examples = [
    '<%= config.bin %> watch',
    '<%= config.bin %> watch app --profile release',
    '<%= config.bin %> watch --json',
  ];
  static override flags = oclifFlags(WATCH_FLAGS);

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Watch);
    process.exitCode = await runWatch(this.projectRoot(flags), { ...(flags as ParsedFlags), json: this.jsonEnabled() }, argv as string[]);
  }
}
