import { isPlainObject } from '../core/json.js';
import {
  argumentsText,
  assignCallIds,
  type CallIdGenerator,
  type CompletionResult,
  contentText,
  defaultCallId,
  reasoningOf,
  usageOf,
} from './completion-result.js';

/**
 * Reads a non-streaming `chat.completion` body. Returns null when the body is not a
 * completion at all (no choices, no message), which the provider reports as a bad response.
 * Within a message each `tool_calls` entry is its own call, so missing indexes do not matter.
 */
export function readCompletionBody(
  body: unknown,
  generateId: CallIdGenerator = defaultCallId,
): CompletionResult | null {
  if (!isPlainObject(body) || !Array.isArray(body['choices'])) return null;
  const choices = body['choices'].filter(isPlainObject);
  const choice = choices.find((c) => c['index'] === 0) ?? choices[0];
  if (!choice) return null;
  const message = choice['message'];
  if (!isPlainObject(message)) return null;
  const calls = Array.isArray(message['tool_calls']) ? message['tool_calls'] : [];
  const toolCalls = calls.filter(isPlainObject).map((call) => {
    const fn = isPlainObject(call['function']) ? call['function'] : {};
    const args = fn['arguments'];
    return {
      id: typeof call['id'] === 'string' && call['id'] !== '' ? call['id'] : undefined,
      name: typeof fn['name'] === 'string' ? fn['name'] : '',
      arguments:
        typeof args === 'string' ? argumentsText(args, undefined) : argumentsText('', args),
    };
  });
  const finish = choice['finish_reason'];
  return {
    content: contentText(message['content']),
    reasoning: reasoningOf(message),
    toolCalls: assignCallIds(toolCalls, generateId),
    finishReason: typeof finish === 'string' && finish !== '' ? finish : null,
    usage: usageOf(body['usage']),
  };
}
