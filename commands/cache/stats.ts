import { JmakeCommand } from '../../src/cli/base-command.js';
import { runCache } from '../../src/cli/cache.js';

export default class CacheStats extends JmakeCommand {
  static override summary = 'Show the compile cache: where it is, its entries and size, and what this daemon restored from it.';
  static override examples = ['<%= config.bin %> cache stats', '<%= config.bin %> cache stats --json'];

  async run(): Promise<void> {
    const { flags } = await this.parse(CacheStats);
    await runCache(this.projectRoot(flags), 'stats', this.jsonEnabled(), (line) => this.log(line));
  }
}
