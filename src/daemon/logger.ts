/**
 * The daemon log, `.jmake/daemon.log`: one line per entry, `<ISO time> [tag] message`.
 * Tags: request, watcher, job, log, config, daemon. Written with synchronous appends so the
 * last lines before a crash are on disk. Rotated to daemon.log.1 past 8 MiB.
 */
import { closeSync, fstatSync, openSync, renameSync, writeSync } from 'node:fs';

export type LogTag = 'daemon' | 'request' | 'watcher' | 'job' | 'log' | 'config';

export interface Logger {
  log(tag: LogTag, message: string): void;
}

const ROTATE_BYTES = 8 * 1024 * 1024;

export class FileLogger implements Logger {
  private fd: number;
  private bytes: number;

  constructor(private readonly path: string, private readonly clock: () => number = Date.now) {
    this.fd = openSync(path, 'a', 0o644);
    this.bytes = fstatSync(this.fd).size;
  }

  log(tag: LogTag, message: string): void {
    const line = `${new Date(this.clock()).toISOString()} [${tag}] ${message}\n`;
    try {
      this.bytes += writeSync(this.fd, line);
      if (this.bytes > ROTATE_BYTES) this.rotate();
    } catch {
      // A full disk must not take the daemon down through its log.
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  private rotate(): void {
    closeSync(this.fd);
    renameSync(this.path, `${this.path}.1`);
    this.fd = openSync(this.path, 'a', 0o644);
    this.bytes = 0;
  }
}
