import { JmakeCommand } from '../../src/cli/base-command.js';
import { runBuild } from '../../src/cli/build.js';
import { BUILD_FLAGS, type ParsedFlags } from '../../src/cli/flags.js';
import { oclifFlags } from '../../src/cli/oclif-flags.js';
import { connectDaemon } from '../../src/client/connect.js';

export default class JobsResume extends JmakeCommand {
  static override summary = 'Run again the [[jobs]] that failed and those that did not run because of them; what succeeded is not re-run.';
  static override examples = ['<%= config.bin %> jobs resume'];
  static override flags = oclifFlags(BUILD_FLAGS);

  async run(): Promise<void> {
    const { flags } = await this.parse(JobsResume);
    const session = await connectDaemon({ root: this.projectRoot(flags as { dir?: string }), client: 'jmake jobs resume', autoStart: true });
    let pending: string[];
    try {
      const listed = await session.connection.call('jobs', {});
      pending = listed.jobs.filter((j) => j.status !== 'succeeded').map((j) => j.id);
    } finally {
      session.connection.close();
    }
    if (pending.length === 0) { this.log('jmake: no failed jobs to resume'); return; }
    process.exitCode = await runBuild({ ...(flags as ParsedFlags), json: this.jsonEnabled() }, pending);
  }
}
