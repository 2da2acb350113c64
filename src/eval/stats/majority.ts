import type { TraceRecord } from '../../trace/schema.js';
import { compact, normalizeAnswer } from '../verifiers/math/normalize.js';
import { parseNumberLiteral } from '../verifiers/math/numbers.js';
import { isCorrect } from './samples.js';

/**
 * maj@k for one task: a vote over the extracted answers of its first k scored samples (by
 * sample_index). Answers are grouped by a normalized key (`vote key`); samples with no
 * extracted answer do not vote. The winner is the most frequent key; a tie goes to the key
 * that appeared first (lowest sample_index), so the result never depends on hash order. The
 * vote is correct when the winner's first sample was correct; with no votes it is wrong.
 */
export function majorityCorrect(scoredSamples: readonly TraceRecord[], k: number): boolean {
  const votes = new Map<string, { count: number; first: number; correct: boolean }>();
  let order = 0;
  for (const record of scoredSamples.slice(0, k)) {
    const extracted = record.verifier?.extracted ?? null;
    order++;
    if (extracted === null) continue;
    const key = voteKey(extracted);
    const vote = votes.get(key);
    if (vote === undefined) votes.set(key, { count: 1, first: order, correct: isCorrect(record) });
    else vote.count++;
  }
  let best: { count: number; first: number; correct: boolean } | undefined;
  for (const vote of votes.values()) {
    if (
      best === undefined ||
      vote.count > best.count ||
      (vote.count === best.count && vote.first < best.first)
    ) {
      best = vote;
    }
  }
  return best?.correct ?? false;
}

/**
 * maj@k for one task as a rate: the share of its disjoint windows of k consecutive scored
 * samples (by sample_index) whose vote is correct; samples past the last full window are
 * left out. Voting over every window, not only the first, uses all n samples, so maj@1 is the
 * task's share of correct samples and equals pass@1, as it must (one vote is one sample).
 */
export function majorityRate(scoredSamples: readonly TraceRecord[], k: number): number {
  const windows = Math.floor(scoredSamples.length / k);
  if (windows === 0) return 0;
  let correct = 0;
  for (let w = 0; w < windows; w++) {
    if (majorityCorrect(scoredSamples.slice(w * k, (w + 1) * k), k)) correct++;
  }
  return correct / windows;
}

// Samples of one suite repeat the same few answers; normalizing each once keeps maj@k cheap.
const keyCache = new Map<string, string>();
const KEY_CACHE_LIMIT = 50_000;

/** `$1,000.50` and `1000.5` vote together; so do `\dfrac{1}{2}` and `\frac{1}{2}`. */
export function voteKey(extracted: string): string {
  const cached = keyCache.get(extracted);
  if (cached !== undefined) return cached;
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
  const key = computeVoteKey(extracted);
  keyCache.set(extracted, key);
  return key;
}

function computeVoteKey(extracted: string): string {
  const text = compact(normalizeAnswer(extracted));
  const literal = parseNumberLiteral(text);
  if (literal === null) return text.toLowerCase();
  const value = literal.integer !== null ? literal.integer.toString() : String(literal.value);
  return literal.percent ? `${value}%` : value;
}
