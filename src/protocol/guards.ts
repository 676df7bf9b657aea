/**
 * One guard per method: raw params (any JSON object) -> typed params, or a message saying what is
 * wrong. The daemon replies `bad-params` with that message and keeps the connection.
 */
import type { CliTerminal, Method, Params } from './messages.js';

export type GuardResult<M extends Method> = { ok: true; params: Params<M> } | { ok: false; message: string };
type Guard<M extends Method> = (raw: Record<string, unknown>) => GuardResult<M>;

const fail = (message: string) => ({ ok: false as const, message });

function optionalInt(raw: Record<string, unknown>, key: string, min: number): string | null {
  const v = raw[key];
  if (v === undefined) return null;
  return Number.isSafeInteger(v) && (v as number) >= min ? null : `${key} must be an integer >= ${min}`;
}

export const GUARDS: { readonly [M in Method]: Guard<M> } = {
  hello(raw) {
    if (!Number.isSafeInteger(raw.protocol)) return fail('protocol must be an integer');
    if (typeof raw.version !== 'string') return fail('version must be a string');
    if (raw.client !== undefined && typeof raw.client !== 'string') return fail('client must be a string');
    return { ok: true, params: { protocol: raw.protocol as number, version: raw.version, client: raw.client as string | undefined } };
  },
  status(raw) {
    if (raw.sync !== undefined && typeof raw.sync !== 'boolean') return fail('sync must be a boolean');
    return { ok: true, params: { sync: raw.sync as boolean | undefined } };
  },
  events(raw) {
    const bad = optionalInt(raw, 'since', 0) ?? optionalInt(raw, 'limit', 1);
    if (bad) return fail(bad);
    if (raw.types !== undefined && !(Array.isArray(raw.types) && raw.types.every((t) => typeof t === 'string'))) {
      return fail('types must be an array of strings');
    }
    if (raw.follow !== undefined && typeof raw.follow !== 'boolean') return fail('follow must be a boolean');
    return {
      ok: true,
      params: {
        since: raw.since as number | undefined, limit: raw.limit as number | undefined,
        types: raw.types as string[] | undefined, follow: raw.follow as boolean | undefined,
      },
    };
  },
  shutdown(raw) {
    if (raw.reason !== undefined && typeof raw.reason !== 'string') return fail('reason must be a string');
    return { ok: true, params: { reason: raw.reason as string | undefined } };
  },
  build(raw) {
    for (const key of ['force', 'explain', 'verbose', 'dryRun', 'warnings', 'noCache', 'progress'] as const) {
      if (raw[key] !== undefined && typeof raw[key] !== 'boolean') return fail(`${key} must be a boolean`);
    }
    const what = watchParams(raw);
    if (!what.ok) return what;
    return {
      ok: true,
      params: {
        ...what.params, force: raw.force as boolean | undefined, explain: raw.explain as boolean | undefined, verbose: raw.verbose as boolean | undefined,
        dryRun: raw.dryRun as boolean | undefined, warnings: raw.warnings as boolean | undefined, noCache: raw.noCache as boolean | undefined,
        progress: raw.progress as boolean | undefined,
      },
    };
  },
  watch: watchParams,
  notify(raw) {
    if (!(Array.isArray(raw.paths) && raw.paths.every((p) => typeof p === 'string' && p.startsWith('/')))) return fail('paths must be an array of absolute paths');
    if (typeof raw.wait !== 'boolean') return fail('wait must be a boolean');
    const what = watchParams(raw);
    if (!what.ok) return what;
    return { ok: true, params: { ...what.params, paths: raw.paths as string[], wait: raw.wait } };
  },
  tools(raw) {
    const env = stringRecord(raw.env);
    if (env === null) return fail('env must be an object of strings');
    if (raw.path !== undefined && typeof raw.path !== 'string') return fail('path must be a string');
    return { ok: true, params: { env, path: raw.path as string | undefined } };
  },
  why(raw) {
    if (typeof raw.job !== 'string' || raw.job === '') return fail('job must be a non-empty string (an output path)');
    return { ok: true, params: { job: raw.job } };
  },
  clean() {
    return { ok: true, params: {} };
  },
  cache(raw) {
    if (raw.action !== 'stats' && raw.action !== 'clean') return fail('action must be "stats" or "clean"');
    return { ok: true, params: { action: raw.action } };
  },
  compdb(raw) {
    if (raw.profile !== undefined && typeof raw.profile !== 'string') return fail('profile must be a string');
    if (raw.path !== undefined && typeof raw.path !== 'string') return fail('path must be a string');
    const env = stringRecord(raw.env);
    if (env === null) return fail('env must be an object of strings');
    return { ok: true, params: { profile: raw.profile as string | undefined, path: raw.path as string | undefined, env } };
  },
  'cancel-build'() {
    return { ok: true, params: {} };
  },
  jobs(raw) {
    if (raw.all !== undefined && typeof raw.all !== 'boolean') return fail('all must be a boolean');
    return { ok: true, params: { all: raw.all as boolean | undefined } };
  },
  complete(raw) {
    for (const key of ['dryRun', 'freeze'] as const) if (raw[key] !== undefined && typeof raw[key] !== 'boolean') return fail(`${key} must be a boolean`);
    if (raw.path !== undefined && typeof raw.path !== 'string') return fail('path must be a string');
    const env = stringRecord(raw.env);
    if (env === null) return fail('env must be an object of strings');
    return { ok: true, params: { dryRun: raw.dryRun as boolean | undefined, freeze: raw.freeze as boolean | undefined, path: raw.path as string | undefined, env } };
  },
  cli(raw) {
    if (raw.command !== 'build' && raw.command !== 'status' && raw.command !== 'notify') return fail('command must be "build", "status" or "notify"');
    if (!(Array.isArray(raw.args) && raw.args.every((a) => typeof a === 'string'))) return fail('args must be an array of strings');
    if (typeof raw.cwd !== 'string' || !raw.cwd.startsWith('/')) return fail('cwd must be an absolute path');
    const env = stringRecord(raw.env);
    if (!env) return fail('env must be an object of strings');
    const stdout = terminal(raw.stdout);
    const stderr = terminal(raw.stderr);
    if (!stdout || !stderr) return fail('stdout and stderr must be {tty: boolean, columns?: integer >= 1}');
    return { ok: true, params: { command: raw.command, args: raw.args as string[], cwd: raw.cwd, env, stdout, stderr } };
  },
  cancel(raw) {
    const bad = optionalInt(raw, 'rid', 1);
    if (bad || raw.rid === undefined) return fail('rid must be an integer >= 1');
    return { ok: true, params: { rid: raw.rid as number } };
  },
};

/** What to build and with which environment: shared by build, watch and notify. */
function watchParams(raw: Record<string, unknown>): GuardResult<'watch'> {
  if (raw.keepGoing !== undefined && typeof raw.keepGoing !== 'boolean') return fail('keepGoing must be a boolean');
  const bad = optionalInt(raw, 'jobs', 1);
  if (bad) return fail(bad);
  if (raw.targets !== undefined && !(Array.isArray(raw.targets) && raw.targets.every((t) => typeof t === 'string'))) return fail('targets must be an array of strings');
  if (raw.profile !== undefined && (typeof raw.profile !== 'string' || raw.profile === '')) return fail('profile must be a non-empty string');
  const env = stringRecord(raw.env);
  if (env === null) return fail('env must be an object of strings');
  if (raw.path !== undefined && typeof raw.path !== 'string') return fail('path must be a string');
  return {
    ok: true,
    params: {
      targets: raw.targets as string[] | undefined, profile: raw.profile as string | undefined,
      jobs: raw.jobs as number | undefined, keepGoing: raw.keepGoing as boolean | undefined, env, path: raw.path as string | undefined,
    },
  };
}

function terminal(value: unknown): CliTerminal | null {
  if (typeof value !== 'object' || value === null) return null;
  const { tty, columns } = value as Record<string, unknown>;
  if (typeof tty !== 'boolean') return null;
  if (columns === undefined) return { tty };
  return Number.isSafeInteger(columns) && (columns as number) >= 1 ? { tty, columns: columns as number } : null;
}

/** undefined stays undefined; a non-object or a non-string value is null (invalid). */
function stringRecord(value: unknown): Record<string, string> | undefined | null {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  return Object.values(value).every((v) => typeof v === 'string') ? (value as Record<string, string>) : null;
}
