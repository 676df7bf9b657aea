/**
 * Every oclif command extends this: the global `-C/--dir` flag, `--json`, and one error path
 * (src/cli/output.ts) that sets exit codes explicitly (oclif's own `this.error` would exit 2 for
 * everything).
 */
import { Command, Flags, type Interfaces } from '@oclif/core';
import { findProjectRoot } from '../project/root.js';
import { reportError } from './output.js';

export abstract class JmakeCommand extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    dir: Flags.string({
      char: 'C',
      summary: 'Run as if jmake was started in this directory.',
      helpGroup: 'GLOBAL',
    }),
  };

  protected projectRoot(flags: { dir?: string | undefined }): string {
    return findProjectRoot(flags.dir ?? process.cwd());
  }

  override async catch(err: Interfaces.CommandError): Promise<void> {
    process.exitCode = reportError(err, this.jsonEnabled());
  }
}
