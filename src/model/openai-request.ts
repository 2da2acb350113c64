import { safeJsonParse } from '../core/json.js';
import type { ChatMessage } from '../core/messages.js';
import type { ModelRequest, ToolFormat } from '../core/provider.js';
import { toPromptedMessages } from './prompted.js';

export interface ChatBodyOptions {
  model: string;
  toolFormat: ToolFormat;
  stream: boolean;
  extraBody?: Record<string, unknown> | undefined;
}

/**
 * The JSON body of a `/chat/completions` request. Tools travel natively unless the format is
 * `prompted`, where they are described in the system message and earlier calls and results
 * are rewritten as text. Sampling fields are sent only when set, so the server's defaults
 * (which the model's authors chose) apply otherwise.
 */
export function buildChatBody(
  request: ModelRequest,
  options: ChatBodyOptions,
): Record<string, unknown> {
  const prompted = options.toolFormat === 'prompted' && request.tools.length > 0;
  const messages = prompted
    ? toPromptedMessages(request.messages, request.tools)
    : request.messages;
  const body: Record<string, unknown> = {
    model: options.model,
    messages: messages.map(toWireMessage),
    stream: options.stream,
  };
  if (options.stream) body['stream_options'] = { include_usage: true };
  if (!prompted && request.tools.length > 0) {
    body['tools'] = request.tools.map((tool) => ({
      type: 'function',
      function: { name: tool.name, description: tool.description, parameters: tool.parameters },
    }));
  }
  const { temperature, top_p, seed, max_tokens, reasoning_effort } = request.sampling;
  if (temperature !== undefined) body['temperature'] = temperature;
  if (top_p !== undefined) body['top_p'] = top_p;
  if (seed !== undefined) body['seed'] = seed;
  if (max_tokens !== undefined) body['max_tokens'] = max_tokens;
  if (reasoning_effort !== undefined) body['reasoning_effort'] = reasoning_effort;
  return { ...body, ...options.extraBody };
}

/**
 * One message in the shape `/v1` servers accept. Reasoning is not sent back (most templates
 * drop or mis-render it), `is_error` is assay's own field, and arguments that are not a JSON
 * object are replaced by `{}`: chat templates that parse them fail on the whole request, and a
 * malformed call replayed verbatim keeps poisoning later turns.
 */
export function toWireMessage(message: ChatMessage): Record<string, unknown> {
  switch (message.role) {
    case 'assistant': {
      const wire: Record<string, unknown> = { role: 'assistant', content: message.content ?? '' };
      if (message.tool_calls && message.tool_calls.length > 0) {
        wire['tool_calls'] = message.tool_calls.map((call) => ({
          id: call.id,
          type: 'function',
          function: {
            name: call.function.name,
            arguments: jsonObjectText(call.function.arguments),
          },
        }));
      }
      return wire;
    }
    case 'tool': {
      const wire: Record<string, unknown> = {
        role: 'tool',
        tool_call_id: message.tool_call_id,
        content: message.content,
      };
      if (message.name !== undefined) wire['name'] = message.name;
      return wire;
    }
    default:
      return { role: message.role, content: message.content };
  }
}

function jsonObjectText(text: string): string {
  const parsed = safeJsonParse(text);
  const isObject =
    parsed.ok &&
    typeof parsed.value === 'object' &&
    parsed.value !== null &&
    !Array.isArray(parsed.value);
  return isObject ? text : '{}';
}
