/**
 * `jmake build`: shared by the oclif command and the lean path. Sends the build request (pipelined
 * behind hello), renders progress as it comes, and maps the outcome to an exit code: 0 built,
 * 1 a job failed, 2 a usage or configuration error, 130 cancelled (Ctrl-C cancels the build's jobs).
 * The daemon runs the same steps for the native client (src/daemon/handlers/cli.ts).
 */
import { connectDaemon } from '../client/connect.js';
import type { DaemonConnection } from '../client/connection.js';
import { pickEnv } from '../config/build-env.js';
import type { BuildParams, BuildResult } from '../protocol/messages.js';
import { findProjectRoot } from '../project/root.js';
import { printJson, reportError } from './output.js';
import { BuildPrinter } from './render/build.js';
import type { ParsedFlags } from './flags.js';
import { processIO, type CommandIO } from './stdio.js';

export async function runBuild(flags: ParsedFlags, targets: readonly string[]): Promise<number> {
  const json = flags.json === true;
  try {
    const root = findProjectRoot(typeof flags.dir === 'string' ? flags.dir : process.cwd());
    const params = buildParams(flags, targets, process.env);
    const printer = buildPrinter(params, json, processIO);
    let rid = 0;
    let connection: DaemonConnection | null = null;
    const session = await connectDaemon({
      root, client: 'jmake build', autoStart: true,
      first: (c) => {
        connection = c;
        const request = c.start('build', params, (p) => printer?.progress(p));
        rid = request.rid;
        return request.done;
      },
    });
    let interrupted = false;
    const onSigint = () => {
      interrupted = true;
      void connection?.call('cancel', { rid }).catch(() => undefined);
    };
    process.on('SIGINT', onSigint);
    let result: BuildResult;
    try {
      result = (await session.first!) as BuildResult;
    } finally {
      process.removeListener('SIGINT', onSigint);
      session.connection.close();
    }
    return finishBuild(result, printer, processIO, interrupted);
  } catch (err) {
    return reportError(err, json);
  }
}

/** The build request for these flags, in this environment. */
export function buildParams(flags: ParsedFlags, targets: readonly string[], env: NodeJS.ProcessEnv): BuildParams {
  return {
    targets: [...targets],
    profile: typeof flags.profile === 'string' ? flags.profile : undefined,
    force: flags.force === true,
    jobs: typeof flags.jobs === 'number' ? flags.jobs : undefined,
    keepGoing: flags['keep-going'] === true,
    explain: flags.explain === true,
    verbose: flags.verbose === true,
    dryRun: flags['dry-run'] === true,
    warnings: flags.warnings === true,
    noCache: flags['no-cache'] === true,
    ...(flags.json === true ? { progress: false } : {}),
    env: pickEnv(env),
    path: env.PATH,
  };
}

/** What renders progress; null under --json (one document at the end). */
export function buildPrinter(params: BuildParams, json: boolean, io: CommandIO): BuildPrinter | null {
  return json ? null : new BuildPrinter({ explain: params.explain === true, verbose: params.verbose === true }, io);
}

/** Print the outcome; its exit code. */
export function finishBuild(result: BuildResult, printer: BuildPrinter | null, io: CommandIO, interrupted: boolean): number {
  if (printer === null) printJson(result, io.stdout);
  else {
    printer.finish(result);
    printer.earlierDiagnostics(result);
  }
  if (result.cancelled || interrupted) return 130;
  return result.ok ? 0 : 1;
}
