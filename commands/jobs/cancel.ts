import { JmakeCommand } from '../../src/cli/base-command.js';
import { JmakeError } from '../../src/errors.js';
import { printJson } from '../../src/cli/output.js';
import { connectDaemon } from '../../src/client/connect.js';

export default class JobsCancel extends JmakeCommand {
  static override summary = 'Stop the build or jobs running now, from any terminal: their process groups are killed and what they half-wrote is discarded.';
  static override examples = ['<%= config.bin %> jobs cancel'];

  async run(): Promise<void> {
    const { flags } = await this.parse(JobsCancel);
    let session;
    try {
      session = await connectDaemon({ root: this.projectRoot(flags), client: 'jmake jobs cancel', autoStart: false });
    } catch (err) {
      if (!(err instanceof JmakeError && err.code === 'daemon-not-running')) throw err;
      if (this.jsonEnabled()) printJson({ cancelled: 0 }); else this.log('jmake: nothing is running (no daemon)');
      return;
    }
    try {
      const result = await session.connection.call('cancel-build', {});
      if (this.jsonEnabled()) { printJson(result); return; }
      this.log(result.cancelled > 0 ? 'jmake: cancelled the running build' : 'jmake: nothing is running');
    } finally {
      session.connection.close();
    }
  }
}
