/**
 * `[distributed]` in the builder: which compiles go through distcc, with what environment, which
 * host took each (from distcc's per-job log), and the tally `jmake status` shows.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildConfig } from '../config/build-config.js';
import { distccArgv, distccEnv, parseDistccLog, parseHosts, type DistccHost, type DistccOutcome } from '../distributed/distcc.js';
import type { PlannedJob } from '../graph/plan.js';
import type { DistributedStatus } from '../protocol/messages.js';
import type { ResolvedToolchain } from '../toolchain/manager.js';

export interface DistributedCommand {
  readonly argv: string[];
  readonly env: Record<string, string>;
  readonly logFile: string;
}

export class DistributedCompiles {
  private hosts: DistccHost[] = [];
  private readonly tally = new Map<string, { jobs: number; fallbacks: number }>();

  constructor(private readonly root: string) {}

  /** The hosts for this build, or null when compiles stay local. */
  forBuild(config: BuildConfig): readonly DistccHost[] | null {
    const { enabled, hosts } = config.distributed;
    this.hosts = enabled ? parseHosts(hosts) : [];
    return this.hosts.length > 0 ? this.hosts : null;
  }

  /** A compile's command through distcc, or null for a job that stays local (links, archives, user jobs). */
  command(job: PlannedJob, toolchain: ResolvedToolchain, hosts: readonly DistccHost[] | null): DistributedCommand | null {
    if (!hosts || job.kind !== 'compile' || job.user) return null;
    const tool = toolchain.toolchain.tools[job.tool as keyof typeof toolchain.toolchain.tools];
    if (!tool) return null;
    const toolArgs = tool.argv.length;
    const logFile = join(this.root, `${job.tmpOutput}.distcc-log`);
    return {
      argv: [...(job.launcher ?? []), ...distccArgv(tool.argv, tool.name, [...job.cosmeticArgs, ...job.argv.slice(toolArgs)])],
      env: distccEnv(hosts, logFile),
      logFile,
    };
  }

  /** Read and remove the job's distcc log; count the job for its host. */
  finish(command: DistributedCommand): DistccOutcome {
    let text = '';
    try { text = readFileSync(command.logFile, 'utf8'); } catch { /* distcc never started */ }
    rmSync(command.logFile, { force: true });
    const outcome = parseDistccLog(text);
    const host = outcome.fellBack ? outcome.host ?? 'unknown host' : outcome.host ?? 'localhost';
    const entry = this.tally.get(host) ?? { jobs: 0, fallbacks: 0 };
    if (outcome.fellBack) entry.fallbacks++; else entry.jobs++;
    this.tally.set(host, entry);
    return outcome;
  }

  /** For `jmake status`: the configured hosts and what each took since the daemon started. */
  status(): DistributedStatus | null {
    if (this.hosts.length === 0 && this.tally.size === 0) return null;
    const named = new Set(this.hosts.map((h) => h.spec));
    return {
      hosts: [
        ...this.hosts.map((h) => ({ host: h.spec, slots: h.slots, ...(this.tally.get(h.spec) ?? { jobs: 0, fallbacks: 0 }) })),
        ...[...this.tally].filter(([host]) => !named.has(host)).map(([host, t]) => ({ host, slots: 0, ...t })),
      ],
    };
  }
}
