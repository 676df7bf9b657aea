import { JmakeCommand } from '../src/cli/base-command.js';
import { runStatus } from '../src/cli/status.js';

export default class Status extends JmakeCommand {
  static override summary = 'Show the daemon, the files it tracks, the event log and the watcher health.';
  static override description = 'Starts the daemon if none runs. Once the initial scan is done, the answer includes every edit saved before the command (sync barrier).';
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json', '<%= config.bin %> status -C path/to/project'];

  async run(): Promise<void> {
    const { flags } = await this.parse(Status);
    process.exitCode = await runStatus({ dir: flags.dir, json: this.jsonEnabled() });
  }
}
