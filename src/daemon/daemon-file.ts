/**
 * `.jmake/daemon.json`: how any client, whatever its environment (an editor, a shell, sudo with
 * another XDG_RUNTIME_DIR), finds the running daemon. The same record is kept next to the socket in
 * the per-user runtime dir, where `jmake daemon list` finds every daemon of the user.
 * Written atomically (temp file + rename); removed by the daemon that wrote it, and only if it is
 * still its own.
 */
import { readFileSync, unlinkSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic-write.js';

export interface DaemonRecordFile {
  readonly pid: number;
  readonly socket: string;
  readonly version: string;
  readonly protocol: number;
  readonly instance: string;
  readonly startedAt: number;
  readonly root: string;
}

export function writeDaemonFile(path: string, record: DaemonRecordFile): void {
  writeFileAtomic(path, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
}

export function readDaemonFile(path: string): DaemonRecordFile | null {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<DaemonRecordFile>;
    if (typeof value.pid !== 'number' || typeof value.socket !== 'string' || typeof value.instance !== 'string') return null;
    return value as DaemonRecordFile;
  } catch {
    return null;
  }
}

export function removeDaemonFileIfOurs(path: string, instance: string): void {
  const current = readDaemonFile(path);
  if (current && current.instance !== instance) return;
  try { unlinkSync(path); } catch { /* already gone */ }
}
