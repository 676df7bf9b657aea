import { JmakeCommand } from '../src/cli/base-command.js';
import { runBuild } from '../src/cli/build.js';
import { BUILD_FLAGS, type ParsedFlags } from '../src/cli/flags.js';
import { oclifFlags } from '../src/cli/oclif-flags.js';

export default class Build extends JmakeCommand {
  static override summary = 'Build what changed (or the given targets), in parallel.';
  static override description = 'A job runs only when the content of something it reads changed. Normally served by the lean path of bin/run.cjs; this command gives the same behaviour and the help.';
  static override strict = false;
  static override examples = [
    '<%= config.bin %> build',
    '<%= config.bin %> build app --profile release -j 8',
    '<%= config.bin %> build --explain',
    '<%= config.bin %> build -n --json',
  ];
  static override flags = oclifFlags(BUILD_FLAGS);

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Build);
    process.exitCode = await runBuild({ ...(flags as ParsedFlags), json: this.jsonEnabled() }, argv as string[]);
  }
}
