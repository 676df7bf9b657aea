/**
 * Finding, starting and replacing the project's daemon, from a client.
 *
 * 1. Read `.jmake/daemon.json` and connect to the socket it names; say hello.
 * 2. Nothing there, or a stale file (kill -9 leaves one): start a daemon and wait for its report.
 *    If ten clients do this at once, ten daemons race for the project lock, one wins, the rest
 *    exit; their clients wait for the winner's daemon.json.
 * 3. A daemon of another version: if it is idle, ask it to shut down, wait for it to exit, start
 *    ours; if it is busy, say so and leave it alone.
 * 4. A daemon that is stopping (SIGTERM, `daemon stop`, its idle timeout) answers hello and then
 *    `daemon-stopping`, or closes the connection: wait for it to exit, then go through 1–2 again.
 *    A large project's daemon takes a while to stop (its snapshot), and a command sent meanwhile
 *    failed with "the daemon closed the connection".
 */
import { readFileSync } from 'node:fs';
import { JmakeError } from '../errors.js';
import { projectPaths, type ProjectPaths } from '../project/paths.js';
import { PROTOCOL_VERSION, type HelloResult } from '../protocol/messages.js';
import { readDaemonFile } from '../daemon/daemon-file.js';
import { VERSION } from '../version.js';
import { DaemonConnection } from './connection.js';
import { logTail } from './log-tail.js';
import { untrustedSocket } from './trusted-socket.js';

export interface DaemonSession<T = unknown> {
  readonly connection: DaemonConnection;
  readonly hello: HelloResult;
  /** This call started the daemon. */
  readonly started: boolean;
  /** The reply to `ConnectOptions.first`, sent right behind hello (null without it). */
  readonly first: Promise<T> | null;
}

export interface ConnectOptions<T = unknown> {
  readonly root: string;
  /**
   * A request to pipeline right behind hello, saving a round trip on hot commands. If the daemon
   * turns out to be of another version, its (failed) answer is dropped and it is sent again to
   * the replacement.
   */
  readonly first?: (connection: DaemonConnection) => Promise<T>;
  /** For the daemon log: which command is asking. */
  readonly client: string;
  readonly autoStart: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly startTimeoutMs?: number;
}

const HELLO_TIMEOUT_MS = 5000;
const POLL_MS = 20;

export function connectDaemon<T = unknown>(options: ConnectOptions<T>): Promise<DaemonSession<T>> {
  return connectOnce(options, true);
}

/** `retry`: whether a first request refused by a stopping daemon goes to the next one (once: a daemon that dies of the request must not be fed it forever). */
async function connectOnce<T>(options: ConnectOptions<T>, retry: boolean): Promise<DaemonSession<T>> {
  const paths = projectPaths(options.root);
  const existing = await tryExisting(paths, options.client, options.first);
  if (existing?.hello.compatible) return existing.first && retry ? { ...existing, first: againIfGoingAway(existing, existing.first, options) } : existing;
  if (existing) {
    if (existing.hello.busy) {
      existing.connection.close();
      throw new JmakeError('version-mismatch-busy',
        `the daemon for ${options.root} runs jmake ${existing.hello.version} (this is ${VERSION}) and is busy`, 1,
        'let it finish, then run the command again (or `jmake daemon restart` to replace it now)');
    }
    await stopSession(existing, `replaced by jmake ${VERSION}`);
  }
  if (!options.autoStart) throw new JmakeError('daemon-not-running', `no daemon is running for ${options.root}`, 1, 'run `jmake daemon start`');
  return startAndConnect(paths, options);
}

/** Whether a failure says the daemon is going away (it stops: a new one is to be started). */
function goingAway(err: unknown): boolean {
  return err instanceof JmakeError && (err.code === 'daemon-stopping' || err.code === 'daemon-disconnected');
}

/** How long a stopping daemon may take to exit before the client gives up on it. */
const STOPPING_WAIT_MS = 30_000;

/**
 * The first request's answer; when the daemon that got it was stopping, the answer of the next
 * daemon (started if need be) to the same request, on a connection of its own.
 */
function againIfGoingAway<T>(session: DaemonSession<T>, first: Promise<T>, options: ConnectOptions<T>): Promise<T> {
  return first.catch(async (err: unknown) => {
    if (!goingAway(err)) throw err;
    session.connection.close();
    await waitForExit(session.hello.pid, STOPPING_WAIT_MS);
    const next = await connectOnce(options, false);
    try {
      return await next.first!;
    } finally {
      next.connection.close();
    }
  });
}

/** The running daemon of this project, or null (no record, nothing listening behind it, or it stopped while asked). */
export async function tryExisting<T>(
  paths: ProjectPaths, client: string, first?: (connection: DaemonConnection) => Promise<T>,
): Promise<DaemonSession<T> | null> {
  const record = readDaemonFile(paths.daemonJson);
  // Not a socket of ours in a private folder: as if no daemon ran (the one started rewrites the record).
  if (!record || untrustedSocket(record.socket) !== null) return null;
  let connection: DaemonConnection;
  try {
    connection = await DaemonConnection.open(record.socket, 1000);
  } catch {
    return null;
  }
  // hello and the first request leave in one write, and reach the daemon in one chunk.
  connection.cork();
  const helloReply = helloOrTimeout(connection, client);
  const firstReply = first ? first(connection) : null;
  connection.uncork();
  firstReply?.catch(() => undefined); // judged after hello; a mismatch makes it fail on purpose
  let hello: HelloResult;
  try {
    hello = await helloReply;
  } catch (err) {
    if (!goingAway(err)) throw err;
    connection.close();
    await waitForExit(record.pid, STOPPING_WAIT_MS);
    return null;
  }
  if (hello.root !== paths.root) {
    // A daemon.json copied along with a project points at another project's daemon.
    connection.close();
    return null;
  }
  return { connection, hello, started: false, first: hello.compatible ? firstReply : null };
}

/** Ask a daemon to stop and wait until its process is gone. */
export async function stopSession(session: DaemonSession, reason: string, timeoutMs = 10_000): Promise<void> {
  try {
    await session.connection.call('shutdown', { reason });
  } catch (err) {
    if (!(err instanceof JmakeError && err.code === 'daemon-disconnected')) throw err;
  }
  await session.connection.closed();
  await waitForExit(session.hello.pid, timeoutMs);
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new JmakeError('daemon-stop-timeout', `daemon pid ${pid} did not exit within ${timeoutMs}ms`);
    await sleep(POLL_MS);
  }
}

/** A process that exists and is not a zombie (an exited daemon waits for its reaper a while). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

async function startAndConnect<T>(paths: ProjectPaths, options: ConnectOptions<T>): Promise<DaemonSession<T>> {
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  // Loaded only when needed: child_process is not free to load on the hot path.
  const { spawnDaemon } = await import('./spawn.js');
  const outcome = await spawnDaemon(paths.root, options.env ?? process.env, timeoutMs);
  for (;;) {
    const session = await tryExisting(paths, options.client, options.first);
    if (session?.hello.compatible) return { ...session, started: outcome.kind === 'ready' };
    if (session) {
      session.connection.close();
      throw new JmakeError('version-mismatch', `another jmake (${session.hello.version}) started a daemon for ${paths.root} at the same time`);
    }
    if (Date.now() > deadline) {
      throw new JmakeError('daemon-start-failed', `no daemon answered for ${paths.root} within ${timeoutMs}ms${logTail(paths.daemonLog)}`);
    }
    await sleep(POLL_MS);
  }
}

async function helloOrTimeout(connection: DaemonConnection, client: string): Promise<HelloResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new JmakeError('daemon-unresponsive', `the daemon did not answer hello within ${HELLO_TIMEOUT_MS}ms`, 1,
      'run `jmake daemon restart`')), HELLO_TIMEOUT_MS);
  });
  try {
    return await Promise.race([connection.call('hello', { protocol: PROTOCOL_VERSION, version: VERSION, client }), timeout]);
  } catch (err) {
    connection.close();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
