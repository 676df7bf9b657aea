import { Flags } from '@oclif/core';
import { JmakeCommand } from '../src/cli/base-command.js';
import { printJson } from '../src/cli/output.js';
import { connectDaemon } from '../src/client/connect.js';
import { pickEnv } from '../src/config/build-env.js';

export default class Compdb extends JmakeCommand {
  static override summary = 'Write compile_commands.json now, with the exact compile commands a build runs.';
  static override description = 'The daemon also rewrites it by itself after each new plan (the file set, the flags or the toolchain changed). [compile] compdb = false turns it off; compdb_path moves it.';
  static override examples = ['<%= config.bin %> compdb', '<%= config.bin %> compdb --profile release'];
  static override flags = {
    profile: Flags.string({ description: 'The profile whose commands to write (default: the plain build).' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Compdb);
    const env = pickEnv(process.env);
    const session = await connectDaemon({ root: this.projectRoot(flags), client: 'jmake compdb', autoStart: true });
    try {
      const result = await session.connection.call('compdb', { profile: flags.profile, env, path: process.env.PATH });
      if (this.jsonEnabled()) { printJson(result); return; }
      this.log(result.path ? `wrote ${result.path} (${result.entries} entries)` : 'jmake: [compile] compdb = false in jmake.toml: nothing written');
    } finally {
      session.connection.close();
    }
  }
}
