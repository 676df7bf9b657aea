import { JmakeCommand } from '../../src/cli/base-command.js';
import { runBuild } from '../../src/cli/build.js';
import { BUILD_FLAGS, type ParsedFlags } from '../../src/cli/flags.js';
import { oclifFlags } from '../../src/cli/oclif-flags.js';

export default class JobsRun extends JmakeCommand {
  static override summary = 'Run the given [[jobs]] (and what they depend on, if out of date).';
  static override description = 'The same as `jmake build ID...`: a job without declared inputs always runs when named; one with inputs runs when they changed; what they depend on is built first if needed.';
  static override strict = false;
  static override examples = ['<%= config.bin %> jobs run gen', '<%= config.bin %> jobs run test lint -j 4'];
  static override flags = oclifFlags(BUILD_FLAGS);

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(JobsRun);
    if (argv.length === 0) this.error('name the jobs to run (`jmake jobs` lists them)', { exit: 2 });
    process.exitCode = await runBuild({ ...(flags as ParsedFlags), json: this.jsonEnabled() }, argv as string[]);
  }
}
