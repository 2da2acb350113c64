import type { TraceMessage, TraceRecord } from '../../trace/schema.js';
import { type ExportContext, toolDefinitions } from './context.js';
import { parsedArguments, splitConversation, toolNamesById } from './conversation.js';

/**
 * TRL's conversational prompt-completion row (docs/source/dataset_formats.md): `prompt` and
 * `completion` are message lists; assistant tool calls carry `arguments` as an object and
 * tool messages carry the tool's `name`, as transformers chat templates expect; `tools` holds
 * the advertised tools as JSON schemas (names where no schema is known). `reward`,
 * `task_id`, `answer` and `group_id` are extra columns that TRL hands to reward functions.
 */
export function toTrl(record: TraceRecord, ctx: ExportContext): Record<string, unknown> {
  const { prompt, completion } = splitConversation(record.messages);
  const names = toolNamesById(record.messages);
  return {
    prompt: prompt.map((m) => trlMessage(m, names)),
    completion: completion.map((m) => trlMessage(m, names)),
    tools: toolDefinitions(record.tools, ctx),
    reward: record.reward,
    task_id: record.task_id,
    answer: record.verifier?.expected ?? null,
    group_id: record.group_id,
  };
}

function trlMessage(
  message: TraceMessage,
  names: ReadonlyMap<string, string>,
): Record<string, unknown> {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'assistant': {
      const out: Record<string, unknown> = { role: 'assistant', content: message.content ?? '' };
      if (message.reasoning_content !== undefined)
        out['reasoning_content'] = message.reasoning_content;
      if (message.tool_calls !== undefined && message.tool_calls.length > 0) {
        out['tool_calls'] = message.tool_calls.map((call) => ({
          id: call.id,
          type: 'function',
          function: {
            name: call.function.name,
            arguments: parsedArguments(call.function.arguments),
          },
        }));
      }
      return out;
    }
    case 'tool':
      return {
        role: 'tool',
        name: message.name ?? names.get(message.tool_call_id) ?? '',
        tool_call_id: message.tool_call_id,
        content: message.content,
      };
  }
}
