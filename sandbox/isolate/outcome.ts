import { safeJsonParse } from '../../src/core/json.js';
import type { IsolateRunError } from './errors.js';

/* The shapes of an isolate run and the small pieces that build its outcome. */

export interface IsolateSessionOptions {
  /** Heap limit of the isolate in MB; isolated-vm's minimum is 8. */
  memoryMb: number;
}

export interface IsolateRunOptions {
  /** Wall-clock limit of the run. */
  timeoutMs: number;
  /** CPU-time limit of the run, measured by the isolate. */
  cpuMs: number;
  /** Bytes of `console` output kept; the value of the last expression is capped the same. */
  outputBytes: number;
  signal?: AbortSignal;
}

/** The value of the last expression: nothing, a JSON-safe copy, or the start of a too-large one. */
export type IsolateValue =
  | { kind: 'undefined' }
  | { kind: 'value'; value: unknown }
  | { kind: 'truncated'; preview: string };

export interface IsolateRunOutcome {
  ok: boolean;
  /** Null when the run failed. */
  value: IsolateValue | null;
  /** `console` output in call order, capped at `outputBytes`. */
  output: string;
  outputTruncated: boolean;
  error: IsolateRunError | null;
  cpuMs: number;
  wallMs: number;
  /** The isolate is gone (memory limit, CPU limit, abort): the next run needs a new session. */
  lost: boolean;
}

/** The error of a run the host stopped itself, by destroying the isolate or giving up waiting. */
export function killedError(
  why: 'TIMEOUT' | 'CPU_LIMIT' | 'ABORTED',
  options: IsolateRunOptions,
): IsolateRunError {
  switch (why) {
    case 'TIMEOUT':
      return {
        code: 'TIMEOUT',
        message: `The code ran past its time limit of ${seconds(options.timeoutMs)} and was stopped.`,
      };
    case 'CPU_LIMIT':
      return {
        code: 'CPU_LIMIT',
        message: `The code used more than ${seconds(options.cpuMs)} of CPU time and was stopped.`,
      };
    case 'ABORTED':
      return { code: 'ABORTED', message: 'The run was cancelled.' };
  }
}

export function seconds(ms: number): string {
  return `${Math.round(ms) / 1000} s`;
}

export const NEVER_SETTLED = Symbol('never settled');

/** A promise the code returned may never settle (there are no timers in the isolate to settle it). */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(NEVER_SETTLED), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export function parseValue(json: unknown): IsolateValue {
  if (typeof json !== 'string') return { kind: 'undefined' };
  const parsed = safeJsonParse(json);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null)
    return { kind: 'undefined' };
  const record = parsed.value as Record<string, unknown>;
  if (record['kind'] === 'value' && Object.hasOwn(record, 'value'))
    return { kind: 'value', value: record['value'] };
  if (record['kind'] === 'truncated' && typeof record['preview'] === 'string') {
    return { kind: 'truncated', preview: record['preview'] };
  }
  return { kind: 'undefined' };
}

/** The message of what the code threw, when `run` described a throw instead of a value. */
export function parseThrown(json: unknown): string | null {
  if (typeof json !== 'string') return null;
  const parsed = safeJsonParse(json);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null) return null;
  const record = parsed.value as Record<string, unknown>;
  return record['kind'] === 'error' && typeof record['message'] === 'string'
    ? record['message']
    : null;
}
