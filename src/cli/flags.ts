/**
 * Flags of the hot commands, defined once: the lean path parses argv with this table, and the oclif
 * commands build their flag definitions from it, so both accept exactly the same command lines.
 */
export interface FlagSpec {
  readonly name: string;
  readonly char?: string;
  readonly kind: 'boolean' | 'string' | 'integer';
  readonly summary: string;
}

export const COMMON_FLAGS: readonly FlagSpec[] = [
  { name: 'dir', char: 'C', kind: 'string', summary: 'Run as if jmake was started in this directory.' },
  { name: 'json', kind: 'boolean', summary: 'Print one JSON document on stdout.' },
];

export const BUILD_FLAGS: readonly FlagSpec[] = [
  { name: 'incremental', kind: 'boolean', summary: 'Build only what changed (the default).' },
  { name: 'force', kind: 'boolean', summary: 'Rebuild everything.' },
  { name: 'jobs', char: 'j', kind: 'integer', summary: 'Run at most N jobs at once (default: the number of cores).' },
  { name: 'keep-going', char: 'k', kind: 'boolean', summary: 'Keep building what does not depend on a failed job.' },
  { name: 'explain', kind: 'boolean', summary: 'Say why each job runs.' },
  { name: 'dry-run', char: 'n', kind: 'boolean', summary: 'Print what would run and why, without running it.' },
  { name: 'verbose', char: 'v', kind: 'boolean', summary: 'Print each command.' },
  { name: 'profile', kind: 'string', summary: 'Build with [profile.NAME] (built in: debug, release).' },
  { name: 'warnings', kind: 'boolean', summary: 'Also show the warnings of sources that are up to date.' },
  { name: 'no-cache', kind: 'boolean', summary: 'Neither use nor fill the compile cache ([cache]); --force alone still uses it.' },
];

export const NOTIFY_FLAGS: readonly FlagSpec[] = [
  { name: 'no-wait', kind: 'boolean', summary: 'Return once the daemon has the files; the build still runs.' },
  { name: 'profile', kind: 'string', summary: 'Build with [profile.NAME].' },
];

export const WATCH_FLAGS: readonly FlagSpec[] = [
  { name: 'jobs', char: 'j', kind: 'integer', summary: 'Run at most N jobs at once (default: the number of cores).' },
  { name: 'keep-going', char: 'k', kind: 'boolean', summary: 'Keep building what does not depend on a failed job.' },
  { name: 'profile', kind: 'string', summary: 'Build with [profile.NAME].' },
];

export type ParsedFlags = Record<string, string | number | boolean | undefined>;

/** argv -> flags and positional args, or null when something is not understood (let oclif say what). */
export function parseArgv(argv: readonly string[], specs: readonly FlagSpec[]): { flags: ParsedFlags; args: string[] } | null {
  const all = [...COMMON_FLAGS, ...specs];
  const flags: ParsedFlags = {};
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-') { args.push(arg); continue; }
    if (arg === '--') { args.push(...argv.slice(i + 1)); break; }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    } else {
      const spec = all.find((s) => s.char === arg[1]);
      if (!spec) return null;
      name = spec.name;
      inline = arg.length > 2 ? arg.slice(2) : undefined;
    }
    const spec = all.find((s) => s.name === name);
    if (!spec) return null;
    if (spec.kind === 'boolean') {
      if (inline !== undefined) return null;
      flags[spec.name] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('-'))) return null;
    if (spec.kind === 'integer') {
      if (!/^\d+$/.test(value) || Number(value) < 1) return null;
      flags[spec.name] = Number(value);
    } else flags[spec.name] = value;
  }
  return { flags, args };
}

/** `status`'s command line (-C DIR, --json): also parsed by the daemon for the native client. */
export interface FastArgs {
  readonly dir: string | undefined;
  readonly json: boolean;
}

export function parseFastArgs(argv: readonly string[]): FastArgs | null {
  let dir: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') json = true;
    else if (arg === '-C' || arg === '--dir') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('-')) return null;
      dir = value;
    } else if (arg.startsWith('--dir=') && arg.length > '--dir='.length) dir = arg.slice('--dir='.length);
    else return null;
  }
  return { dir, json };
}
