/**
 * What `jmake build` prints: a ninja-like status line on a terminal (`[3/40] compile src/foo.cpp`,
 * rewritten in place), each tool's output as the tool printed it (colour only on a terminal), the
 * reasons with --explain, the commands with -v, and a one-line summary.
 */
import type { BuildProgress, BuildResult } from '../../protocol/messages.js';
import { stripAnsi } from '../../toolchain/diagnostics.js';
import { colors, type Colors } from '../output.js';
import { duration } from './status.js';
import { processIO, type CommandIO } from '../stdio.js';

export interface BuildView {
  readonly explain: boolean;
  readonly verbose: boolean;
}

export class BuildPrinter {
  private statusShown = false;
  private readonly tty: boolean;
  private readonly c: Colors;

  constructor(private readonly view: BuildView, private readonly io: CommandIO = processIO) {
    this.tty = io.stdout.isTTY && io.env.TERM !== 'dumb';
    this.c = colors(io.stdout, io.env);
  }

  progress(p: BuildProgress): void {
    if (p.type === 'waiting') { this.line(this.c.dim(`jmake: waiting: ${p.reason}`)); return; }
    if (p.type === 'job-started') {
      if (this.view.explain) this.line(`jmake explain: ${p.job}: ${p.reason}`);
      const text = `[${p.done + 1}/${p.total}] ${this.view.verbose && p.command ? p.command.join(' ') : `${p.kind} ${p.label}`}`;
      if (this.tty && !this.view.verbose) this.status(text); else this.line(text);
      return;
    }
    if (p.status === 'failed') this.line(`${this.c.red('FAILED:')} ${p.kind} ${p.job}`);
    if (p.log.trim() !== '') this.block(this.tty && !this.io.env.NO_COLOR ? p.log : stripAnsi(p.log));
  }

  finish(result: BuildResult): void {
    const { stdout, stderr } = this.io;
    this.clearStatus();
    for (const w of result.warnings) stderr.write(`${w}\n`);
    if (result.dryRun) {
      for (const job of result.jobs) {
        stdout.write(`would run ${job.kind} ${job.id}: ${job.reason}\n`);
        if (this.view.verbose && job.command) stdout.write(`  ${job.command.join(' ')}\n`);
      }
      stdout.write(`jmake: ${result.jobs.length === 0 ? 'no work to do' : `${result.jobs.length} jobs would run`}\n`);
      return;
    }
    const failed = result.jobs.filter((j) => j.status === 'failed').length;
    const skipped = result.jobs.filter((j) => j.status === 'skipped').length;
    const took = duration(result.durationMs);
    if (result.cancelled) { stdout.write(`jmake: build cancelled after ${took}\n`); return; }
    if (!result.ok) { stdout.write(`${this.c.red('jmake: build failed')}: ${failed} failed, ${skipped} not run (${took})\n`); return; }
    const cached = result.jobs.filter((j) => j.status === 'cached').length;
    const fromCache = cached > 0 ? `, ${cached} restored from the cache` : '';
    if (result.jobsRun === 0 && cached === 0) stdout.write('jmake: no work to do\n');
    else stdout.write(`jmake: ${result.jobsRun} job${result.jobsRun === 1 ? '' : 's'}${fromCache} in ${took}\n`);
  }

  /** The diagnostics of up-to-date sources (--warnings), as compilers print them. */
  earlierDiagnostics(result: BuildResult): void {
    const { stdout } = this.io;
    for (const d of result.earlierDiagnostics) {
      const where = d.file ? `${d.file}:${d.line}:${d.column}: ` : '';
      stdout.write(`${where}${d.severity}: ${d.message}\n`);
    }
  }

  private status(text: string): void {
    // A terminal of unknown width (a pty nobody sized) says 0 columns.
    const width = this.io.stdout.columns || 100;
    this.io.stdout.write(`\r\u001b[K${text.length > width - 1 ? `${text.slice(0, width - 4)}...` : text}`);
    this.statusShown = true;
  }

  private clearStatus(): void {
    if (this.statusShown) this.io.stdout.write('\r\u001b[K');
    this.statusShown = false;
  }

  private line(text: string): void {
    this.clearStatus();
    this.io.stdout.write(`${text}\n`);
  }

  private block(text: string): void {
    this.clearStatus();
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}
