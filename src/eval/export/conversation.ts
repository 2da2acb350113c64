import { isPlainObject, safeJsonParse } from '../../core/json.js';
import type { TraceMessage } from '../../trace/schema.js';

/**
 * A trace's messages split for training. The episode loop only appends assistant and tool
 * messages, so the prompt is everything up to and including the last user message (system
 * prompt and few-shot turns included) and the completion is everything after it: the model's
 * turns and the tool results between them.
 */
export interface SplitConversation {
  prompt: TraceMessage[];
  completion: TraceMessage[];
}

export function splitConversation(messages: readonly TraceMessage[]): SplitConversation {
  let lastUser = -1;
  messages.forEach((message, i) => {
    if (message.role === 'user') lastUser = i;
  });
  return { prompt: messages.slice(0, lastUser + 1), completion: messages.slice(lastUser + 1) };
}

/** Tool-call arguments as an object when they are a JSON object, else the raw text. */
export function parsedArguments(text: string): unknown {
  const parsed = safeJsonParse(text);
  return parsed.ok && isPlainObject(parsed.value) ? parsed.value : text;
}

/** Maps tool_call ids to the tool names the assistant used, for tool messages without a name. */
export function toolNamesById(messages: readonly TraceMessage[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const message of messages) {
    if (message.role !== 'assistant') continue;
    for (const call of message.tool_calls ?? []) names.set(call.id, call.function.name);
  }
  return names;
}
