import { Flags } from '@oclif/core';
import { JmakeCommand } from '../../src/cli/base-command.js';
import { daemonStop, stopAllDaemons } from '../../src/cli/daemon.js';
import { printJson } from '../../src/cli/output.js';

export default class DaemonStop extends JmakeCommand {
  static override summary = "Stop this project's daemon, or with --all every jmake daemon of yours.";
  static override examples = ['<%= config.bin %> daemon stop', '<%= config.bin %> daemon stop --all'];
  static override flags = {
    all: Flags.boolean({ summary: 'Stop every running jmake daemon of this user.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DaemonStop);
    if (flags.all) {
      const { stopped } = await stopAllDaemons();
      if (this.jsonEnabled()) printJson({ stopped: stopped.map((d) => ({ root: d.root, pid: d.pid })) });
      else this.log(stopped.length ? stopped.map((d) => `stopped pid ${d.pid} (${d.root})`).join('\n') : 'no daemon was running');
      return;
    }
    const result = await daemonStop(this.projectRoot(flags));
    if (this.jsonEnabled()) printJson(result);
    else this.log(result.stopped ? `stopped pid ${result.pid}` : 'not running');
  }
}
