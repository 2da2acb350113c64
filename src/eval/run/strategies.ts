import type { ChatMessage } from '../../core/messages.js';
import type { ModelProvider } from '../../core/provider.js';
import type { TraceRecord } from '../../trace/schema.js';
import { voteKey } from '../stats/majority.js';
import { isInfraError } from '../stats/samples.js';
import type { Task } from '../task-schema.js';
import { taskMessages } from '../task-schema.js';
import type { VerifierContext } from '../verifiers/types.js';
import { type ServerN, sharedFirstTurn } from './first-turns.js';
import { visibleFeedback } from './refine-feedback.js';
import { type Strategy, strategyParams } from './strategy-spec.js';

/**
 * What each underlying episode of a strategy arm carries as `strategy` in its trace line
 * (docs/trace.md): which decision it belongs to, its role and index in it, and the decision.
 */
export interface StrategyTag {
  name: Exclude<Strategy['name'], 'single'>;
  params: Record<string, string | number>;
  /** `sample` (vote, best), `judge` (best) or `round` (refine; round 0 is the first answer). */
  role: 'sample' | 'judge' | 'round';
  index: number;
  decision_id: string;
  decision?: Decision;
  /** refine:R:tests: how the task's visible tests went on this round's answer, when run. */
  visible_tests?: { passed: boolean; exit_code: number | null; error?: string };
}

/** The arm's task-level answer, built from its episodes; written on every line of the decision. */
export interface Decision {
  /** Episodes (trace lines) of the decision, retried attempts included. */
  episodes: number;
  answer: string | null;
  /** The verifier's reading of `answer`, the vote key's source. */
  extracted: string | null;
  reward: number | null;
  /** The `strategy.index` of the sample or round whose answer was taken; null with none. */
  chosen: number | null;
  model_calls: number;
  tokens: number;
  /** vote: how many samples voted for the answer taken. */
  votes?: number;
  /** best: whether the judge's reply named a candidate (else the first candidate is taken). */
  judge_valid?: boolean;
  /** best: some candidate was correct (pass@N, the oracle's choice: never the arm's accuracy). */
  oracle_correct?: boolean;
  /**
   * refine: `kept_answer` (the model stood by its answer), `rounds` (R rounds were used),
   * `no_answer`, and with `:tests` `visible_passed` (nothing left to fix) or
   * `feedback_error` (the visible tests could not be run; the last answer stands).
   */
  stopped?: 'kept_answer' | 'rounds' | 'no_answer' | 'visible_passed' | 'feedback_error';
}

/** Runs and scores one episode (with its infra retries); null when the run was aborted. */
export type RunScored = (input: {
  messages: ChatMessage[];
  useTools: boolean;
  seedOffset: number;
  tag: StrategyTag;
  /** false for a judge: its reward is the chosen candidate's, not a verdict on "2". */
  score: boolean;
  /** The model for this episode, when not the run's (a sample sharing an `n` request). */
  model?: ModelProvider;
}) => Promise<TraceRecord[] | null>;

export interface DecisionResult {
  records: TraceRecord[];
  decision: Decision;
}

/** What a decision needs besides episodes: the verifiers' context (`refine:R:tests`). */
export interface DecisionContext {
  verifierContext?: VerifierContext;
  /**
   * The run's model and what its server does with `n`: given both, the samples of a vote or
   * best-of-n share one first request with `n = K` (first-turns.ts).
   */
  model?: ModelProvider;
  serverN?: ServerN;
}

export { testsFeedbackPrompt } from './refine-feedback.js';
export { refuseStrategyWorkspaces, refuseTestsFeedbackWithout } from './strategy-checks.js';

export const REFINE_PROMPT =
  'Review your answer above. Check each step for mistakes. If it is correct, state the same final answer again; if not, give the corrected final answer.';

/**
 * Runs one task-level decision of a strategy arm: K voted samples, N samples and a judge,
 * or up to R refinement rounds. Samples run in parallel (each episode still takes a slot of
 * `--concurrency` in `runScored`); rounds run one after another.
 */
export async function runDecision(
  strategy: Exclude<Strategy, { name: 'single' }>,
  task: Task,
  decisionId: string,
  runScored: RunScored,
  context: DecisionContext = {},
): Promise<DecisionResult | null> {
  const tag = (role: StrategyTag['role'], index: number): StrategyTag => ({
    name: strategy.name,
    params: strategyParams(strategy),
    role,
    index,
    decision_id: decisionId,
  });
  switch (strategy.name) {
    case 'vote':
    case 'best': {
      const count = strategy.name === 'vote' ? strategy.k : strategy.n;
      const models =
        context.model && context.serverN
          ? sharedFirstTurn(context.model, count, context.serverN)
          : undefined;
      const runs = await Promise.all(
        Array.from({ length: count }, (_, i) =>
          runScored({
            messages: taskMessages(task),
            useTools: true,
            seedOffset: i,
            tag: tag('sample', i),
            score: true,
            ...(models ? { model: models[i]! } : {}),
          }),
        ),
      );
      if (runs.some((r) => r === null)) return null;
      const attempts = runs as TraceRecord[][];
      const samples = attempts.map((list) => list.at(-1)!);
      if (strategy.name === 'vote') {
        return finish(attempts.flat(), voteDecision(samples));
      }
      return bestOfN(task, samples, attempts.flat(), tag('judge', count), runScored);
    }
    case 'refine':
      return refine(strategy, task, tag, runScored, context);
  }
}

/**
 * Majority vote: answers are grouped by the vote key of the verifier's extracted answer
 * (the same normalization maj@k uses: `1,000` and `1000.0` vote together). Samples with no
 * extracted answer or an infra error do not vote. The most votes wins; a tie goes to the
 * answer whose first vote came earliest (lowest sample index).
 */
export function voteDecision(samples: readonly TraceRecord[]): Partial<Decision> {
  const tally = new Map<string, { votes: number; first: TraceRecord; index: number }>();
  samples.forEach((record, index) => {
    const extracted = record.verifier?.extracted ?? null;
    if (extracted === null || isInfraError(record)) return;
    const key = voteKey(extracted);
    const seen = tally.get(key);
    if (seen) seen.votes++;
    else tally.set(key, { votes: 1, first: record, index });
  });
  let best: { votes: number; first: TraceRecord; index: number } | undefined;
  for (const entry of tally.values()) {
    if (
      !best ||
      entry.votes > best.votes ||
      (entry.votes === best.votes && entry.index < best.index)
    ) {
      best = entry;
    }
  }
  if (!best) return noAnswer(samples);
  return {
    answer: best.first.final_answer,
    extracted: best.first.verifier?.extracted ?? null,
    reward: best.first.reward,
    chosen: best.index,
    votes: best.votes,
  };
}

/** No usable answer: wrong (reward 0) unless every episode was an infra error (unscored). */
function noAnswer(records: readonly TraceRecord[]): Partial<Decision> {
  const allInfra = records.length > 0 && records.every(isInfraError);
  return { answer: null, extracted: null, reward: allInfra ? null : 0, chosen: null };
}

const CANDIDATE_CHARS = 4000;

async function bestOfN(
  task: Task,
  samples: readonly TraceRecord[],
  all: TraceRecord[],
  judgeTag: StrategyTag,
  runScored: RunScored,
): Promise<DecisionResult | null> {
  const candidates = samples
    .map((record, index) => ({ record, index }))
    .filter(({ record }) => record.final_answer !== null && !isInfraError(record));
  const oracle = candidates.some(({ record }) => (record.reward ?? 0) >= 0.5);
  if (candidates.length === 0) return finish(all, { ...noAnswer(samples), oracle_correct: false });
  let pick = candidates[0]!;
  let judgeValid = true;
  let judge: TraceRecord[] = [];
  // One candidate leaves nothing to judge; asking would only spend tokens.
  if (candidates.length > 1) {
    const problem = taskMessages(task)
      .filter((m) => m.role === 'user')
      .map((m) => m.content)
      .join('\n');
    const listing = candidates
      .map(({ record }, i) => `[${i + 1}] ${record.final_answer!.slice(0, CANDIDATE_CHARS)}`)
      .join('\n\n');
    const prompt = `Problem:\n${problem}\n\nCandidate answers:\n${listing}\n\nWhich candidate answers the problem correctly? Reply with the candidate's number only.`;
    const run = await runScored({
      messages: [{ role: 'user', content: prompt }],
      useTools: false,
      seedOffset: samples.length,
      tag: judgeTag,
      score: false,
    });
    if (run === null) return null;
    judge = run;
    const reply = run.at(-1)!.final_answer ?? '';
    const number = Number(/\d+/.exec(reply)?.[0] ?? Number.NaN);
    const named = candidates[number - 1];
    if (named) pick = named;
    else judgeValid = false;
    // The judge's own reward is the reward of what it picked: a rollout RL can learn from.
    for (const record of judge) {
      if (!isInfraError(record)) record.reward = judgeValid ? pick.record.reward : 0;
    }
  }
  return finish([...all, ...judge], {
    answer: pick.record.final_answer,
    extracted: pick.record.verifier?.extracted ?? null,
    reward: pick.record.reward,
    chosen: pick.index,
    judge_valid: judgeValid,
    oracle_correct: oracle,
  });
}

async function refine(
  strategy: Extract<Strategy, { name: 'refine' }>,
  task: Task,
  tag: (role: StrategyTag['role'], index: number) => StrategyTag,
  runScored: RunScored,
  context: DecisionContext,
): Promise<DecisionResult | null> {
  const all: TraceRecord[] = [];
  let messages = taskMessages(task);
  let current: { record: TraceRecord; index: number } | undefined;
  let stopped: Decision['stopped'] = 'rounds';
  for (let round = 0; round <= strategy.rounds; round++) {
    const roundTag = tag('round', round);
    const run = await runScored({
      messages,
      // Round 0 is the arm's normal answer; review rounds get tools only with `:tools`.
      useTools: round === 0 || strategy.feedback === 'tools',
      seedOffset: round,
      tag: roundTag,
      score: true,
    });
    if (run === null) return null;
    all.push(...run);
    const record = run.at(-1)!;
    if (record.final_answer === null || isInfraError(record)) {
      stopped = 'no_answer';
      break;
    }
    const previous = current;
    current = { record, index: round };
    if (previous && sameAnswer(previous.record, record)) {
      stopped = 'kept_answer';
      break;
    }
    if (round === strategy.rounds) break;
    let review = REFINE_PROMPT;
    if (strategy.feedback === 'tests') {
      const feedback = await visibleFeedback(task, record, context);
      roundTag.visible_tests = feedback.result;
      if (feedback.stop) {
        stopped = feedback.stop;
        break;
      }
      review = feedback.prompt;
    }
    messages = [
      ...record.messages.filter((m) => m.role !== 'system'),
      { role: 'user', content: review },
    ] as ChatMessage[];
  }
  if (!current) return finish(all, { ...noAnswer(all), stopped });
  return finish(all, {
    answer: current.record.final_answer,
    extracted: current.record.verifier?.extracted ?? null,
    reward: current.record.reward,
    chosen: current.index,
    stopped,
  });
}

function sameAnswer(a: TraceRecord, b: TraceRecord): boolean {
  const x = a.verifier?.extracted ?? null;
  const y = b.verifier?.extracted ?? null;
  if (x !== null && y !== null) return voteKey(x) === voteKey(y);
  return (a.final_answer ?? '').trim() === (b.final_answer ?? '').trim();
}

function finish(records: TraceRecord[], partial: Partial<Decision>): DecisionResult {
  let tokens = 0;
  let calls = 0;
  for (const r of records) {
    tokens += r.usage.prompt_tokens + r.usage.completion_tokens;
    calls += modelCalls(r);
  }
  const decision: Decision = {
    episodes: records.length,
    answer: partial.answer ?? null,
    extracted: partial.extracted ?? null,
    reward: partial.reward ?? null,
    chosen: partial.chosen ?? null,
    model_calls: calls,
    tokens,
    ...partial,
  };
  return { records, decision };
}

/** Model requests of one episode: its recorded turns. */
export function modelCalls(record: TraceRecord): number {
  const turns = (record as { turns?: unknown }).turns;
  return Array.isArray(turns) ? turns.length : 0;
}
