/**
 * The daemon log, `.jmake/daemon.log`: one line per entry, `<ISO time> [tag] message`.
 * Tags: request, watcher, job, log, config, daemon. The lines of one turn of the event loop are
 * written together, with one synchronous append, at its end (a line a job cost ~0.13 ms of the
 * daemon's time in a full build, beside the compilers); before any reply goes out (`flush`, from
 * the server), so a client that got an answer finds the lines before it; and when the process
 * exits, a crash included. Only a kill -9 loses the current turn's lines. Rotated to
 * daemon.log.1 past 8 MiB.
 */
import { closeSync, fstatSync, openSync, renameSync, writeSync } from 'node:fs';

export type LogTag = 'daemon' | 'request' | 'watcher' | 'job' | 'log' | 'config';

export interface Logger {
  log(tag: LogTag, message: string): void;
  /** Write what is held now (a logger that holds nothing need not have it). */
  flush?(): void;
}

const ROTATE_BYTES = 8 * 1024 * 1024;

export class FileLogger implements Logger {
  private fd: number;
  private bytes: number;
  private held = '';
  private flushing: NodeJS.Immediate | null = null;
  private closed = false;
  private readonly flushAtExit = () => this.flush();

  constructor(private readonly path: string, private readonly clock: () => number = Date.now) {
    this.fd = openSync(path, 'a', 0o644);
    this.bytes = fstatSync(this.fd).size;
    process.once('exit', this.flushAtExit);
  }

  log(tag: LogTag, message: string): void {
    if (this.closed) return;
    this.held += `${new Date(this.clock()).toISOString()} [${tag}] ${message}\n`;
    this.flushing ??= setImmediate(() => this.flush()).unref();
  }

  flush(): void {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = null;
    if (this.held === '' || this.closed) return;
    const text = this.held;
    this.held = '';
    try {
      this.bytes += writeSync(this.fd, text);
      if (this.bytes > ROTATE_BYTES) this.rotate();
    } catch {
      // A full disk must not take the daemon down through its log.
    }
  }

  close(): void {
    this.flush();
    this.closed = true;
    process.removeListener('exit', this.flushAtExit);
    closeSync(this.fd);
  }

  private rotate(): void {
    closeSync(this.fd);
    renameSync(this.path, `${this.path}.1`);
    this.fd = openSync(this.path, 'a', 0o644);
    this.bytes = 0;
  }
}
