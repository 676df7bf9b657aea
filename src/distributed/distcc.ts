/**
 * Compiling on other machines through distcc (pure parts). jmake does not run its own cluster: a
 * compile becomes `distcc <compiler by name> <args>` with DISTCC_HOSTS from `[distributed] hosts`,
 * and distcc preprocesses locally, sends the result to a host's distccd, and falls back to a local
 * compile when a host fails. Links and archives stay local.
 *
 * Which host took a job, and whether it fell back, comes from distcc's own log, written per job to
 * a file (DISTCC_LOG, with DISTCC_VERBOSE=1 for the `exec on HOST` line) so the compiler's
 * diagnostics on stderr stay clean.
 */
import { basename } from 'node:path';

export interface DistccHost {
  /** As written in jmake.toml, and as distcc names it in its log: "build1:3632/8". */
  readonly spec: string;
  readonly slots: number;
}

export function parseHosts(specs: readonly string[]): DistccHost[] {
  return specs.map((spec) => {
    const slots = Number(/\/(\d+)$/.exec(spec)?.[1] ?? 4); // distcc's default for a TCP host is 4
    return { spec, slots: slots > 0 ? slots : 4 };
  });
}

/** The job limit with these hosts: their slots, and never less than the local cores. */
export function distributedParallelism(hosts: readonly DistccHost[], cores: number): number {
  return Math.max(cores, hosts.reduce((sum, h) => sum + h.slots, 0));
}

/**
 * The command: distcc, then the compiler by name (distccd runs only compilers on its whitelist,
 * /usr/lib/distcc, and refuses absolute paths), then the arguments.
 */
export function distccArgv(toolArgv: readonly string[], toolName: string, args: readonly string[]): string[] {
  const byName = toolArgv.length === 1 ? basename(toolName.split(' ')[0]!) : null;
  return ['distcc', ...(byName ? [byName] : toolArgv), ...args];
}

export function distccEnv(hosts: readonly DistccHost[], logFile: string): Record<string, string> {
  return { DISTCC_HOSTS: hosts.map((h) => h.spec).join(' '), DISTCC_LOG: logFile, DISTCC_VERBOSE: '1' };
}

export interface DistccOutcome {
  /** The host distcc sent the compile to (its spec), or null when it never tried one. */
  readonly host: string | null;
  /** Why it compiled locally instead, when it fell back. */
  readonly fellBack: string | null;
}

/**
 * Read one job's distcc log. A compile that fell back names the host that failed: from
 * `failed to distribute FILE to HOST`, or the host tried or found in backoff before it (distcc
 * skips a host that failed recently, then compiles locally with a bare `failed to distribute`).
 */
export function parseDistccLog(text: string): DistccOutcome {
  let host: string | null = null;
  let remote: string | null = null;
  let reason: string | null = null;
  let fellBack: string | null = null;
  for (const line of text.split('\n')) {
    if (fellBack !== null) break; // what follows is the local compile
    const exec = /\bexec on (\S+?):? /.exec(line);
    if (exec) {
      host = exec[1]!;
      if (host !== 'localhost') remote = host;
    }
    const backoff = /still in backoff period for (\S+)/.exec(line);
    if (backoff) {
      remote = backoff[1]!;
      reason = 'it failed recently (distcc\'s backoff period)';
    }
    const error = /\bERROR: (.*)$/.exec(line);
    if (error) reason = error[1]!.trim();
    const failed = /Warning: failed to distribute(?: \S+ to (\S+?),)?,? running locally instead/.exec(line);
    if (failed) {
      fellBack = reason ?? 'distcc could not send it';
      host = failed[1] ?? remote;
    }
  }
  return { host, fellBack };
}
