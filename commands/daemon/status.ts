import { JmakeCommand } from '../../src/cli/base-command.js';
import { daemonStatus } from '../../src/cli/daemon.js';
import { printJson } from '../../src/cli/output.js';

export default class DaemonStatus extends JmakeCommand {
  static override summary = "Say whether this project's daemon runs (never starts one).";
  static override examples = ['<%= config.bin %> daemon status', '<%= config.bin %> daemon status --json'];

  async run(): Promise<void> {
    const { flags } = await this.parse(DaemonStatus);
    const info = await daemonStatus(this.projectRoot(flags));
    if (this.jsonEnabled()) printJson(info);
    else this.log(info.running ? `running: pid ${info.pid}, jmake ${info.version}, socket ${info.socket}` : 'not running');
  }
}
