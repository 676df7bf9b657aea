/**
 * A `jmake watch --json` process on a test project: its messages as they arrive, waits with
 * deadlines, and its output printed when the test fails.
 */
import { execa, type ResultPromise } from 'execa';
import { onTestFailed } from 'vitest';
import { BIN, type TestProject } from './project.js';
import { waitFor } from './wait.js';

export type WatchLine = { type: string; build?: number; [key: string]: any };

export interface Watcher {
  readonly lines: WatchLine[];
  /** The first message after `from` (an index into lines) that matches; returns it and its index. */
  next(match: (line: WatchLine) => boolean, what: string, options?: { from?: number; timeoutMs?: number }): Promise<{ line: WatchLine; index: number }>;
  /** The messages of one build, from its build-started to its build-finished. */
  buildLines(build: number): WatchLine[];
  /** Ctrl-C; resolves with the exit code. */
  stop(): Promise<number>;
  readonly pid: number;
}

const live = new Set<Watcher>();

export function startWatch(p: TestProject, args: readonly string[] = []): Watcher {
  const child: ResultPromise = execa(process.execPath, [BIN, 'watch', '--json', ...args], {
    cwd: p.root, env: p.env, extendEnv: false, reject: false, buffer: false, stdin: 'ignore',
  });
  const lines: WatchLine[] = [];
  let stdoutTail = '';
  let stderr = '';
  let pending = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    pending += chunk;
    stdoutTail = (stdoutTail + chunk).slice(-20_000);
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      const text = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (text.trim() !== '') lines.push(JSON.parse(text) as WatchLine);
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => { stderr += chunk; });
  const exited = child.then((r) => r.exitCode ?? -1);
  const watcher: Watcher = {
    lines,
    pid: child.pid!,
    async next(match, what, options = {}) {
      return waitFor(() => {
        for (let i = options.from ?? 0; i < lines.length; i++) if (match(lines[i]!)) return { line: lines[i]!, index: i };
        return null;
      }, { what: `watcher: ${what}`, timeoutMs: options.timeoutMs ?? 30_000 });
    },
    buildLines(build) {
      return lines.filter((l) => l.build === build);
    },
    async stop() {
      live.delete(watcher);
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  live.add(watcher);
  onTestFailed(() => {
    process.stderr.write(`\n----- jmake watch (pid ${child.pid}) stdout -----\n${stdoutTail}\n----- stderr -----\n${stderr}\n-----\n`);
  });
  return watcher;
}

/** Stop every watcher a test started (use in afterEach, before disposing the projects). */
export async function stopAllWatchers(): Promise<void> {
  await Promise.all([...live].map((w) => w.stop()));
}
