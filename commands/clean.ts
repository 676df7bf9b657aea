import { JmakeCommand } from '../src/cli/base-command.js';
import { connectDaemon } from '../src/client/connect.js';
import { printJson } from '../src/cli/output.js';

export default class Clean extends JmakeCommand {
  static override summary = 'Remove what jmake built (every profile); the event log and the state stay.';
  static override examples = ['<%= config.bin %> clean'];

  async run(): Promise<void> {
    const { flags } = await this.parse(Clean);
    const session = await connectDaemon({ root: this.projectRoot(flags), client: 'jmake clean', autoStart: true });
    try {
      const result = await session.connection.call('clean', {});
      if (this.jsonEnabled()) printJson(result); else this.log(`removed ${result.removed} outputs`);
    } finally {
      session.connection.close();
    }
  }
}
