/**
 * `jmake notify FILE…`: the editor save hook. Tells the daemon these files were just saved, waits
 * for the build, and prints the project's diagnostics as `file:line:column: severity: message`
 * with paths relative to the current directory (editors resolve error-list entries against their
 * own). Exit 1 when there are errors, 0 with warnings only, 2 when jmake.toml is broken (its error
 * printed in the same format). `--no-wait` returns once the daemon has the files.
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
import { stdout, stderr } from './stdio.js';

export async function runNotify(flags: ParsedFlags, files: readonly string[]): Promise<number> {
  const json = flags.json === true;
  try {
    if (files.length === 0) throw new JmakeError('usage', 'name the files that were saved', 2, 'jmake notify src/main.cpp');
    const cwd = process.cwd();
    const paths = files.map((f) => physical(resolve(cwd, f)));
    const root = typeof flags.dir === 'string' ? findProjectRoot(flags.dir) : projectOf(paths, cwd);
    const params: NotifyParams = {
      paths,
      wait: flags['no-wait'] !== true,
      profile: typeof flags.profile === 'string' ? flags.profile : undefined,
      env: pickEnv(process.env),
      path: process.env.PATH,
    };
    let result: NotifyResult;
    const session = await connectDaemon({ root, client: 'jmake notify', autoStart: true, first: (c) => c.call('notify', params) });
    try {
      result = (await session.first!) as NotifyResult;
    } catch (err) {
      if (!json && err instanceof JmakeError && err.code === 'config-invalid') {
        // jmake.toml's own error, in the error-list format, so the editor can jump to it.
        stdout.write(`${relativeLines(err.message, root, cwd)}\n`);
        return 2;
      }
      throw err;
    } finally {
      session.connection.close();
    }
    if (json) printJson(result);
    else printNotify(result, root, cwd);
    if (!result.waited) return 0;
    return result.ok && !result.diagnostics.some((d) => d.severity === 'error') ? 0 : 1;
  } catch (err) {
    return reportError(err, json);
  }
}

function printNotify(result: NotifyResult, root: string, cwd: string): void {
  for (const path of result.ignored) stderr.write(`jmake: ${path} is not a source of this project (ignored)\n`);
  for (const d of result.diagnostics) stdout.write(`${formatDiagnostic(d, root, cwd)}\n`);
  // A failure no diagnostic explains (a linker error not in the compiler format): say which job.
  if (!result.ok && !result.diagnostics.some((d) => d.severity === 'error')) {
    for (const job of result.failed) stderr.write(`jmake: ${job.kind} ${job.id} failed\n${job.log.trimEnd()}\n`);
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
