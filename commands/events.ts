import { Flags } from '@oclif/core';
import { JmakeCommand } from '../src/cli/base-command.js';
import { runEvents } from '../src/cli/events.js';

export default class Events extends JmakeCommand {
  static override summary = 'Print the event log: file changes, config changes, daemon starts and stops.';
  static override examples = [
    '<%= config.bin %> events --since 120',
    '<%= config.bin %> events --type file-changed --limit 20 --json',
    '<%= config.bin %> events --follow',
  ];

  static override flags = {
    since: Flags.integer({ summary: 'Only events after this sequence number.', min: 0 }),
    type: Flags.string({ summary: 'Only events of this type (repeat or comma-separate for several).', multiple: true }),
    limit: Flags.integer({ summary: 'At most this many events (the first N after --since).', min: 1 }),
    follow: Flags.boolean({ char: 'f', summary: 'Keep printing new events as they are recorded (one JSON object a line with --json).' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Events);
    const types = flags.type?.flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
    process.exitCode = await runEvents({
      root: this.projectRoot(flags), json: this.jsonEnabled(), since: flags.since, types, limit: flags.limit, follow: flags.follow,
    });
  }
}
