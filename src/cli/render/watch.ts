/**
 * What `jmake watch` prints on a terminal: a live status line while a build runs (`[3/10] compile
 * src/a.cpp 1.2s`, rewritten in place), the tools' output as they printed it, and one summary line
 * per build. Without a terminal (a pipe, a file) the same, without the status line.
 */
import { isAbsolute, join, relative } from 'node:path';
import type { WatchMessage } from '../../protocol/messages.js';
import { stripAnsi } from '../../toolchain/diagnostics.js';
import { duration } from './status.js';

export interface WatchOutput {
  write(text: string): void;
  readonly tty: boolean;
  readonly color: boolean;
  readonly columns: number;
  now(): number;
  /** Wall-clock time for the summary line ("14:03:21"). */
  clock(): string;
}

interface RunningBuild {
  readonly build: number;
  readonly started: number;
  readonly changed: string;
  current: string;
}

export class WatchPrinter {
  private running: RunningBuild | null = null;
  private statusShown = false;
  private attached = false;

  constructor(private readonly out: WatchOutput, private readonly root: string, private readonly cwd: string) {}

  message(m: WatchMessage): void {
    switch (m.type) {
      case 'watching':
        // Said once; a later attachment (the daemon restarted) is announced by restarted().
        if (!this.attached) this.line(`jmake: watching ${m.root} (daemon pid ${m.pid}); Ctrl-C to stop watching (the daemon keeps running)`);
        this.attached = true;
        return;
      case 'build-started': {
        const names = m.changed.map((p) => this.show(p));
        const changed = names.length === 0 ? '' : `${names.slice(0, 3).join(', ')}${names.length + m.more > 3 ? ` and ${names.length + m.more - 3} more` : ''}`;
        this.running = { build: m.build, started: this.out.now(), changed, current: 'checking' };
        this.refresh();
        return;
      }
      case 'job-started':
        if (this.running?.build === m.build) this.running.current = `[${m.done + 1}/${m.total}] ${m.kind} ${this.show(m.label)}`;
        this.refresh();
        return;
      case 'job-finished':
        if (m.status === 'failed') this.line(`${this.red('FAILED:')} ${m.kind} ${m.job}`);
        if (m.log.trim() !== '') this.block(this.out.color ? m.log : stripAnsi(m.log));
        return;
      case 'diagnostic':
        return; // already shown as the compiler printed it, in the job's output
      case 'build-finished': {
        const changed = this.running?.build === m.build && this.running.changed ? ` (changed: ${this.running.changed})` : '';
        this.running = null;
        const what = m.cancelled ? 'cancelled' : !m.ok ? this.red(`failed (${m.failed} failed)`) : m.jobsRun === 0 ? 'up to date' : `ok, ${m.jobsRun} job${m.jobsRun === 1 ? '' : 's'}`;
        this.line(`[${this.out.clock()}] build ${m.build}: ${what} in ${duration(m.durationMs)}${changed}`);
        return;
      }
      case 'config-error': {
        const where = m.file ? `${this.show(m.file)}:${m.line}:${m.column}: ` : '';
        this.line(`${where}error: ${m.message}`);
        this.line('jmake: no build until jmake.toml is fixed (still watching)');
        return;
      }
      case 'error':
        this.line(`jmake: ${m.message}`);
        return;
    }
  }

  /** The connection to the daemon is back, with a new daemon. */
  restarted(pid: number): void {
    this.line(`jmake: the daemon restarted (pid ${pid}); watching again`);
  }

  note(text: string): void {
    this.line(`jmake: ${text}`);
  }

  /** Called on a timer while a build runs, so the elapsed time moves. */
  tick(): void {
    if (this.running) this.refresh();
  }

  close(): void {
    this.clearStatus();
  }

  private refresh(): void {
    if (!this.out.tty || !this.running) return;
    const elapsed = duration(this.out.now() - this.running.started);
    const text = `${this.running.current} ${elapsed}`;
    const width = this.out.columns;
    this.out.write(`\r\u001b[K${text.length > width - 1 ? `${text.slice(0, width - 4)}...` : text}`);
    this.statusShown = true;
  }

  private show(path: string): string {
    const rel = relative(this.cwd, isAbsolute(path) ? path : join(this.root, path));
    return rel === '' ? path : rel;
  }

  private red(text: string): string {
    return this.out.color ? `\u001b[31m${text}\u001b[39m` : text;
  }

  private clearStatus(): void {
    if (this.statusShown) this.out.write('\r\u001b[K');
    this.statusShown = false;
  }

  private line(text: string): void {
    this.block(`${text}\n`);
  }

  private block(text: string): void {
    this.clearStatus();
    this.out.write(text.endsWith('\n') ? text : `${text}\n`);
    this.refresh();
  }
}
