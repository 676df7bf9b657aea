/**
 * Running one tool invocation (execa 9). Each job gets its own process group, so cancelling kills
 * the compiler's children too. Outputs are written under temporary names and renamed only when the
 * tool succeeded; on failure they are removed, so a later build never trusts a half-written file.
 * A failure to spawn that may pass (EAGAIN, EMFILE, ENFILE) is retried; a compile error never is.
 * Very long command lines go through a response file (`@file`).
 */
import { mkdirSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { execa } from 'execa';

export interface RunSpec {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Absolute paths: what the tool writes, and where it goes when it succeeded. */
  readonly outputs: readonly { readonly tmp: string; readonly final: string }[];
}

export interface RunResult {
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** stdout and stderr, interleaved as the tool wrote them (bounded). */
  readonly output: string;
  readonly durationMs: number;
  readonly spawnError: string | null;
  readonly cancelled: boolean;
}

export interface CommandRunner {
  run(spec: RunSpec, signal: AbortSignal): Promise<RunResult>;
}

const MAX_OUTPUT = 256 * 1024;
const RESPONSE_FILE_OVER = 100_000;
const SPAWN_RETRIES = 3;
const RETRYABLE_SPAWN = new Set(['EAGAIN', 'EMFILE', 'ENFILE', 'ENOMEM']);

export class ExecaRunner implements CommandRunner {
  async run(spec: RunSpec, signal: AbortSignal): Promise<RunResult> {
    for (const { tmp, final } of spec.outputs) {
      mkdirSync(dirname(final), { recursive: true });
      rmSync(tmp, { force: true });
    }
    const [file, ...args] = spec.argv as [string, ...string[]];
    const rsp = this.responseFile(spec, args);
    let attempt = 0;
    for (;;) {
      const result = await this.once(file, rsp ? [`@${rsp}`] : args, spec, signal);
      if (result.spawnError && RETRYABLE_SPAWN.has(result.spawnError) && attempt < SPAWN_RETRIES && !signal.aborted) {
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt++));
        continue;
      }
      if (rsp) rmSync(rsp, { force: true });
      return this.settleOutputs(spec, result);
    }
  }

  private async once(file: string, args: readonly string[], spec: RunSpec, signal: AbortSignal): Promise<RunResult> {
    const started = performance.now();
    if (signal.aborted) return { exitCode: null, signal: null, output: '', durationMs: 0, spawnError: null, cancelled: true };
    const child = execa(file, args, {
      cwd: spec.cwd, env: spec.env, extendEnv: false, all: true, reject: false, detached: true, stdin: 'ignore',
      maxBuffer: MAX_OUTPUT * 4, stripFinalNewline: false,
    });
    const killGroup = () => {
      if (child.pid === undefined) return;
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 2000).unref();
    };
    signal.addEventListener('abort', killGroup, { once: true });
    const result = await child;
    signal.removeEventListener('abort', killGroup);
    const durationMs = performance.now() - started;
    const spawnError = result.exitCode === undefined && !result.signal ? ((result as { code?: string }).code ?? 'ESPAWN') : null;
    const all = String(result.all ?? '');
    return {
      exitCode: result.exitCode ?? null,
      signal: result.signal ?? null,
      output: all.length > MAX_OUTPUT ? `${all.slice(0, MAX_OUTPUT)}\n[output truncated]\n` : all,
      durationMs,
      spawnError: spawnError ? `${spawnError}` : null,
      cancelled: signal.aborted,
    };
  }

  private settleOutputs(spec: RunSpec, result: RunResult): RunResult {
    const ok = result.exitCode === 0 && !result.cancelled;
    if (!ok) {
      for (const { tmp } of spec.outputs) rmSync(tmp, { force: true });
      return result;
    }
    for (const { tmp, final } of spec.outputs) {
      if (!existsSync(tmp)) {
        return { ...result, exitCode: 1, output: `${result.output}jmake: the tool exited 0 but did not write ${final}\n` };
      }
      renameSync(tmp, final);
    }
    return result;
  }

  /** gcc, clang, ar and the LLVM tools all read `@file` (whitespace-separated, quotes honoured). */
  private responseFile(spec: RunSpec, args: readonly string[]): string | null {
    if (args.reduce((n, a) => n + a.length + 1, 0) < RESPONSE_FILE_OVER || spec.outputs.length === 0) return null;
    const path = `${spec.outputs[0]!.tmp}.rsp`;
    writeFileSync(path, args.map((a) => `"${a.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join('\n'));
    return path;
  }
}
