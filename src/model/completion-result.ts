import type { ModelToolCall, Usage } from '../core/provider.js';

/**
 * One assistant turn as the server sent it, after the wire quirks are normalized but before
 * any text dialect is parsed. Both the stream accumulator and the non-streaming reader
 * produce it, so everything downstream sees one shape.
 */
export interface CompletionResult {
  content: string;
  reasoning: string | null;
  toolCalls: ModelToolCall[];
  finishReason: string | null;
  usage: Usage | null;
}

/** Generates the id of the `n`-th call (0-based) of a turn when the server sent none. */
export type CallIdGenerator = (n: number) => string;

export const defaultCallId: CallIdGenerator = (n) => `call_${n}`;

/**
 * The argument text of a call. Servers send a JSON string, sometimes a JSON object
 * (llama.cpp, Ollama's native API), sometimes nothing at all for parameterless tools;
 * the result is always text, and `{}` when there was nothing.
 */
export function argumentsText(text: string, object: unknown): string {
  if (text.trim() !== '') return text;
  if (object !== undefined && object !== null) return JSON.stringify(object);
  return '{}';
}

/**
 * Reasoning text of a message or delta. Servers disagree on the field (`reasoning_content`
 * in llama.cpp and older vLLM, `reasoning` in Ollama and newer vLLM, `thinking` in Ollama's
 * native API); some send two of them with the same text, so only the first one present counts.
 */
export function reasoningOf(source: Record<string, unknown>): string | null {
  for (const key of ['reasoning_content', 'reasoning', 'thinking']) {
    const value = source[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return null;
}

/** The usage block, when it carries the two counts assay records. */
export function usageOf(value: unknown): Usage | null {
  if (typeof value !== 'object' || value === null) return null;
  const { prompt_tokens, completion_tokens } = value as Record<string, unknown>;
  if (typeof prompt_tokens !== 'number' && typeof completion_tokens !== 'number') return null;
  return {
    prompt_tokens: typeof prompt_tokens === 'number' ? prompt_tokens : 0,
    completion_tokens: typeof completion_tokens === 'number' ? completion_tokens : 0,
  };
}

/** Message content as text: a string, or the text parts of a content-part array. */
export function contentText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return '';
  let text = '';
  for (const part of value) {
    if (typeof part === 'object' && part !== null) {
      const partText = (part as Record<string, unknown>)['text'];
      if (typeof partText === 'string') text += partText;
    }
  }
  return text;
}

/**
 * Ensures every call has a non-empty id that no other call in the turn uses: a missing id,
 * or a repeat of an earlier call's id, is replaced by a generated one.
 */
export function assignCallIds(
  calls: readonly { id: string | undefined; name: string; arguments: string }[],
  generate: CallIdGenerator,
): ModelToolCall[] {
  const taken = new Set<string>();
  for (const call of calls) if (call.id) taken.add(call.id);
  const kept = new Set<string>();
  let n = 0;
  return calls.map((call) => {
    let id = call.id;
    if (!id || kept.has(id)) {
      do id = generate(n++);
      while (taken.has(id));
      taken.add(id);
    }
    kept.add(id);
    return { id, name: call.name, arguments: call.arguments };
  });
}
