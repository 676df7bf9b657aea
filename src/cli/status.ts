/**
 * `jmake status`: shared by the oclif command and the lean path of bin/run.js (which handles it
 * without loading oclif), and by the daemon for the native client, so all print exactly the same.
 */
import type { ExitCode } from '../errors.js';
import type { StatusResult } from '../protocol/messages.js';
import { findProjectRoot } from '../project/root.js';
import { connectDaemon } from '../client/connect.js';
import { colors, printJson, reportError } from './output.js';
import { renderStatus } from './render/status.js';
import { processIO, type CommandIO } from './stdio.js';

export async function runStatus(options: { dir: string | undefined; json: boolean }): Promise<ExitCode> {
  try {
    const root = findProjectRoot(options.dir ?? process.cwd());
    const session = await connectDaemon({
      root, client: 'jmake status', autoStart: true, first: (connection) => connection.call('status', {}),
    });
    try {
      const result = await session.first!;
      printStatus(result, options.json, processIO);
    } finally {
      session.connection.close();
    }
    return 0;
  } catch (err) {
    return reportError(err, options.json);
  }
}

export function printStatus(result: StatusResult, json: boolean, io: CommandIO): void {
  if (json) printJson(result, io.stdout); else io.stdout.write(renderStatus(result, colors(io.stdout, io.env)));
}
