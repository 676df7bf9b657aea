import { Args } from '@oclif/core';
import { JmakeCommand } from '../src/cli/base-command.js';
import { connectDaemon } from '../src/client/connect.js';
import { printJson } from '../src/cli/output.js';

export default class Why extends JmakeCommand {
  static override summary = 'Say, from the event log, why an output was last rebuilt.';
  static override examples = ['<%= config.bin %> why build/bin/app', '<%= config.bin %> why build/obj/src/main.cpp.o --json'];
  static override args = { output: Args.string({ required: true, description: 'An output path (as jmake build --json lists them, or relative to the root).' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Why);
    const session = await connectDaemon({ root: this.projectRoot(flags), client: 'jmake why', autoStart: true });
    try {
      const result = await session.connection.call('why', { job: args.output });
      if (this.jsonEnabled()) { printJson(result); return; }
      if (result.runs.length === 0) { this.log(`${result.job}: jmake has not built it`); return; }
      for (const run of result.runs) {
        this.log(`${new Date(run.time).toISOString()}  build ${run.build}  ${run.status.padEnd(9)} ${result.job}: ${run.reason}`);
      }
    } finally {
      session.connection.close();
    }
  }
}
