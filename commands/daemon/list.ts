import { JmakeCommand } from '../../src/cli/base-command.js';
import { listDaemons } from '../../src/cli/daemon.js';
import { printJson } from '../../src/cli/output.js';
import { duration } from '../../src/cli/render/status.js';

export default class DaemonList extends JmakeCommand {
  static override summary = 'List every running jmake daemon of this user.';
  static override examples = ['<%= config.bin %> daemon list', '<%= config.bin %> daemon list --json'];

  async run(): Promise<void> {
    await this.parse(DaemonList);
    const daemons = await listDaemons();
    if (this.jsonEnabled()) { printJson(daemons); return; }
    if (daemons.length === 0) { this.log('no jmake daemon is running'); return; }
    for (const d of daemons) this.log(`${String(d.pid).padStart(7)}  jmake ${d.version}  up ${duration(Date.now() - d.startedAt).padEnd(8)} ${d.root}`);
  }
}
