/**
 * `[[jobs]]` entries of jmake.toml as UserJobSpecs. Types were checked by `jmake validate`
 * (config/validate.ts); here a value of the wrong type counts as absent, and an entry without an
 * id or a command is left out (validate reports it with its line).
 */
import { parseDuration } from '../config/daemon-settings.js';
import type { UserJobSpec } from './graph.js';

export function readUserJobs(values: Readonly<Record<string, unknown>>): UserJobSpec[] {
  const entries = Array.isArray(values.jobs) ? values.jobs : [];
  const jobs: UserJobSpec[] = [];
  for (const entry of entries) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) continue;
    const e = entry as Record<string, unknown>;
    const run = strings(e.run);
    if (typeof e.id !== 'string' || e.id === '' || run.length === 0) continue;
    const timeout = e.timeout === undefined ? null : parseDuration(e.timeout);
    jobs.push({
      id: e.id,
      run,
      dependsOn: strings(e.depends_on),
      priority: Number.isSafeInteger(e.priority) ? (e.priority as number) : 0,
      inputs: strings(e.inputs),
      outputs: strings(e.outputs),
      env: stringMap(e.env),
      cwd: typeof e.cwd === 'string' && e.cwd !== '' ? e.cwd : null,
      timeoutMs: timeout !== null && timeout > 0 ? timeout : null,
      retries: Number.isSafeInteger(e.retries) && (e.retries as number) > 0 ? (e.retries as number) : 0,
      retryOn: Array.isArray(e.retry_on) ? e.retry_on.filter((c): c is number => Number.isSafeInteger(c)) : [],
    });
  }
  return jobs;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function stringMap(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}
