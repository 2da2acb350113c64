import { isPlainObject } from '../core/json.js';
import {
  byteIds,
  byteLogprob,
  renderCompletionText,
  renderPrompt,
  withTokenIds,
} from './byte-tokens.js';
import type { WireFormat } from './script.js';

/**
 * How the scripted server returns token ids, per imitated back end, with the byte "tokenizer"
 * of byte-tokens.ts. Each shape follows the real server (tests/fixtures/token-wire/ holds a
 * sample of each, citing the source read): vLLM's `return_token_ids`, SGLang's
 * `return_prompt_token_ids` + `return_meta_info`, llama.cpp's `logprobs` with token `id`s.
 */
type Json = Record<string, unknown>;

/** Why the real server refuses this request for ids, or null when it does not. */
export function tokenRefusal(wire: WireFormat, body: Json): string | null {
  if (body['stream'] !== true) return null;
  // SGLang's serving_chat: the prompt ids come only in a whole response.
  if (wire === 'sglang' && body['return_prompt_token_ids'] === true) {
    return 'return_prompt_token_ids is not supported with streaming. Please set stream=false when using return_prompt_token_ids=true.';
  }
  // llama.cpp's server-common.cpp refuses logprobs on a streamed request with tools.
  if (wire === 'llamacpp' && body['logprobs'] === true && Array.isArray(body['tools'])) {
    return 'logprobs is not supported with tools + stream';
  }
  return null;
}

/** A whole `chat.completion` with the token fields `wire` adds when asked; else `completion`. */
export function wholeWithTokens(
  wire: WireFormat,
  completion: Json,
  messages: readonly unknown[],
  body: Json,
): Json {
  const logprobs = body['logprobs'] === true;
  if (wire === 'vllm' && body['return_token_ids'] === true) {
    return withTokenIds(completion, messages, logprobs);
  }
  const choices = Array.isArray(completion['choices']) ? completion['choices'] : [];
  const choice = choices[0];
  if (!isPlainObject(choice) || !isPlainObject(choice['message'])) return completion;
  const ids = byteIds(renderCompletionText(choice['message']));
  const entries = ids.map((id, i) => logprobEntry(id, i, wire === 'llamacpp'));
  let extra: Json | null = null;
  if (wire === 'sglang' && body['return_meta_info'] === true) {
    extra = {
      ...(logprobs ? { logprobs: { content: entries } } : {}),
      meta_info: {
        id: completion['id'],
        finish_reason: { type: 'stop' },
        prompt_tokens: 0,
        completion_tokens: ids.length,
        ...(logprobs
          ? { output_token_logprobs: ids.map((id, i) => [byteLogprob(i), id, null]) }
          : {}),
      },
    };
    if (body['return_prompt_token_ids'] === true) {
      extra['prompt_token_ids'] = byteIds(renderPrompt(messages));
    }
  } else if (wire === 'llamacpp' && logprobs) {
    extra = { logprobs: { content: entries } };
  }
  if (extra === null) return completion;
  return { ...completion, choices: [{ ...choice, ...extra }, ...choices.slice(1)] };
}

/**
 * vLLM's streamed ids: the prompt's ids on the first chunk, the sampled ids spread over the
 * chunks that carry a choice (each with its logprobs), so that they add up to the completion.
 */
export function streamedWithTokens(
  chunks: Json[],
  completion: Json,
  messages: readonly unknown[],
  body: Json,
): Json[] {
  const message = firstMessage(completion);
  if (!message || body['return_token_ids'] !== true) return chunks;
  const ids = byteIds(renderCompletionText(message));
  const carriers = chunks.filter(
    (chunk) => Array.isArray(chunk['choices']) && chunk['choices'].length > 0,
  );
  const share = Math.ceil(ids.length / Math.max(1, carriers.length));
  let next = 0;
  const prompt = byteIds(renderPrompt(messages));
  return chunks.map((chunk, index) => {
    let out: Json = index === 0 ? { ...chunk, prompt_token_ids: prompt } : chunk;
    // vLLM's usage counts the same tokens it returns ids for.
    if (isPlainObject(out['usage'])) {
      const usage = { prompt_tokens: prompt.length, completion_tokens: ids.length };
      out = { ...out, usage: { ...usage, total_tokens: prompt.length + ids.length } };
    }
    if (!carriers.includes(chunk)) return out;
    const last = chunk === carriers.at(-1);
    const slice = ids.slice(next, last ? ids.length : next + share);
    const start = next;
    next += slice.length;
    const choices = out['choices'] as Json[];
    const choice: Json = { ...choices[0], token_ids: slice };
    if (body['logprobs'] === true) {
      choice['logprobs'] = { content: slice.map((id, i) => logprobEntry(id, start + i, false)) };
    }
    return { ...out, choices: [choice, ...choices.slice(1)] };
  });
}

function firstMessage(completion: Json): Json | undefined {
  const choices = Array.isArray(completion['choices']) ? completion['choices'] : [];
  const choice = choices[0];
  return isPlainObject(choice) && isPlainObject(choice['message']) ? choice['message'] : undefined;
}

/** An OpenAI `logprobs.content` entry for a byte token; llama.cpp adds the token's `id`. */
function logprobEntry(id: number, i: number, withId: boolean): Json {
  const token = Buffer.from([id]).toString('latin1');
  return {
    ...(withId ? { id } : {}),
    token: withId ? token : `token_id:${id}`,
    bytes: [id],
    logprob: byteLogprob(i),
    top_logprobs: [{ ...(withId ? { id } : {}), token, bytes: [id], logprob: byteLogprob(i) }],
  };
}
