/**
 * The native client's hot commands (src/client/native/jmake-client.c). Node's start-up costs
 * ~50 ms, most of a no-op build; so the native client only forwards the command line, its folder,
 * environment and terminals, and the daemon runs the command's own steps (src/cli/build.ts,
 * status.ts, notify.ts) as if started there. What they print goes back as progress frames, the exit
 * code as the reply. Output is the Node CLI's, byte for byte.
 *
 * A command line the lean path does not parse, one that names another project or none, or a
 * daemon going away before anything was printed: the request fails with `fallback` (or the
 * daemon's own code), and the client runs the Node CLI instead, which handles all of those.
 */
import { resolve } from 'node:path';
import { finishBuild, buildParams, buildPrinter } from '../../cli/build.js';
import { BUILD_FLAGS, NOTIFY_FLAGS, parseArgv, parseFastArgs } from '../../cli/flags.js';
import { finishNotify, notifyRequest, printConfigError } from '../../cli/notify.js';
import { reportError } from '../../cli/output.js';
import { printStatus } from '../../cli/status.js';
import type { CommandIO, Sink } from '../../cli/stdio.js';
import { JmakeError } from '../../errors.js';
import type { CliOutput, CliParams, CliTerminal, Method, Progress } from '../../protocol/messages.js';
import { findProjectRoot } from '../../project/root.js';
import type { Handler, RequestContext } from '../server.js';
import { build } from './build.js';
import { notify } from './notify.js';
import { status } from './status.js';

/** Output frames stay well under the 1 MiB frame limit (a --json build result can be larger). */
const MAX_TEXT_UNITS = 256 * 1024;

export const cli: Handler<'cli'> = async (params, request) => {
  const relay = new Relay(params, (output) => request.progress(output));
  const { io } = relay;
  const root = request.daemon.identity.root;
  // Errors of the command itself are printed as the Node CLI prints them; only before any output
  // may the client still hand the command line to the Node CLI.
  const fail = (err: unknown, json: boolean): { exit: number } => {
    if (relay.silent && err instanceof JmakeError && GOING_AWAY.has(err.code)) throw err;
    return { exit: reportError(err, json, io) };
  };
  if (params.command === 'status') {
    const args = parseFastArgs(params.args);
    if (!args) throw notHandled('status', params.args);
    checkRoot(projectRootOf(args.dir, io), root);
    try {
      printStatus(await status({}, nested(request, () => undefined)), args.json, io);
      return { exit: 0 };
    } catch (err) {
      return fail(err, args.json);
    }
  }
  if (params.command === 'build') {
    const parsed = parseArgv(params.args, BUILD_FLAGS);
    if (!parsed) throw notHandled('build', params.args);
    const { flags } = parsed;
    checkRoot(projectRootOf(typeof flags.dir === 'string' ? flags.dir : undefined, io), root);
    const json = flags.json === true;
    try {
      const buildRequest = buildParams(flags, parsed.args, io.env);
      const printer = buildPrinter(buildRequest, json, io);
      const result = await build(buildRequest, nested(request, (p) => printer?.progress(p)));
      return { exit: finishBuild(result, printer, io, request.cancel.aborted) };
    } catch (err) {
      return fail(err, json);
    }
  }
  const parsed = parseArgv(params.args, NOTIFY_FLAGS);
  if (!parsed) throw notHandled('notify', params.args);
  const json = parsed.flags.json === true;
  let saved: ReturnType<typeof notifyRequest>;
  try {
    saved = notifyRequest(parsed.flags, parsed.args, io);
  } catch (err) {
    throw notHandled('notify', params.args, err);
  }
  checkRoot(saved.root, root);
  try {
    const result = await notify(saved.params, nested(request, () => undefined));
    return { exit: finishNotify(result, json, root, io) };
  } catch (err) {
    const code = printConfigError(err, json, root, io);
    return code !== null ? { exit: code } : fail(err, json);
  }
};

/** Failures that the Node CLI answers by asking the next daemon. */
const GOING_AWAY: ReadonlySet<string> = new Set(['daemon-stopping', 'daemon-disconnected']);

/** The native client's stdout and stderr, relayed as progress frames. */
class Relay {
  /** Nothing printed yet: the client may still run the command line elsewhere. */
  silent = true;
  readonly io: CommandIO;

  constructor(params: CliParams, private readonly send: (output: CliOutput) => void) {
    this.io = { stdout: this.sink(1, params.stdout), stderr: this.sink(2, params.stderr), env: params.env, cwd: params.cwd };
  }

  private sink(fd: 1 | 2, terminal: CliTerminal): Sink {
    return {
      isTTY: terminal.tty,
      columns: terminal.tty ? terminal.columns : undefined,
      write: (text) => {
        if (text === '') return;
        this.silent = false;
        for (const piece of pieces(text)) this.send({ fd, text: piece });
      },
    };
  }
}

/** `text` in pieces of at most MAX_TEXT_UNITS, never splitting a surrogate pair. */
export function pieces(text: string, max = MAX_TEXT_UNITS): string[] {
  const out: string[] = [];
  let start = 0;
  while (text.length - start > max) {
    let end = start + max;
    const last = text.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff && end - 1 > start) end--;
    out.push(text.slice(start, end));
    start = end;
  }
  out.push(text.slice(start));
  return out;
}

/** The request context of the command's own method, sharing the cli request's cancellation. */
function nested<M extends Method>(request: RequestContext<'cli'>, progress: (p: Progress<M>) => void): RequestContext<M> {
  return { daemon: request.daemon, peer: request.peer, rid: request.rid, get signal() { return request.signal; }, cancel: request.cancel, progress };
}

/** The root the Node CLI would find: from -C DIR, else the client's folder. */
function projectRootOf(dir: string | undefined, io: CommandIO): string {
  try {
    return findProjectRoot(resolve(io.cwd, dir ?? '.'));
  } catch (err) {
    throw new JmakeError('fallback', `not in a project: ${(err as Error).message}`);
  }
}

function checkRoot(found: string, root: string): void {
  if (found !== root) throw new JmakeError('fallback', `the command is for ${found}, this daemon serves ${root}`);
}

function notHandled(command: string, args: readonly string[], cause?: unknown): JmakeError {
  const why = cause instanceof Error ? `: ${cause.message}` : '';
  return new JmakeError('fallback', `the Node CLI handles \`${command} ${args.join(' ')}\`${why}`);
}
