import { isPlainObject } from '../core/json.js';

/**
 * The scripted server's stand-in for a tokenizer and chat template, so that tests can check
 * token-exact traces end to end: a ChatML rendering of the messages, tokenized as UTF-8 bytes
 * (id = byte value). Decoding is `Buffer.from(ids).toString('utf8')`. An assistant turn renders
 * as its content and its calls, `<tool_call>{"name": …, "arguments": …}</tool_call>`, so a turn's
 * prompt extends the previous prompt + completion exactly as long as the client sends the turn
 * back unchanged; reasoning is sampled but, as in Qwen3's template, not rendered back.
 */
export const IM_START = '<|im_start|>';
export const IM_END = '<|im_end|>';

type Json = Record<string, unknown>;

export function byteIds(text: string): number[] {
  return [...Buffer.from(text, 'utf8')];
}

export function decodeByteIds(ids: readonly number[]): string {
  return Buffer.from(ids).toString('utf8');
}

function assistantBody(content: string, calls: readonly { name: string; arguments: string }[]) {
  const rendered = calls.map(
    (call) =>
      `<tool_call>{"name": ${JSON.stringify(call.name)}, "arguments": ${call.arguments}}</tool_call>`,
  );
  return [content, ...rendered].filter((part) => part !== '').join('\n');
}

function callsOf(message: Json): { name: string; arguments: string }[] {
  const calls = Array.isArray(message['tool_calls']) ? message['tool_calls'] : [];
  return calls.flatMap((call) => {
    if (!isPlainObject(call) || !isPlainObject(call['function'])) return [];
    const fn = call['function'];
    const args = fn['arguments'];
    return [
      {
        name: String(fn['name'] ?? ''),
        arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
      },
    ];
  });
}

/** The prompt text for `messages`, ending with the assistant header the model continues. */
export function renderPrompt(messages: readonly unknown[]): string {
  let text = '';
  for (const entry of messages) {
    if (!isPlainObject(entry)) continue;
    const role = String(entry['role']);
    const content = typeof entry['content'] === 'string' ? entry['content'] : '';
    const body = role === 'assistant' ? assistantBody(content, callsOf(entry)) : content;
    text += `${IM_START}${role}\n${body}${IM_END}\n`;
  }
  return `${text}${IM_START}assistant\n`;
}

/** The sampled text of a `chat.completion` message: reasoning, content, calls, end marker. */
export function renderCompletionText(message: Json): string {
  const content = typeof message['content'] === 'string' ? message['content'] : '';
  const reasoning =
    typeof message['reasoning_content'] === 'string'
      ? `<think>${message['reasoning_content']}</think>`
      : '';
  return `${reasoning}${assistantBody(content, callsOf(message))}${IM_END}\n`;
}

/** The scripted logprob of the `i`th sampled token: negative, finite, varied. */
export function byteLogprob(i: number): number {
  return -((i % 7) + 1) / 100;
}

/**
 * Adds vLLM's token fields to a non-streaming `chat.completion` body, as vLLM does when the
 * request has `return_token_ids: true` (and `logprobs: true` for the logprobs): the prompt's ids
 * on the body, the sampled ids on the choice, one `logprobs.content` entry per sampled token.
 */
export function withTokenIds(body: Json, messages: readonly unknown[], logprobs: boolean): Json {
  const choices = Array.isArray(body['choices']) ? body['choices'] : [];
  const choice = choices[0];
  if (!isPlainObject(choice) || !isPlainObject(choice['message'])) return body;
  const completion = byteIds(renderCompletionText(choice['message']));
  const withIds: Json = { ...choice, token_ids: completion };
  if (logprobs) {
    withIds['logprobs'] = {
      content: completion.map((id, i) => ({
        token: `token_id:${id}`,
        logprob: byteLogprob(i),
        bytes: [id],
        top_logprobs: [],
      })),
    };
  }
  return {
    ...body,
    prompt_token_ids: byteIds(renderPrompt(messages)),
    choices: [withIds, ...choices.slice(1)],
  };
}
