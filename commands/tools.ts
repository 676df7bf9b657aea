import { JmakeCommand } from '../src/cli/base-command.js';
import { connectDaemon } from '../src/client/connect.js';
import { printJson } from '../src/cli/output.js';
import { pickEnv } from '../src/config/build-env.js';

export default class Tools extends JmakeCommand {
  static override summary = 'List the compilers and LLVM tools the daemon found, and the set a build uses.';
  static override examples = ['<%= config.bin %> tools', '<%= config.bin %> tools --json'];

  async run(): Promise<void> {
    const { flags } = await this.parse(Tools);
    const env = pickEnv(process.env);
    const session = await connectDaemon({ root: this.projectRoot(flags), client: 'jmake tools', autoStart: true });
    try {
      const result = await session.connection.call('tools', { env, path: process.env.PATH });
      if (this.jsonEnabled()) { printJson(result); return; }
      this.log(`toolchain: ${result.family ?? 'none'}${result.llvmMajor ? ` (LLVM ${result.llvmMajor})` : ''}`);
      for (const [role, tool] of Object.entries(result.chosen)) this.log(`  ${role.padEnd(12)} ${tool.path} (${tool.version})`);
      this.log('found:');
      for (const tool of result.found) this.log(`  ${tool.name.padEnd(14)} ${tool.version.padEnd(10)} ${tool.path}`);
    } finally {
      session.connection.close();
    }
  }
}
