import type { TraceRecord } from '../../trace/schema.js';
import { isCorrect, latestAttempts } from './samples.js';

/** One sample's verdict as `results.json` lists it: what was extracted and why it scored so. */
export interface SampleResult {
  task_id: string;
  arm: string;
  sample_index: number;
  trace_id: string;
  verdict: 'correct' | 'wrong' | 'infra error' | 'not scored';
  reward: number | null;
  extracted: string | null;
  expected: string | null;
  explanation: string | null;
}

/** The last attempt of every (task, arm, sample), ordered by task, arm and sample index. */
export function sampleResults(records: readonly TraceRecord[]): SampleResult[] {
  return latestAttempts(records)
    .map((record) => ({
      task_id: record.task_id!,
      arm: record.arm!,
      sample_index: record.sample_index,
      trace_id: record.trace_id,
      verdict: verdictOf(record),
      reward: record.reward,
      extracted: record.verifier?.extracted ?? null,
      expected: record.verifier?.expected ?? null,
      explanation: explanationOf(record),
    }))
    .sort(
      (a, b) =>
        compare(a.task_id, b.task_id) || compare(a.arm, b.arm) || a.sample_index - b.sample_index,
    );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function verdictOf(record: TraceRecord): SampleResult['verdict'] {
  if (record.error?.class === 'infra') return 'infra error';
  if (record.reward === null) return 'not scored';
  return isCorrect(record) ? 'correct' : 'wrong';
}

/** The verifier's own sentence, or one made from its details and the record's error. */
function explanationOf(record: TraceRecord): string | null {
  const verifier = record.verifier;
  if (record.error !== null && (verifier === null || verifier.correct === null))
    return `${record.error.class} error ${record.error.code}: ${record.error.message}`;
  if (verifier === null) return null;
  if (typeof verifier['explanation'] === 'string') return verifier['explanation'];
  const { reason, method } = verifier.details;
  if (typeof reason === 'string') return reason;
  if (typeof method === 'string') return `read as ${method}`;
  return null;
}
