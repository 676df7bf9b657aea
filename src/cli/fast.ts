/**
 * The lean path for hot commands: bin/run.cjs sends `status`, `build` and `notify` here without loading oclif (~70 ms of
 * start-up). Only the flags of flags.ts are handled; anything else (--help, a typo) returns null
 * and the full oclif CLI takes over, so behaviour and errors stay oclif's.
 */
import { runBuild } from './build.js';
import { BUILD_FLAGS, NOTIFY_FLAGS, parseArgv, parseFastArgs } from './flags.js';
import { runNotify } from './notify.js';
import { runStatus } from './status.js';

export { exitWhenFlushed } from './stdio.js';

/** The commands the lean path serves. */
export const FAST_COMMANDS: ReadonlySet<string> = new Set(['status', 'build', 'notify']);

/** Exit code, or null when the full CLI should handle this command line. */
export async function runFast(argv: readonly string[]): Promise<number | null> {
  const [command, ...rest] = argv;
  if (command === 'status') {
    const args = parseFastArgs(rest);
    return args ? runStatus(args) : null;
  }
  if (command === 'build') {
    const parsed = parseArgv(rest, BUILD_FLAGS);
    return parsed ? runBuild(parsed.flags, parsed.args) : null;
  }
  if (command === 'notify') {
    const parsed = parseArgv(rest, NOTIFY_FLAGS);
    return parsed ? runNotify(parsed.flags, parsed.args) : null;
  }
  return null;
}
