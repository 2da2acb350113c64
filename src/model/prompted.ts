import { isPlainObject, safeJsonParse } from '../core/json.js';
import type { AssistantMessage, ChatMessage, ToolMessage } from '../core/messages.js';
import type { ToolSpec } from '../core/provider.js';

/**
 * The system text that teaches a model without native tool support to call tools: each tool's
 * name, description and parameter schema, the `<tool_call>` format that the `hermes` dialect
 * parses back, where results arrive, and how a final answer looks. Empty when there are no tools.
 */
export function promptedSystemMessage(tools: readonly ToolSpec[]): string {
  if (tools.length === 0) return '';
  const listed = tools.map((tool) =>
    JSON.stringify({ name: tool.name, description: tool.description, parameters: tool.parameters }),
  );
  return [
    '# Tools',
    '',
    'You can call tools while working on the task. Each line below describes one tool as JSON: its name, what it does, and the JSON Schema its arguments must follow.',
    '',
    '<tools>',
    ...listed,
    '</tools>',
    '',
    'To call a tool, write a block like this, with the JSON on one line:',
    '',
    '<tool_call>',
    '{"name": "<name of the tool>", "arguments": <JSON object with the arguments>}',
    '</tool_call>',
    '',
    'Rules:',
    '- One block per call. To make several calls at once, write several blocks.',
    '- Call only the tools listed above, with arguments that match their schema.',
    '- After your tool_call blocks, stop. The results come back in the next message, one <tool_response> block per call. Never write a <tool_response> yourself.',
    '- When you have the final answer, write it as plain text with no <tool_call> block.',
  ].join('\n');
}

/**
 * Rewrites a conversation for a server that has no native tool calling: the tool instructions
 * go into the leading system message (merged into an existing one), assistant tool calls become
 * `<tool_call>` blocks after the assistant's text, and tool results become user messages of
 * `<tool_response>` blocks, consecutive results sharing one message. With no tools, no system
 * text is added and only the history is rewritten.
 */
export function toPromptedMessages(
  messages: readonly ChatMessage[],
  tools: readonly ToolSpec[] = [],
): ChatMessage[] {
  const names = new Map<string, string>();
  const rewritten: ChatMessage[] = [];
  let afterToolResult = false;
  for (const message of messages) {
    if (message.role === 'tool') {
      const response = toolResponse(message, names.get(message.tool_call_id));
      const previous = rewritten.at(-1);
      if (afterToolResult && previous !== undefined) {
        rewritten[rewritten.length - 1] = {
          role: 'user',
          content: `${previous.content}\n${response}`,
        };
      } else {
        rewritten.push({ role: 'user', content: response });
      }
      afterToolResult = true;
      continue;
    }
    afterToolResult = false;
    if (message.role === 'assistant') {
      for (const call of message.tool_calls ?? []) names.set(call.id, call.function.name);
      rewritten.push(assistantAsText(message));
    } else {
      rewritten.push(message);
    }
  }
  return withSystemPrompt(rewritten, promptedSystemMessage(tools));
}

function assistantAsText(message: AssistantMessage): AssistantMessage {
  const { tool_calls: calls, ...rest } = message;
  if (calls === undefined || calls.length === 0) return rest;
  const blocks = calls.map((call) => {
    const args = safeJsonParse(call.function.arguments);
    // Arguments that are not an object are shown as {}: replaying malformed text teaches the
    // model to repeat it, and the tool result already says what was wrong.
    const json = args.ok && isPlainObject(args.value) ? JSON.stringify(args.value) : '{}';
    return `<tool_call>\n{"name": ${JSON.stringify(call.function.name)}, "arguments": ${json}}\n</tool_call>`;
  });
  const text = message.content?.trim() ?? '';
  return { ...rest, content: [text, ...blocks].filter((part) => part !== '').join('\n') };
}

function toolResponse(message: ToolMessage, callName: string | undefined): string {
  const body: Record<string, unknown> = {
    name: message.name ?? callName ?? 'unknown',
    content: message.content,
  };
  if (message.is_error === true) body['is_error'] = true;
  return `<tool_response>\n${JSON.stringify(body)}\n</tool_response>`;
}

function withSystemPrompt(messages: ChatMessage[], prompt: string): ChatMessage[] {
  if (prompt === '') return messages;
  const first = messages[0];
  if (first?.role === 'system') {
    return [{ role: 'system', content: `${first.content}\n\n${prompt}` }, ...messages.slice(1)];
  }
  return [{ role: 'system', content: prompt }, ...messages];
}
