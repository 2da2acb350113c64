import { sleep } from '../core/abort.js';
import { AssayError } from '../core/errors.js';

export interface RetryOptions {
  /** Retries after the first attempt; 0 disables retrying. Default 3. */
  maxRetries?: number;
  /** The backoff before retry k (0-based) is drawn from [0, min(maxDelayMs, baseDelayMs·2^k)]. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** The longest `retry-after` assay honours; longer requests are clamped to it. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Stops a wait between attempts at once. */
  signal?: AbortSignal;
  /** A source of numbers in [0, 1) for the jitter; Math.random by default. */
  random?: () => number;
  /** Called before each wait, for logs and tests. */
  onRetry?: (event: RetryEvent) => void;
}

export interface RetryEvent {
  /** The attempt that failed, 1-based. */
  attempt: number;
  delayMs: number;
  error: AssayError;
}

export const DEFAULT_MAX_RETRIES = 3;
export const DEFAULT_BASE_DELAY_MS = 500;
export const DEFAULT_MAX_DELAY_MS = 8_000;
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

/**
 * Runs `attempt` until it succeeds, fails with an error that is not a retryable AssayError,
 * or the retries run out; the last error is thrown as it is. A retryable error may carry
 * `details.retryAfterMs` (the server's `retry-after`), which replaces the backoff.
 */
export async function withRetry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof AssayError) || !error.retryable || n > maxRetries) throw error;
      const delayMs = retryDelay(n - 1, error, options);
      options.onRetry?.({ attempt: n, delayMs, error });
      try {
        await sleep(delayMs, options.signal);
      } catch (reason) {
        throw new AssayError('ABORTED', 'the model request was aborted while waiting to retry', {
          cause: reason,
          details: { attempt: n, lastError: error.message },
        });
      }
    }
  }
}

/** The wait before retry `retry` (0-based) after `error`. */
export function retryDelay(retry: number, error: AssayError, options: RetryOptions = {}): number {
  const retryAfter = error.details['retryAfterMs'];
  if (typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter >= 0) {
    return Math.min(retryAfter, options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS);
  }
  return backoffDelay(retry, options);
}

/** Exponential backoff with full jitter: uniform in [0, min(max, base·2^retry)]. */
export function backoffDelay(retry: number, options: RetryOptions = {}): number {
  const base = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const max = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const ceiling = Math.min(max, base * 2 ** retry);
  return Math.round((options.random ?? Math.random)() * ceiling);
}

/**
 * The wait a server asks for, in milliseconds: `retry-after-ms`, or `retry-after` as seconds
 * or as an HTTP date. Undefined when absent or unreadable; a date in the past gives 0.
 */
export function parseRetryAfter(
  header: (name: string) => string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  const ms = header('retry-after-ms');
  if (ms != null && ms.trim() !== '') {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const after = header('retry-after');
  if (after == null || after.trim() === '') return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(after);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
