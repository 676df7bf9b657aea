import { Flags } from '@oclif/core';
import { JmakeCommand } from '../../src/cli/base-command.js';
import { printJson } from '../../src/cli/output.js';
import { duration } from '../../src/cli/render/status.js';
import { connectDaemon } from '../../src/client/connect.js';

export default class JobsList extends JmakeCommand {
  static override summary = 'List the [[jobs]] of jmake.toml with their last run: status, duration, last error.';
  static override description = 'States come from the event log, so they are the same after a daemon restart. --all adds every build job (compile, link, ...) and the jobs of the last jmake complete.';
  static override examples = ['<%= config.bin %> jobs', '<%= config.bin %> jobs --all --json'];
  static override flags = {
    all: Flags.boolean({ description: 'Also list build jobs and config-completion jobs.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(JobsList);
    const session = await connectDaemon({ root: this.projectRoot(flags), client: 'jmake jobs', autoStart: true });
    try {
      const result = await session.connection.call('jobs', { all: flags.all });
      if (this.jsonEnabled()) { printJson(result); return; }
      if (result.jobs.length === 0) { this.log('no [[jobs]] in jmake.toml'); return; }
      const width = Math.max(...result.jobs.map((j) => j.id.length));
      for (const job of result.jobs) {
        const took = job.durationMs === null ? '' : ` in ${duration(job.durationMs)}`;
        const exit = job.status === 'failed' && job.exitCode !== null ? ` (exit ${job.exitCode})` : '';
        this.log(`${job.id.padEnd(width)}  ${job.kind.padEnd(8)} ${job.status}${exit}${took}`);
        if (job.error) for (const line of job.error.split('\n')) this.log(`${' '.repeat(width + 2)}| ${line}`);
      }
    } finally {
      session.connection.close();
    }
  }
}
