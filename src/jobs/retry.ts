/**
 * When a failed user job runs again: only when asked (`retries`), only for the listed exit codes
 * (`retry_on`, empty: any failure), never after a cancel, a timeout or a failure to start, with
 * exponential backoff (BASE_MS, doubling, capped).
 */
export const RETRY_BASE_MS = 250;
export const RETRY_MAX_MS = 30_000;

export interface Attempt {
  /** 0 for the first run. */
  readonly attempt: number;
  readonly exitCode: number | null;
  readonly cancelled: boolean;
  readonly timedOut: boolean;
}

/** Milliseconds to wait before the next attempt, or null: no more attempts. */
export function retryDelay(spec: { readonly retries: number; readonly retryOn: readonly number[] }, last: Attempt): number | null {
  if (last.cancelled || last.timedOut || last.exitCode === null || last.exitCode === 0) return null;
  if (last.attempt >= spec.retries) return null;
  if (spec.retryOn.length > 0 && !spec.retryOn.includes(last.exitCode)) return null;
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** last.attempt);
}
