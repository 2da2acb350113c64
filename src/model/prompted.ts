import type { ChatMessage } from './messages.js';
import type { ToolSpec } from './provider.js';

/**
 * The system text that teaches a model without native tool support to call tools.
 * (Stub: replaced by the prompted-mode implementation.)
 */
export function promptedSystemMessage(tools: readonly ToolSpec[]): string {
  const lines = tools.map((tool) => JSON.stringify({ type: 'function', function: tool }));
  return `You may call tools. Tools:\n<tools>\n${lines.join('\n')}\n</tools>\nTo call one, reply with <tool_call>{"name": ..., "arguments": {...}}</tool_call>.`;
}

/**
 * The conversation with native tool calls and tool results rewritten as text.
 * (Stub: replaced by the prompted-mode implementation.)
 */
export function toPromptedMessages(messages: readonly ChatMessage[]): ChatMessage[] {
  return messages.map((message) => {
    if (message.role === 'tool') {
      return { role: 'user', content: `<tool_response>\n${message.content}\n</tool_response>` };
    }
    if (message.role === 'assistant' && message.tool_calls?.length) {
      const calls = message.tool_calls.map(
        (call) =>
          `<tool_call>\n{"name": ${JSON.stringify(call.function.name)}, "arguments": ${call.function.arguments}}\n</tool_call>`,
      );
      return { role: 'assistant', content: [message.content ?? '', ...calls].join('\n').trim() };
    }
    return message;
  });
}
