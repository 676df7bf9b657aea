/**
 * How every command speaks: one JSON document on stdout under --json (streams: one object a line),
 * human text otherwise; errors as `{"error":{"code","message"}}` (stdout, --json) or `jmake: message`
 * (stderr). Exit codes: 0 ok, 1 the operation failed, 2 usage or configuration error.
 */
import { JmakeError, type ExitCode } from '../errors.js';
import { processIO, stdout, type CommandIO, type Sink } from './stdio.js';

export function printJson(value: unknown, out: Sink = stdout): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printJsonLine(value: unknown): void {
  stdout.write(`${JSON.stringify(value)}\n`);
}

export interface ClassifiedError {
  readonly code: string;
  readonly message: string;
  readonly hint?: string | undefined;
  readonly exitCode: ExitCode;
}

/** JmakeErrors keep their code; oclif's parse errors are usage errors; anything else failed. */
export function classifyError(err: unknown): ClassifiedError {
  if (err instanceof JmakeError) return { code: err.code, message: err.message, hint: err.hint, exitCode: err.exitCode };
  const e = err as { message?: string; oclif?: { exit?: number }; code?: string };
  if (e?.code === 'EEXIT') return { code: 'exit', message: '', exitCode: (e.oclif?.exit ?? 0) as ExitCode };
  if (e?.oclif?.exit !== undefined) {
    return { code: 'usage', message: oneLine(e.message ?? 'invalid usage'), hint: 'see --help', exitCode: 2 };
  }
  return { code: 'internal', message: e?.message ?? String(err), exitCode: 1 };
}

/** Print an error the way --json or a terminal wants it; returns the exit code to use. */
export function reportError(err: unknown, json: boolean, io: CommandIO = processIO): ExitCode {
  const c = classifyError(err);
  if (c.code === 'exit') return c.exitCode;
  if (json) {
    printJson({ error: c.hint ? { code: c.code, message: c.message, hint: c.hint } : { code: c.code, message: c.message } }, io.stdout);
  } else {
    io.stderr.write(`jmake: ${c.message}\n${c.hint ? `hint: ${c.hint}\n` : ''}`);
  }
  return c.exitCode;
}

/** oclif's messages span lines and tabs, with a "See more help" tail: one line for us. */
function oneLine(text: string): string {
  return text.replace(/See more help with --help\.?/g, '').split('\n').map((l) => l.trim()).filter(Boolean).join(': ').replace(/:\s*:/g, ':');
}

export interface Colors {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
}

/** ANSI colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function colors(stream: { readonly isTTY: boolean } = stdout, env: NodeJS.ProcessEnv = process.env): Colors {
  const on = stream.isTTY && !env.NO_COLOR && env.TERM !== 'dumb';
  const wrap = (open: number, close: number) => (s: string) => (on ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39) };
}
