import { JmakeCommand } from '../../src/cli/base-command.js';
import { daemonStart, daemonStop } from '../../src/cli/daemon.js';
import { printJson } from '../../src/cli/output.js';

export default class DaemonRestart extends JmakeCommand {
  static override summary = "Stop this project's daemon (whatever its version) and start a new one.";
  static override examples = ['<%= config.bin %> daemon restart'];

  async run(): Promise<void> {
    const { flags } = await this.parse(DaemonRestart);
    const root = this.projectRoot(flags);
    const stopped = await daemonStop(root);
    const info = await daemonStart(root);
    if (this.jsonEnabled()) printJson({ ...info, previousPid: stopped.pid ?? null });
    else this.log(`restarted: pid ${info.pid}${stopped.pid ? ` (was ${stopped.pid})` : ''}`);
  }
}
