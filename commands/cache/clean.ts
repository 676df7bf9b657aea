import { JmakeCommand } from '../../src/cli/base-command.js';
import { runCache } from '../../src/cli/cache.js';

export default class CacheClean extends JmakeCommand {
  static override summary = 'Empty the compile cache (every project sharing it); builds fill it again.';
  static override examples = ['<%= config.bin %> cache clean'];

  async run(): Promise<void> {
    const { flags } = await this.parse(CacheClean);
    await runCache(this.projectRoot(flags), 'clean', this.jsonEnabled(), (line) => this.log(line));
  }
}
