/**
 * `jmake notify FILE…`: the editor save hook. Tells the daemon these files were just saved, waits
 * for the build, and prints the project's diagnostics as `file:line:column: severity: message`
 * with paths relative to the current directory (editors resolve error-list entries against their
 * own). Exit 1 when there are errors, 0 with warnings only, 2 when jmake.toml is broken (its error
 * printed in the same format). `--no-wait` returns once the daemon has the files. The daemon runs
 * the same steps for the native client (src/daemon/handlers/cli.ts).
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { connectDaemon } from '../client/connect.js';
import { pickEnv } from '../config/build-env.js';
import { JmakeError } from '../errors.js';
import type { DiagnosticInfo, NotifyParams, NotifyResult } from '../protocol/messages.js';
import { findProjectRoot } from '../project/root.js';
import type { ParsedFlags } from './flags.js';
import { printJson, reportError } from './output.js';
import { processIO, type CommandIO } from './stdio.js';

export async function runNotify(flags: ParsedFlags, files: readonly string[]): Promise<number> {
  const json = flags.json === true;
  try {
    const { root, params } = notifyRequest(flags, files, processIO);
    let result: NotifyResult;
    const session = await connectDaemon({ root, client: 'jmake notify', autoStart: true, first: (c) => c.call('notify', params) });
    try {
      result = (await session.first!) as NotifyResult;
    } catch (err) {
      const code = printConfigError(err, json, root, processIO);
      if (code !== null) return code;
      throw err;
    } finally {
      session.connection.close();
    }
    return finishNotify(result, json, root, processIO);
  } catch (err) {
    return reportError(err, json);
  }
}

/** The project these saves belong to, and the request telling its daemon. */
export function notifyRequest(flags: ParsedFlags, files: readonly string[], io: CommandIO): { root: string; params: NotifyParams } {
  if (files.length === 0) throw new JmakeError('usage', 'name the files that were saved', 2, 'jmake notify src/main.cpp');
  const paths = files.map((f) => physical(resolve(io.cwd, f)));
  const root = typeof flags.dir === 'string' ? findProjectRoot(resolve(io.cwd, flags.dir)) : projectOf(paths, io.cwd);
  const params: NotifyParams = {
    paths,
    wait: flags['no-wait'] !== true,
    profile: typeof flags.profile === 'string' ? flags.profile : undefined,
    env: pickEnv(io.env),
    path: io.env.PATH,
  };
  return { root, params };
}

/** jmake.toml's own error, in the error-list format so the editor can jump to it: exit 2. null: another error. */
export function printConfigError(err: unknown, json: boolean, root: string, io: CommandIO): number | null {
  if (json || !(err instanceof JmakeError) || err.code !== 'config-invalid') return null;
  io.stdout.write(`${relativeLines(err.message, root, io.cwd)}\n`);
  return 2;
}

/** Print the project's diagnostics; exit 1 with errors (when the build was waited for). */
export function finishNotify(result: NotifyResult, json: boolean, root: string, io: CommandIO): number {
  if (json) printJson(result, io.stdout);
  else printNotify(result, root, io);
  if (!result.waited) return 0;
  return result.ok && !result.diagnostics.some((d) => d.severity === 'error') ? 0 : 1;
}

function printNotify(result: NotifyResult, root: string, io: CommandIO): void {
  for (const path of result.ignored) io.stderr.write(`jmake: ${path} is not a source of this project (ignored)\n`);
  for (const d of result.diagnostics) io.stdout.write(`${formatDiagnostic(d, root, io.cwd)}\n`);
  // A failure no diagnostic explains (a linker error not in the compiler format): say which job.
  if (!result.ok && !result.diagnostics.some((d) => d.severity === 'error')) {
    for (const job of result.failed) io.stderr.write(`jmake: ${job.kind} ${job.id} failed\n${job.log.trimEnd()}\n`);
  }
}

/** The project of the first saved file that is in one (an editor's cwd may be elsewhere), else the cwd's. */
function projectOf(paths: readonly string[], cwd: string): string {
  for (const path of paths) {
    try {
      return findProjectRoot(dirname(path));
    } catch { /* outside any project: try the next */ }
  }
  return findProjectRoot(cwd);
}

/** `file:line:column: severity: message`, the file relative to `cwd` (root-relative paths come from the daemon). */
export function formatDiagnostic(d: DiagnosticInfo, root: string, cwd: string): string {
  if (d.file === '') return `${d.severity}: ${d.message}`;
  const file = displayPath(isAbsolute(d.file) ? d.file : join(root, d.file), cwd);
  return `${file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
}

function displayPath(abs: string, cwd: string): string {
  const rel = relative(cwd, abs);
  return rel === '' ? abs : rel;
}

/** A config error names jmake.toml by its absolute path: make it relative like the diagnostics. */
function relativeLines(message: string, root: string, cwd: string): string {
  const config = join(root, 'jmake.toml');
  return message.split('\n').map((line) => (line.startsWith(`${config}:`) ? displayPath(config, cwd) + line.slice(config.length) : line)).join('\n');
}

/** The path as the daemon names it (the root is a real path); the file itself may be gone (a save that deleted it). */
function physical(abs: string): string {
  try {
    return join(realpathSync(dirname(abs)), basename(abs));
  } catch {
    return abs;
  }
}
