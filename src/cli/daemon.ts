/** The `jmake daemon ...` operations, shared by the oclif commands in commands/daemon/. */
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { connectDaemon, isAlive, stopSession, tryExisting, waitForExit } from '../client/connect.js';
import { DaemonConnection } from '../client/connection.js';
import { readDaemonFile, type DaemonRecordFile } from '../daemon/daemon-file.js';
import { runtimeDirCandidates } from '../daemon/runtime-dir.js';
import { JmakeError } from '../errors.js';
import { projectPaths } from '../project/paths.js';
import { PROTOCOL_VERSION } from '../protocol/messages.js';
import { VERSION } from '../version.js';

export interface DaemonStatusInfo {
  readonly running: boolean;
  readonly pid?: number;
  readonly socket?: string;
  readonly version?: string;
  readonly instance?: string;
  readonly root?: string;
  readonly compatible?: boolean;
}

export async function daemonStatus(root: string): Promise<DaemonStatusInfo> {
  const session = await tryExisting(projectPaths(root), 'jmake daemon status');
  if (!session) return { running: false };
  session.connection.close();
  const record = readDaemonFile(projectPaths(root).daemonJson);
  return {
    running: true,
    pid: session.hello.pid,
    socket: record?.socket ?? '',
    version: session.hello.version,
    instance: session.hello.instance,
    root: session.hello.root,
    compatible: session.hello.compatible,
  };
}

export async function daemonStart(root: string): Promise<DaemonStatusInfo & { started: boolean }> {
  const session = await connectDaemon({ root, client: 'jmake daemon start', autoStart: true });
  session.connection.close();
  const record = readDaemonFile(projectPaths(root).daemonJson);
  return {
    running: true, started: session.started, pid: session.hello.pid, socket: record?.socket ?? '',
    version: session.hello.version, instance: session.hello.instance, root: session.hello.root, compatible: true,
  };
}

/** Ask the daemon to stop; one that does not answer is sent SIGTERM (after checking it is ours). */
export async function daemonStop(root: string): Promise<{ stopped: boolean; pid?: number }> {
  const paths = projectPaths(root);
  let session;
  try {
    session = await tryExisting(paths, 'jmake daemon stop');
  } catch (err) {
    if (!(err instanceof JmakeError && err.code === 'daemon-unresponsive')) throw err;
    return killUnresponsive(readDaemonFile(paths.daemonJson), root);
  }
  if (!session) return { stopped: false };
  await stopSession(session, 'jmake daemon stop');
  return { stopped: true, pid: session.hello.pid };
}

async function killUnresponsive(record: DaemonRecordFile | null, root: string): Promise<{ stopped: boolean; pid?: number }> {
  if (!record || !isAlive(record.pid) || !isJmakeDaemonOf(record.pid, root)) return { stopped: false };
  process.kill(record.pid, 'SIGTERM');
  try {
    await waitForExit(record.pid, 5000);
  } catch {
    process.kill(record.pid, 'SIGKILL');
    await waitForExit(record.pid, 5000);
  }
  return { stopped: true, pid: record.pid };
}

/**
 * Guard against pid reuse: only signal a process that is a jmake daemon (it renames itself
 * `jmake-daemon`, which replaces its cmdline) working in this project's root.
 */
function isJmakeDaemonOf(pid: number, root: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const named = cmdline.startsWith('jmake-daemon') || cmdline.includes('daemon/main.js');
    return named && realpathSync(`/proc/${pid}/cwd`) === root;
  } catch {
    return false;
  }
}

export interface ListedDaemon {
  readonly root: string;
  readonly pid: number;
  readonly version: string;
  readonly instance: string;
  readonly startedAt: number;
  readonly socket: string;
}

/** Every live daemon of this user, from the registry files beside the sockets. */
export async function listDaemons(env: NodeJS.ProcessEnv = process.env): Promise<ListedDaemon[]> {
  const found = new Map<string, ListedDaemon>();
  for (const dir of runtimeDirCandidates(env)) {
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.json'));
    } catch {
      continue;
    }
    for (const name of names) {
      const record = readDaemonFile(join(dir, name));
      if (!record || found.has(record.instance) || !isAlive(record.pid)) continue;
      if (!(await answers(record.socket))) continue;
      found.set(record.instance, {
        root: record.root, pid: record.pid, version: record.version, instance: record.instance,
        startedAt: record.startedAt, socket: record.socket,
      });
    }
  }
  return [...found.values()].sort((a, b) => a.root.localeCompare(b.root));
}

async function answers(socket: string): Promise<boolean> {
  try {
    const connection = await DaemonConnection.open(socket, 500);
    try {
      await connection.call('hello', { protocol: PROTOCOL_VERSION, version: VERSION, client: 'jmake daemon list' });
      return true;
    } finally {
      connection.close();
    }
  } catch {
    return false;
  }
}

export async function stopAllDaemons(): Promise<{ stopped: ListedDaemon[] }> {
  const daemons = await listDaemons();
  await Promise.all(daemons.map((d) => daemonStop(d.root)));
  return { stopped: daemons };
}
