import type { TraceRecord } from '../../trace/schema.js';

/** Rewards at or above this count as correct (rewards are 0 or 1 from the built-in verifiers). */
export const CORRECT_THRESHOLD = 0.5;

export function isCorrect(record: TraceRecord): boolean {
  return record.reward !== null && record.reward >= CORRECT_THRESHOLD;
}

export function isInfraError(record: TraceRecord): boolean {
  return record.error?.class === 'infra';
}

/**
 * Keeps the last attempt of each (task, arm, sample_index): infra retries append a new line
 * with a higher `attempt`, and only the newest one counts. For equal attempts the later line
 * wins. Records without a task or arm (plain `assay run` traces) are left out.
 */
export function latestAttempts(records: readonly TraceRecord[]): TraceRecord[] {
  const latest = new Map<string, TraceRecord>();
  for (const record of records) {
    if (record.task_id === null || record.arm === null) continue;
    const key = JSON.stringify([record.task_id, record.arm, record.sample_index]);
    const seen = latest.get(key);
    if (seen === undefined || record.attempt >= seen.attempt) latest.set(key, record);
  }
  return [...latest.values()];
}

/** Accuracy of one task in one arm over its scored samples; null when none is scored. */
export function taskAccuracy(samples: readonly TraceRecord[] | undefined): number | null {
  if (samples === undefined) return null;
  let scored = 0;
  let correct = 0;
  for (const record of samples) {
    if (record.reward === null) continue;
    scored++;
    if (isCorrect(record)) correct++;
  }
  return scored === 0 ? null : correct / scored;
}
