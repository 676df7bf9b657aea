/**
 * `jmake status`: shared by the oclif command and the lean path of bin/run.js (which handles it
 * without loading oclif), so both print exactly the same.
 */
import type { ExitCode } from '../errors.js';
import { findProjectRoot } from '../project/root.js';
import { connectDaemon } from '../client/connect.js';
import { printJson, reportError } from './output.js';
import { renderStatus } from './render/status.js';
import { stdout } from './stdio.js';

export async function runStatus(options: { dir: string | undefined; json: boolean }): Promise<ExitCode> {
  try {
    const root = findProjectRoot(options.dir ?? process.cwd());
    const session = await connectDaemon({
      root, client: 'jmake status', autoStart: true, first: (connection) => connection.call('status', {}),
    });
    try {
      const result = await session.first!;
      if (options.json) printJson(result); else stdout.write(renderStatus(result));
    } finally {
      session.connection.close();
    }
    return 0;
  } catch (err) {
    return reportError(err, options.json);
  }
}
