import type { TraceRecord } from '../../trace/schema.js';
import { type Decision, type StrategyTag, voteDecision } from '../run/strategies.js';
import { reportedKs } from './pass-at-k.js';

/** The `strategy` field of a strategy arm's trace line, when it has one. */
export function strategyOf(record: TraceRecord): StrategyTag | undefined {
  const tag = (record as { strategy?: unknown }).strategy;
  return typeof tag === 'object' && tag !== null && 'decision_id' in tag
    ? (tag as StrategyTag)
    : undefined;
}

/**
 * Turns the episodes of strategy arms into one record per task-level decision, so that
 * accuracy, intervals, pass@k and paired tests count decisions, not episodes. A decision
 * whose lines are not all in the file (a run killed while writing them) is left out, so a
 * resumed run redoes it. The record is the chosen episode's, with the decision's answer and
 * reward, the tokens of every episode summed, and `strategy.decision` kept for
 * model calls and the oracle. Lines of plain arms pass through unchanged.
 */
export function collapseDecisions(records: readonly TraceRecord[]): TraceRecord[] {
  const out: TraceRecord[] = [];
  const groups = new Map<string, TraceRecord[]>();
  for (const record of records) {
    const tag = strategyOf(record);
    if (tag === undefined) {
      out.push(record);
      continue;
    }
    const list = groups.get(tag.decision_id);
    if (list) list.push(record);
    else groups.set(tag.decision_id, [record]);
  }
  for (const list of groups.values()) {
    const decision = strategyOf(list[0]!)?.decision;
    if (decision === undefined || list.length < decision.episodes) continue;
    const record = decisionRecord(list, decision);
    const tag = strategyOf(list[0]!)!;
    if (tag.name === 'vote') {
      (record as { vote_curve?: VotePoint[] }).vote_curve = voteCurve(list);
    }
    out.push(record);
  }
  return out;
}

function decisionRecord(list: readonly TraceRecord[], decision: Decision): TraceRecord {
  const chosen =
    list.find((r) => {
      const tag = strategyOf(r)!;
      return tag.role !== 'judge' && tag.index === decision.chosen;
    }) ?? list[0]!;
  let prompt = 0;
  let completion = 0;
  for (const r of list) {
    prompt += r.usage.prompt_tokens;
    completion += r.usage.completion_tokens;
  }
  const unscored = decision.reward === null;
  return {
    ...chosen,
    attempt: Math.min(...list.map((r) => r.attempt)),
    final_answer: decision.answer,
    reward: decision.reward,
    error: unscored ? (list.find((r) => r.error !== null)?.error ?? chosen.error) : null,
    verifier:
      chosen.verifier === null ? null : { ...chosen.verifier, extracted: decision.extracted },
    usage: { prompt_tokens: prompt, completion_tokens: completion },
  };
}

/** One point of a vote decision replayed with its first k samples. */
export interface VotePoint {
  k: number;
  correct: boolean;
  tokens: number;
}

/**
 * The vote of a decision replayed with only its first k samples, k = 1, 2, 4, … K: the
 * curve of accuracy against tokens a `vote` arm traces, from the samples already drawn.
 */
function voteCurve(list: readonly TraceRecord[]): VotePoint[] {
  // The last attempt of each sample, in sample order.
  const bySample = new Map<number, TraceRecord>();
  for (const r of list) {
    const index = strategyOf(r)!.index;
    const seen = bySample.get(index);
    if (!seen || r.attempt >= seen.attempt) bySample.set(index, r);
  }
  const samples = [...bySample.entries()].sort(([a], [b]) => a - b).map(([, r]) => r);
  return reportedKs(samples.length).map((k) => {
    const first = samples.slice(0, k);
    let tokens = 0;
    for (const r of first) tokens += r.usage.prompt_tokens + r.usage.completion_tokens;
    return { k, correct: (voteDecision(first).reward ?? 0) >= 0.5, tokens };
  });
}

/** Model requests behind one (possibly collapsed) record. */
export function recordModelCalls(record: TraceRecord): number {
  const decision = strategyOf(record)?.decision;
  if (decision !== undefined) return decision.model_calls;
  const turns = (record as { turns?: unknown }).turns;
  return Array.isArray(turns) ? turns.length : 0;
}

/**
 * After `assay eval rescore`: recomputes each decision from its re-scored episodes without
 * new model calls. A vote is counted again; best-of-n keeps the judge's pick and takes its
 * new reward (the judge's line too), refine keeps the round it stopped at. Judge lines are
 * never scored by the verifier (their answer is a candidate number), so callers skip them.
 */
export function redecide(records: TraceRecord[]): TraceRecord[] {
  const groups = new Map<string, TraceRecord[]>();
  for (const record of records) {
    const tag = strategyOf(record);
    if (tag?.decision === undefined) continue;
    const list = groups.get(tag.decision_id) ?? [];
    list.push(record);
    groups.set(tag.decision_id, list);
  }
  for (const list of groups.values()) {
    const tag = strategyOf(list[0]!)!;
    const old = tag.decision!;
    const latest = new Map<string, TraceRecord>();
    for (const r of list) {
      const t = strategyOf(r)!;
      const key = `${t.role}:${t.index}`;
      const seen = latest.get(key);
      if (!seen || r.attempt >= seen.attempt) latest.set(key, r);
    }
    const samples = [...latest.values()]
      .filter((r) => strategyOf(r)!.role !== 'judge')
      .sort((a, b) => strategyOf(a)!.index - strategyOf(b)!.index);
    let next: Decision;
    if (tag.name === 'vote') {
      next = { ...old, ...voteDecision(samples) };
    } else {
      const chosen = samples.find((r) => strategyOf(r)!.index === old.chosen);
      next = {
        ...old,
        extracted: chosen?.verifier?.extracted ?? null,
        reward: chosen ? chosen.reward : old.reward,
      };
      if (tag.name === 'best') {
        next.oracle_correct = samples.some((r) => (r.reward ?? 0) >= 0.5);
        for (const r of list) {
          if (strategyOf(r)!.role === 'judge' && r.error?.class !== 'infra') {
            r.reward = old.judge_valid === false ? 0 : (next.reward ?? 0);
          }
        }
      }
    }
    for (const r of list) strategyOf(r)!.decision = next;
  }
  return records;
}
