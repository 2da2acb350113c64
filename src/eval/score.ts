import { AssayError, errorMessage, UsageError } from '../core/errors.js';
import type { TraceRecord } from '../trace/schema.js';
import type { Task } from './task-schema.js';
import { getVerifier } from './verifiers/registry.js';
import type { VerifierContext } from './verifiers/types.js';

/** Error classes that mean the episode never got a fair chance: not scored, never a zero. */
const UNSCORABLE_CLASSES = new Set(['infra', 'harness']);

/**
 * Scores one trace record with its task's verifier and returns a new record with `reward`
 * and `verifier` set. The reward is 1 or 0 when the verifier decides; it is null when the
 * episode ended in an infrastructure or harness error, was aborted, or the verifier could not
 * score. A verifier that crashes leaves the record intact with reward null and an error of
 * class `verifier`; a sandbox failure while verifying gives an error of class `infra`.
 * Rescoring a record whose earlier scoring crashed clears that error.
 */
export async function scoreRecord(
  record: TraceRecord,
  task: Task,
  ctx: VerifierContext = {},
): Promise<TraceRecord> {
  if (record.task_id !== null && record.task_id !== task.id) {
    throw new UsageError(
      'INPUT_INVALID',
      `trace ${record.trace_id} is for task "${record.task_id}", not "${task.id}"`,
    );
  }
  const verifier = getVerifier(task.verifier);
  const previousError = record.error?.class === 'verifier' ? null : record.error;
  const base: TraceRecord = { ...record, error: previousError };
  if (!isScorable(base)) {
    return { ...base, reward: null, verifier: null };
  }
  try {
    const result = await verifier.verify(task, record.final_answer, ctx);
    return {
      ...base,
      reward: result.correct === null ? null : result.correct ? 1 : 0,
      verifier: { name: verifier.name, version: verifier.version, ...result },
    };
  } catch (error) {
    if (error instanceof AssayError && error.code === 'ABORTED') throw error;
    const errorClass =
      error instanceof AssayError && error.errorClass === 'infra' ? 'infra' : 'verifier';
    const code = error instanceof AssayError ? error.code : 'VERIFIER_FAILED';
    return {
      ...base,
      reward: null,
      verifier: {
        name: verifier.name,
        version: verifier.version,
        extracted: null,
        expected: task.answer ?? null,
        correct: null,
        details: { error: errorMessage(error) },
      },
      error: { class: errorClass, code, message: errorMessage(error) },
    };
  }
}

/** False for episodes that ended for reasons that are not the model's (see `scoreRecord`). */
export function isScorable(record: TraceRecord): boolean {
  if (record.error !== null && UNSCORABLE_CLASSES.has(record.error.class)) return false;
  return record.outcome.status !== 'aborted';
}
