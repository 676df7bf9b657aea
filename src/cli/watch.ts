/**
 * `jmake watch`: attach to the daemon's build feed. The daemon brings the project up to date, then
 * builds every settled change; this prints what happens (or, with --json, streams one object a
 * line). Ctrl-C detaches; the daemon keeps running. If the daemon goes away, the watcher comes
 * back to the next one and says so: after a crash it starts one at once (as any jmake command
 * would); after an orderly stop (`jmake daemon stop`, a restart, a replacement by a newer jmake)
 * it waits for a new one rather than undo the stop.
 */
import { connectDaemon } from '../client/connect.js';
import type { DaemonConnection } from '../client/connection.js';
import { pickEnv } from '../config/build-env.js';
import { JmakeError } from '../errors.js';
import type { WatchMessage, WatchParams } from '../protocol/messages.js';
import type { ParsedFlags } from './flags.js';
import { printJsonLine, reportError } from './output.js';
import { WatchPrinter } from './render/watch.js';
import { stripAnsi } from '../toolchain/diagnostics.js';
import { stdout } from './stdio.js';

/** What the JSON stream adds to the daemon's messages: the watcher's own view of the connection. */
export type WatchStreamMessage =
  | WatchMessage
  | { readonly type: 'daemon-restarted'; readonly pid: number; readonly instance: string }
  | { readonly type: 'daemon-lost'; readonly reason: string; readonly waiting: 'restart' | 'start' };

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2000;
const TICK_MS = 250;

interface WatchView {
  message(m: WatchStreamMessage): void;
  tick(): void;
  close(): void;
}

export async function runWatch(root: string, flags: ParsedFlags, targets: readonly string[]): Promise<number> {
  const json = flags.json === true;
  const params: WatchParams = {
    targets: [...targets],
    profile: typeof flags.profile === 'string' ? flags.profile : undefined,
    jobs: typeof flags.jobs === 'number' ? flags.jobs : undefined,
    keepGoing: flags['keep-going'] === true,
    env: pickEnv(process.env),
    path: process.env.PATH,
  };
  const view = json ? jsonView() : terminalView(root);
  let detached = false;
  let connection: DaemonConnection | null = null;
  let wake: (() => void) | null = null;
  const onSigint = () => {
    detached = true;
    connection?.close();
    wake?.();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const ticker = setInterval(() => view.tick(), TICK_MS);
  let instance: string | null = null;
  let autoStart = true;
  let delay = RETRY_MIN_MS;
  try {
    while (!detached) {
      try {
        const session = await connectDaemon({
          root, client: 'jmake watch', autoStart,
          first: (c) => {
            connection = c;
            return c.call('watch', params, (m) => {
              if (m.type === 'watching') {
                // The first message of every attachment names the daemon: a new instance is a restart.
                if (instance !== null && m.instance !== instance) view.message({ type: 'daemon-restarted', pid: m.pid, instance: m.instance });
                instance = m.instance;
                delay = RETRY_MIN_MS;
              }
              view.message(m);
            });
          },
        });
        if (detached) { session.connection.close(); break; }
        await session.first; // a watch never succeeds: it ends when the connection does
      } catch (err) {
        if (detached) break;
        const code = err instanceof JmakeError ? err.code : 'internal';
        if (code === 'daemon-stopping' || code === 'daemon-disconnected') {
          // An orderly stop says so first; a crash just drops the connection.
          autoStart = code !== 'daemon-stopping';
          view.message({ type: 'daemon-lost', reason: (err as Error).message, waiting: autoStart ? 'start' : 'restart' });
        } else if (code === 'daemon-not-running' || code === 'daemon-unreachable') {
          // Still waiting for a daemon after an orderly stop.
        } else {
          throw err;
        }
        await new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, delay).unref(); });
        wake = null;
        delay = Math.min(delay * 2, RETRY_MAX_MS);
      }
    }
    return 0;
  } catch (err) {
    view.close();
    return reportError(err, json);
  } finally {
    clearInterval(ticker);
    view.close();
    process.removeListener('SIGINT', onSigint);
    process.removeListener('SIGTERM', onSigint);
  }
}

function jsonView(): WatchView {
  // A tool's log as plain text: colour codes are for terminals, not for programs reading the stream.
  const plain = (m: WatchStreamMessage) => (m.type === 'job-finished' ? { ...m, log: stripAnsi(m.log) } : m);
  return { message: (m) => printJsonLine(plain(m)), tick: () => undefined, close: () => undefined };
}

function terminalView(root: string): WatchView {
  const tty = stdout.isTTY && process.env.TERM !== 'dumb';
  const printer = new WatchPrinter({
    write: (text) => stdout.write(text),
    tty,
    color: tty && !process.env.NO_COLOR,
    columns: stdout.columns || 100, // 0: a terminal of unknown width
    now: () => performance.now(),
    clock: () => new Date().toTimeString().slice(0, 8),
  }, root, process.cwd());
  return {
    message(m) {
      if (m.type === 'daemon-restarted') printer.restarted(m.pid);
      else if (m.type === 'daemon-lost') printer.note(m.waiting === 'start' ? `lost the daemon (${m.reason}); starting a new one` : 'the daemon stopped; waiting for a new one (Ctrl-C to leave)');
      else printer.message(m);
    },
    tick: () => printer.tick(),
    close: () => printer.close(),
  };
}
