import { tokensExtend } from '../../model/token-ids.js';
import type { TraceMessage, TraceRecord } from '../../trace/schema.js';

/** The token record of one assistant turn (`--record-tokens`), as the trace stores it. */
export interface TurnTokens {
  /** Null where the server returned none (llama.cpp's server). */
  prompt_ids: number[] | null;
  completion_ids: number[];
  /** One per completion id; null where the model server returned none. */
  logprobs: number[] | null;
}

export function turnTokens(message: TraceMessage): TurnTokens | null {
  if (message.role !== 'assistant') return null;
  const tokens = (message as Record<string, unknown>)['tokens'];
  if (tokens === undefined || tokens === null || typeof tokens !== 'object') return null;
  return tokens as TurnTokens;
}

/**
 * A `tokens` row: the first prompt's ids, then every later token (the model's and what the
 * harness fed back: tool results, templates' turn markers), `completion_mask` 1 exactly on the
 * tokens the model sampled, their logprobs (0 elsewhere, and 0 where the server sent none),
 * and the reward and group for GRPO. Null when the record has no token ids, a turn has no
 * prompt ids, or its turns do not extend each other.
 */
export function toTokens(record: TraceRecord): Record<string, unknown> | null {
  const turns = record.messages.map(turnTokens).filter((t): t is TurnTokens => t !== null);
  if (turns.length === 0 || tokensExtend(turns) !== true) return null;
  const last = turns.at(-1)!;
  const all = [...last.prompt_ids!, ...last.completion_ids];
  const start = turns[0]!.prompt_ids!.length;
  const mask = new Array<number>(all.length - start).fill(0);
  const logprobs = new Array<number>(all.length - start).fill(0);
  for (const turn of turns) {
    const offset = turn.prompt_ids!.length - start;
    turn.completion_ids.forEach((_, i) => {
      mask[offset + i] = 1;
      logprobs[offset + i] = turn.logprobs?.[i] ?? 0;
    });
  }
  return {
    prompt_ids: all.slice(0, start),
    completion_ids: all.slice(start),
    completion_mask: mask,
    completion_logprobs: logprobs,
    reward: record.reward,
    group_id: record.group_id,
    task_id: record.task_id,
    arm: record.arm,
    sample_index: record.sample_index,
    trace_id: record.trace_id,
  };
}
