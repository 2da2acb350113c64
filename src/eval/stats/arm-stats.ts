import type { TraceRecord } from '../../trace/schema.js';
import { recordModelCalls, strategyOf, type VotePoint } from './decisions.js';
import { majorityRate } from './majority.js';
import { passAtK, reportedKs } from './pass-at-k.js';
import { mean, percentile } from './percentile.js';
import type { ArmResults } from './results.js';
import { isCorrect, isInfraError } from './samples.js';
import { wilsonInterval } from './wilson.js';

/**
 * The per-arm summary. `finals` are the last attempts of the arm's samples (grouped by task);
 * `allAttempts` is every record of the arm, superseded retries included, so `tokens.total`
 * counts everything the run spent. Tool, token and latency means are over samples whose last
 * attempt was not an infrastructure error (an episode cut short by infra says little).
 */
export function armResults(
  finalsByTask: ReadonlyMap<string, readonly TraceRecord[]>,
  allAttempts: readonly TraceRecord[],
): ArmResults {
  const finals = [...finalsByTask.values()].flat();
  const scored = finals.filter((r) => r.reward !== null);
  const correct = scored.filter(isCorrect).length;
  const completed = finals.filter((r) => !isInfraError(r));
  const calls = completed.flatMap((r) => r.tool_calls);
  const executed = calls.filter((call) => call.policy === null || call.policy.decision === 'allow');
  const durations = completed.map((r) => r.timing.duration_ms);
  const oracle = finals.flatMap((r) => {
    const decision = strategyOf(r)?.decision;
    return decision?.oracle_correct === undefined || r.reward === null
      ? []
      : [decision.oracle_correct ? 1 : 0];
  });
  let totalTokens = 0;
  for (const r of allAttempts) totalTokens += r.usage.prompt_tokens + r.usage.completion_tokens;
  return {
    n: finals.length,
    scored: scored.length,
    infra_errors: finals.length - completed.length,
    accuracy: scored.length === 0 ? null : correct / scored.length,
    accuracy_ci95: wilsonInterval(correct, scored.length),
    raw_accuracy: finals.length === 0 ? null : correct / finals.length,
    ...repeatMetrics(finalsByTask),
    tool_calls_mean: mean(completed.map((r) => r.tool_calls.length)),
    tool_error_rate:
      executed.length === 0 ? null : executed.filter((c) => !c.result.ok).length / executed.length,
    denial_rate:
      calls.length === 0
        ? null
        : calls.filter((c) => c.policy?.decision === 'deny').length / calls.length,
    unrequested_calls: calls.filter((c) => c.policy?.decision === 'unrequested').length,
    tokens: {
      prompt_mean: mean(completed.map((r) => r.usage.prompt_tokens)),
      completion_mean: mean(completed.map((r) => r.usage.completion_tokens)),
      total: totalTokens,
    },
    latency_ms: {
      mean: mean(durations),
      p50: percentile(durations, 0.5),
      p95: percentile(durations, 0.95),
    },
    compute: {
      tokens_per_task_mean: mean(
        completed.map((r) => r.usage.prompt_tokens + r.usage.completion_tokens),
      ),
      model_calls_per_task_mean: mean(completed.map(recordModelCalls)),
    },
    ...(oracle.length > 0 ? { oracle_pass_at_n: mean(oracle) } : {}),
    ...voteCurveOf(finals),
  };
}

/**
 * pass@k and maj@k over tasks, for k in 1, 2, 4, … up to the most scored samples any task
 * has. A task counts for k only when it has at least k scored samples (as Inspect does); a k
 * no task reaches is left out.
 */
function repeatMetrics(
  finalsByTask: ReadonlyMap<string, readonly TraceRecord[]>,
): Pick<ArmResults, 'pass_at_k' | 'maj_at_k'> {
  const perTask = [...finalsByTask.values()].map((samples) =>
    samples.filter((r) => r.reward !== null),
  );
  const maxSamples = Math.max(0, ...perTask.map((s) => s.length));
  const pass: Record<string, number> = {};
  const maj: Record<string, number> = {};
  for (const k of reportedKs(maxSamples)) {
    const eligible = perTask.filter((s) => s.length >= k);
    if (eligible.length === 0) continue;
    let passSum = 0;
    let majSum = 0;
    for (const samples of eligible) {
      passSum += passAtK(samples.length, samples.filter(isCorrect).length, k);
      majSum += majorityRate(samples, k);
    }
    pass[String(k)] = passSum / eligible.length;
    maj[String(k)] = majSum / eligible.length;
  }
  return { pass_at_k: pass, maj_at_k: maj };
}

/** The mean of the decisions' replayed votes at each k (`vote` arms; scored decisions only). */
function voteCurveOf(finals: readonly TraceRecord[]): Pick<ArmResults, 'vote_curve'> {
  const byK = new Map<number, { correct: number; tokens: number; n: number }>();
  for (const record of finals) {
    if (record.reward === null) continue;
    const curve = (record as { vote_curve?: VotePoint[] }).vote_curve;
    for (const point of curve ?? []) {
      const at = byK.get(point.k) ?? { correct: 0, tokens: 0, n: 0 };
      at.n++;
      at.tokens += point.tokens;
      if (point.correct) at.correct++;
      byK.set(point.k, at);
    }
  }
  if (byK.size === 0) return {};
  return {
    vote_curve: [...byK.entries()]
      .sort(([a], [b]) => a - b)
      .map(([k, at]) => ({
        k,
        accuracy: at.correct / at.n,
        tokens_per_task_mean: at.tokens / at.n,
      })),
  };
}
