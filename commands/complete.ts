import { Flags } from '@oclif/core';
import { JmakeCommand } from '../src/cli/base-command.js';
import { connectDaemon } from '../src/client/connect.js';
import { printJson } from '../src/cli/output.js';
import { pickEnv } from '../src/config/build-env.js';
import type { CompleteResult } from '../src/protocol/messages.js';
import { stdout } from '../src/cli/stdio.js';

export default class Complete extends JmakeCommand {
  static override summary = 'Fill in the missing jmake.toml fields (sources, include dirs, tools, output dir), keeping your comments and layout.';
  static override description = 'Runs the jobs scan_files, include_dirs (after scan_files), discover_tools and create_structure in the daemon, in parallel where they are independent, then adds the keys they found under their tables. Nothing else in the file changes; a second run changes nothing.';
  static override examples = ['<%= config.bin %> complete --dry-run', '<%= config.bin %> complete', '<%= config.bin %> complete --freeze'];
  static override flags = {
    'dry-run': Flags.boolean({ char: 'n', description: 'Print the change as a diff; write nothing (the output dir is not created either).' }),
    freeze: Flags.boolean({ description: 'Write the explicit [discovery] files list instead of include globs.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Complete);
    const json = this.jsonEnabled();
    const env = pickEnv(process.env);
    const session = await connectDaemon({ root: this.projectRoot(flags), client: 'jmake complete', autoStart: true });
    let result: CompleteResult;
    try {
      const request = session.connection.start('complete', { dryRun: flags['dry-run'], freeze: flags.freeze, path: process.env.PATH, env }, (p) => {
        if (json) return;
        if (p.type === 'job-started') this.log(`jmake complete: ${p.job} ...`);
        else this.log(`jmake complete: ${p.job} ${p.ok ? 'done' : 'FAILED'} (${p.durationMs} ms): ${p.summary}`);
      });
      result = await request.done;
    } finally {
      session.connection.close();
    }
    if (json) { printJson(result); return; }
    if (result.fields.length === 0) { this.log('jmake.toml: nothing missing'); return; }
    for (const f of result.fields) this.log(`  ${f.field} = ${JSON.stringify(f.value)}   (${f.source === 'default' ? 'default' : `from ${f.source}`})`);
    if (result.dryRun) {
      stdout.write(result.diff);
      this.log(`jmake.toml: ${result.fields.length} field${result.fields.length === 1 ? '' : 's'} would be added (dry run: nothing written)`);
    } else {
      this.log(`jmake.toml: ${result.fields.length} field${result.fields.length === 1 ? '' : 's'} added; everything else is as you wrote it`);
    }
  }
}
