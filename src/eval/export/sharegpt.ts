import type { TraceMessage, TraceRecord } from '../../trace/schema.js';
import type { ExportContext } from './context.js';
import { parsedArguments } from './conversation.js';

type Turn = { from: 'human' | 'gpt' | 'function_call' | 'observation'; value: string };

/**
 * LLaMA-Factory's ShareGPT format with tools: `conversations` of `{from, value}` with
 * `human`, `gpt`, `function_call` (a JSON `{name, arguments}`, or a JSON list for parallel
 * calls) and `observation` (consecutive tool results merged, as a JSON list when several),
 * leading system messages in `system`, and `tools` as a JSON string of `{name, description,
 * parameters}` (an empty schema for a tool known only by name). An assistant turn that both talks and calls tools keeps only the calls, so
 * turns alternate as LLaMA-Factory requires; a trailing tool result with no model turn after
 * it is dropped.
 */
export function toShareGpt(record: TraceRecord, ctx: ExportContext): Record<string, unknown> {
  const system: string[] = [];
  const turns: Turn[] = [];
  let pendingResults: string[] = [];
  const flush = () => {
    if (pendingResults.length === 0) return;
    turns.push({
      from: 'observation',
      value: pendingResults.length === 1 ? pendingResults[0]! : JSON.stringify(pendingResults),
    });
    pendingResults = [];
  };
  for (const message of record.messages) {
    if (message.role === 'tool') {
      pendingResults.push(message.content);
      continue;
    }
    flush();
    if (message.role === 'system' && turns.length === 0) system.push(message.content);
    else turns.push(turnOf(message));
  }
  const row: Record<string, unknown> = { conversations: turns };
  if (system.length > 0) row['system'] = system.join('\n\n');
  const specs = record.tools.map(
    (name) =>
      ctx.toolSpecs.get(name) ?? {
        name,
        description: '',
        parameters: { type: 'object', properties: {} },
      },
  );
  if (specs.length > 0) row['tools'] = JSON.stringify(specs);
  return row;
}

function turnOf(message: Exclude<TraceMessage, { role: 'tool' }>): Turn {
  switch (message.role) {
    case 'system':
    case 'user':
      return { from: 'human', value: message.content };
    case 'assistant': {
      const calls = message.tool_calls ?? [];
      if (calls.length === 0) return { from: 'gpt', value: message.content ?? '' };
      const values = calls.map((call) => ({
        name: call.function.name,
        arguments: parsedArguments(call.function.arguments),
      }));
      return {
        from: 'function_call',
        value: JSON.stringify(values.length === 1 ? values[0] : values),
      };
    }
  }
}
