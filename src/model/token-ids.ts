import { isPlainObject } from '../core/json.js';
import type { StepTokens } from '../core/provider.js';

/** The request fields that make vLLM (and SGLang's OpenAI server) return token ids and logprobs. */
export const TOKEN_REQUEST_FIELDS = { return_token_ids: true, logprobs: true } as const;

const isIds = (value: unknown): value is number[] =>
  Array.isArray(value) && value.every((v) => Number.isInteger(v));

/**
 * Token ids from a non-streaming `chat.completion` body in vLLM's shape: `prompt_token_ids` on
 * the body, `token_ids` on the choice, `logprobs.content[].logprob` per sampled token. Null
 * when the server sent no ids (it does not support `return_token_ids`).
 */
export function tokensFromCompletion(body: unknown): StepTokens | null {
  if (!isPlainObject(body) || !Array.isArray(body['choices'])) return null;
  const choice = body['choices'][0];
  if (!isPlainObject(choice)) return null;
  const prompt = body['prompt_token_ids'] ?? choice['prompt_token_ids'];
  const completion = choice['token_ids'];
  if (!isIds(prompt) || !isIds(completion)) return null;
  return {
    prompt_ids: prompt,
    completion_ids: completion,
    logprobs: logprobsOf(choice, completion.length),
  };
}

function logprobsOf(choice: Record<string, unknown>, count: number): number[] | null {
  const logprobs = choice['logprobs'];
  if (!isPlainObject(logprobs) || !Array.isArray(logprobs['content'])) return null;
  const values = logprobs['content'].map((entry) =>
    isPlainObject(entry) && typeof entry['logprob'] === 'number' ? entry['logprob'] : Number.NaN,
  );
  return values.length === count && values.every(Number.isFinite) ? values : null;
}

/**
 * True when every turn's prompt starts with the previous turn's prompt and completion, so the
 * last turn's prompt + completion is the whole episode as the model saw and wrote it. A chat
 * template that re-renders history differently (drops reasoning, re-formats a tool call)
 * breaks this; such an episode cannot be trained on as one sequence.
 */
export function tokensExtend(turns: readonly StepTokens[]): boolean {
  for (let i = 1; i < turns.length; i++) {
    const previous = [...turns[i - 1]!.prompt_ids, ...turns[i - 1]!.completion_ids];
    const prompt = turns[i]!.prompt_ids;
    if (prompt.length < previous.length) return false;
    for (let j = 0; j < previous.length; j++) if (prompt[j] !== previous[j]) return false;
  }
  return true;
}
