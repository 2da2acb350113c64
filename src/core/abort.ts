import { AssayError } from './errors.js';

/** A signal that aborts when the caller's signal does or after `timeoutMs`, whichever first. */
export function withTimeout(
  signal: AbortSignal | undefined,
  timeoutMs: number | undefined,
): AbortSignal {
  const signals: AbortSignal[] = [];
  if (signal) signals.push(signal);
  if (timeoutMs !== undefined && Number.isFinite(timeoutMs))
    signals.push(AbortSignal.timeout(timeoutMs));
  if (signals.length === 0) return new AbortController().signal;
  if (signals.length === 1) return signals[0]!;
  return AbortSignal.any(signals);
}

/** A signal with a deadline, and the call that stops watching for it. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Stops the timer and the watch on the parent; the signal keeps its state. Idempotent. */
  clear(): void;
}

/**
 * A signal that aborts with the parent's reason when `parent` aborts, or with a `TimeoutError`
 * (as `AbortSignal.timeout`'s, so `isTimeoutReason` knows it) after `ms`, whichever is first.
 * Unlike `withTimeout` it costs one controller, one timer and one listener, all released by
 * `clear()`, which the caller makes when the guarded work ends: for the per-call deadline of a
 * tool call, made at every call, where `AbortSignal.any` with `AbortSignal.timeout` leaves a
 * timer running and a dependent signal for the collector after each call.
 */
export function deadlineSignal(parent: AbortSignal | undefined, ms: number): Deadline {
  const controller = new AbortController();
  if (parent?.aborted) {
    controller.abort(parent.reason);
    return { signal: controller.signal, clear: () => {} };
  }
  const onAbort = () => {
    clear();
    controller.abort(parent?.reason);
  };
  const timer = setTimeout(() => {
    clear();
    controller.abort(new DOMException('The operation timed out.', 'TimeoutError'));
  }, ms);
  parent?.addEventListener('abort', onAbort, { once: true });
  function clear(): void {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onAbort);
  }
  return { signal: controller.signal, clear };
}

/** Throws an `ABORTED` AssayError when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new AssayError('ABORTED', 'the operation was aborted', { cause: signal.reason });
  }
}

/** True when the error came from a timeout signal rather than a caller's abort. */
export function isTimeoutReason(reason: unknown): boolean {
  return reason instanceof DOMException && reason.name === 'TimeoutError';
}

/** Resolves after `ms`, or rejects when the signal aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Settles as `work` does, or rejects with the signal's reason as soon as the signal aborts,
 * even when `work` ignores the signal and never settles (a stuck tool, a DNS lookup, a read
 * from a terminal). `work` given as a function is not started at all once the signal has fired.
 */
export function raceAbort<T>(
  work: Promise<T> | (() => Promise<T>),
  signal: AbortSignal | undefined,
): Promise<T> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  const promise = typeof work === 'function' ? work() : work;
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
