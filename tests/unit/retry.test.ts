import { describe, expect, it } from 'vitest';
import { AssayError, InfraError } from '../../src/core/errors.js';
import {
  backoffDelay,
  parseRetryAfter,
  type RetryEvent,
  retryDelay,
  withRetry,
} from '../../src/model/retry.js';

function headers(values: Record<string, string>) {
  return (name: string) => values[name];
}

function flaky(failures: number, error: () => Error) {
  let calls = 0;
  const attempt = async (n: number) => {
    calls++;
    if (n <= failures) throw error();
    return `ok after ${n}`;
  };
  return { attempt, calls: () => calls };
}

const retryable = () => new InfraError('MODEL_HTTP_ERROR', 'HTTP 503', { retryable: true });

describe('parseRetryAfter', () => {
  it('reads seconds', () => {
    expect(parseRetryAfter(headers({ 'retry-after': '2' }))).toBe(2000);
    expect(parseRetryAfter(headers({ 'retry-after': '0.5' }))).toBe(500);
  });

  it('reads an HTTP date relative to now', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfter(headers({ 'retry-after': 'Wed, 21 Oct 2015 07:28:03 GMT' }), now)).toBe(
      3000,
    );
  });

  it('gives 0 for a date in the past', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfter(headers({ 'retry-after': 'Wed, 21 Oct 2015 07:00:00 GMT' }), now)).toBe(
      0,
    );
  });

  it('prefers retry-after-ms', () => {
    expect(parseRetryAfter(headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
  });

  it('ignores absent, negative and unreadable values', () => {
    expect(parseRetryAfter(headers({}))).toBeUndefined();
    expect(parseRetryAfter(headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfter(headers({ 'retry-after': '-3' }))).toBeUndefined();
    expect(parseRetryAfter(headers({ 'retry-after-ms': 'x', 'retry-after': '1' }))).toBe(1000);
  });
});

describe('backoff', () => {
  it('draws the full-jitter delay from zero up to the exponential ceiling', () => {
    const options = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(0, { ...options, random: () => 0 })).toBe(0);
    expect(backoffDelay(0, { ...options, random: () => 0.999 })).toBe(100);
    expect(backoffDelay(2, { ...options, random: () => 0.5 })).toBe(200);
    expect(backoffDelay(10, { ...options, random: () => 0.999 })).toBe(999);
  });

  it('uses the server retry-after instead of the backoff, capped', () => {
    const error = new InfraError('MODEL_HTTP_ERROR', '429', {
      retryable: true,
      details: { retryAfterMs: 5000 },
    });
    expect(retryDelay(0, error, { random: () => 0 })).toBe(5000);
    expect(retryDelay(0, error, { maxRetryAfterMs: 1000 })).toBe(1000);
  });
});

describe('withRetry', () => {
  it('retries retryable errors until the attempt succeeds', async () => {
    const { attempt, calls } = flaky(2, retryable);
    const events: RetryEvent[] = [];
    const result = await withRetry(attempt, {
      baseDelayMs: 1,
      onRetry: (event) => events.push(event),
    });
    expect(result).toBe('ok after 3');
    expect(calls()).toBe(3);
    expect(events.map((event) => event.attempt)).toEqual([1, 2]);
  });

  it('gives up after maxRetries and throws the last error', async () => {
    const { attempt, calls } = flaky(10, retryable);
    await expect(withRetry(attempt, { maxRetries: 3, baseDelayMs: 1 })).rejects.toMatchObject({
      code: 'MODEL_HTTP_ERROR',
    });
    expect(calls()).toBe(4);
  });

  it('defaults to three retries', async () => {
    const { attempt, calls } = flaky(10, retryable);
    await expect(withRetry(attempt, { baseDelayMs: 1 })).rejects.toBeInstanceOf(InfraError);
    expect(calls()).toBe(4);
  });

  it('fails at once on a non-retryable error', async () => {
    const { attempt, calls } = flaky(10, () => new InfraError('MODEL_HTTP_ERROR', '404'));
    await expect(withRetry(attempt, { baseDelayMs: 1 })).rejects.toThrow('404');
    expect(calls()).toBe(1);
  });

  it('fails at once on an error that is not an AssayError', async () => {
    const { attempt, calls } = flaky(10, () => new TypeError('bug'));
    await expect(withRetry(attempt, { baseDelayMs: 1 })).rejects.toThrow('bug');
    expect(calls()).toBe(1);
  });

  it('waits the retry-after the error carries', async () => {
    const { attempt } = flaky(
      1,
      () =>
        new InfraError('MODEL_HTTP_ERROR', '429', {
          retryable: true,
          details: { retryAfterMs: 120 },
        }),
    );
    const started = Date.now();
    await withRetry(attempt, { baseDelayMs: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
  });

  it('stops waiting as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const { attempt, calls } = flaky(
      10,
      () =>
        new InfraError('MODEL_HTTP_ERROR', '429', {
          retryable: true,
          details: { retryAfterMs: 60_000 },
        }),
    );
    setTimeout(() => controller.abort(), 30);
    const outcome = await Promise.race([
      withRetry(attempt, { signal: controller.signal, maxRetryAfterMs: 60_000 }).catch(
        (error: unknown) => error,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5_000)),
    ]);
    expect(outcome).toBeInstanceOf(AssayError);
    expect((outcome as AssayError).code).toBe('ABORTED');
    expect(calls()).toBe(1);
  });
});
