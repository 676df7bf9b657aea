import { JmakeCommand } from '../../src/cli/base-command.js';
import { daemonStart } from '../../src/cli/daemon.js';
import { printJson } from '../../src/cli/output.js';

export default class DaemonStart extends JmakeCommand {
  static override summary = "Start this project's daemon (a no-op when it already runs).";
  static override examples = ['<%= config.bin %> daemon start', '<%= config.bin %> daemon start -C path/to/project'];

  async run(): Promise<void> {
    const { flags } = await this.parse(DaemonStart);
    const info = await daemonStart(this.projectRoot(flags));
    if (this.jsonEnabled()) printJson(info);
    else this.log(`${info.started ? 'started' : 'already running'}: pid ${info.pid}, socket ${info.socket}`);
  }
}
