import type { ToolSpec } from '../../core/provider.js';
import type { TraceMessage, TraceRecord } from '../../trace/schema.js';
import { argumentsObject } from './conversation.js';

/** What the format writers share across the records of one export. */
export interface ExportContext {
  /** Schemas of tools by name; a tool without one gets an empty-object schema. */
  toolSpecs: ReadonlyMap<string, ToolSpec>;
  /** verifiers' `example_id` of each group, computed once per export (a hash per row is slow). */
  exampleIds: Map<string, number>;
}

export function exportContext(toolSpecs: Iterable<ToolSpec> = []): ExportContext {
  return {
    toolSpecs: new Map([...toolSpecs].map((spec) => [spec.name, spec])),
    exampleIds: new Map(),
  };
}

/** `{name, description, parameters}` for each tool, an empty schema where none is known. */
export function toolSchemas(names: readonly string[], ctx: ExportContext): ToolSpec[] {
  return names.map(
    (name) =>
      ctx.toolSpecs.get(name) ?? {
        name,
        description: '',
        parameters: { type: 'object', properties: {} },
      },
  );
}

/** OpenAI function tools (`{type: "function", function: {...}}`), what chat templates take. */
export function toolDefinitions(names: readonly string[], ctx: ExportContext): unknown[] {
  return toolSchemas(names, ctx).map((spec) => ({
    type: 'function',
    function: { name: spec.name, description: spec.description, parameters: spec.parameters },
  }));
}

/**
 * The tools of the record's arm as OpenAI function tools, or null in an arm without tools:
 * templates test `tools is not none` (Llama 3.1 then announces an ipython environment and
 * moves the first user message), so an empty list would change the no-tools prompt.
 */
export function offeredTools(record: TraceRecord, ctx: ExportContext): unknown[] | null {
  return record.tools.length === 0 ? null : toolDefinitions(record.tools, ctx);
}

/**
 * A message as transformers chat templates index it: `content` always a string, tool-call
 * `arguments` always an object, the tool's `name` on tool messages, `reasoning_content` kept
 * (Qwen3's template renders it), and no `tool_calls` key on a turn without calls (Llama 3.1's
 * template treats any `tool_calls` key as a call).
 */
export function templateMessage(
  message: TraceMessage,
  record: TraceRecord,
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
        out['tool_calls'] = message.tool_calls.map((part) => ({
          id: part.id,
          type: 'function',
          function: {
            name: part.function.name,
            arguments: argumentsObject(
              part.function.arguments,
              record.tool_calls.find((c) => c.id === part.id),
            ),
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
