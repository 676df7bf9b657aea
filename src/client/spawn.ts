/**
 * Starting a daemon: spawn `dist/src/daemon/main.js` detached (its own process group, so a
 * terminal's Ctrl-C does not reach it), stdout/stderr appended to `.jmake/daemon.log`, and read
 * its one-line report from fd 3: ready, lock held by another daemon, or a start error.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { isErrno, JmakeError } from '../errors.js';
import { DAEMON_NODE_FLAGS } from '../daemon/node-flags.js';
import { daemonMainPath } from '../package-root.js';
import { projectPaths } from '../project/paths.js';
import { logTail } from './log-tail.js';

export type SpawnOutcome =
  | { readonly kind: 'ready'; readonly pid: number; readonly socket: string }
  | { readonly kind: 'lock-held' };

export function spawnDaemon(root: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<SpawnOutcome> {
  const paths = projectPaths(root);
  const out = openDaemonLog(paths.stateDir, paths.daemonLog);
  let child;
  try {
    child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, daemonMainPath(), '--root', root], {
      cwd: root,
      env,
      detached: true,
      stdio: ['ignore', out, out, 'pipe'],
    });
  } finally {
    closeSync(out);
  }
  const report = child.stdio[3] as Readable;
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => finish(new JmakeError('daemon-start-failed',
      `the daemon did not report ready within ${timeoutMs}ms${logTail(paths.daemonLog)}`)), timeoutMs);
    const finish = (outcome: SpawnOutcome | JmakeError) => {
      clearTimeout(timer);
      report.removeAllListeners();
      report.destroy();
      child.removeAllListeners('exit');
      child.unref();
      if (outcome instanceof JmakeError) reject(outcome); else resolve(outcome);
    };
    report.setEncoding('utf8');
    report.on('data', (chunk: string) => {
      text += chunk;
      const nl = text.indexOf('\n');
      if (nl < 0) return;
      let message: { ready?: boolean; pid?: number; socket?: string; lockHeld?: boolean; error?: { code: string; message: string } };
      try {
        message = JSON.parse(text.slice(0, nl)) as typeof message;
      } catch {
        finish(new JmakeError('daemon-start-failed', `unexpected report from the daemon: ${text.slice(0, nl)}`));
        return;
      }
      if (message.ready && message.pid && message.socket) finish({ kind: 'ready', pid: message.pid, socket: message.socket });
      else if (message.lockHeld) finish({ kind: 'lock-held' });
      else finish(new JmakeError(message.error?.code ?? 'daemon-start-failed', `the daemon could not start: ${message.error?.message ?? 'unknown error'}`));
    });
    report.on('error', () => { /* exit below explains */ });
    child.once('exit', (code, signal) => {
      finish(new JmakeError('daemon-start-failed',
        `the daemon exited (${signal ?? `code ${code}`}) before it was ready${logTail(paths.daemonLog)}`));
    });
  });
}

/** The daemon's state dir must be writable: its event log lives there. Say so plainly when it is not. */
function openDaemonLog(stateDir: string, logPath: string): number {
  try {
    mkdirSync(stateDir, { recursive: true });
    return openSync(logPath, 'a', 0o644);
  } catch (err) {
    if (!isErrno(err, 'EROFS', 'EACCES', 'EPERM', 'ENOSPC')) throw err;
    const why = err.code === 'EROFS' ? 'is on a read-only file system' : err.code === 'ENOSPC' ? 'is on a full disk' : 'is not writable by you';
    throw new JmakeError('state-dir-unwritable', `cannot start a daemon: ${stateDir} ${why} (${err.message})`, 1,
      err.code === 'ENOSPC' ? 'free some disk space; jmake keeps its event log there'
        : 'jmake keeps its event log there: make the folder writable, or build from a writable copy of the project');
  }
}
