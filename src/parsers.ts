/**
 * `assay/parsers`: read the tool calls a model wrote as text, with the same parsers assay's
 * agent loop uses. For reward functions, proxies and log analysis outside an episode.
 */
import { UsageError } from './core/errors.js';
import { isPlainObject, safeJsonParse } from './core/json.js';
import type { JsonSchema, ToolFormat } from './core/provider.js';
import { TOOL_FORMATS } from './core/provider.js';
import { parseTextToolCalls } from './model/dialects/index.js';
import { splitThinking } from './model/think-tags.js';

export type { ToolFormat } from './core/provider.js';
export { TOOL_FORMATS } from './core/provider.js';

/** A tool the model may call: its name, or its name and JSON Schema parameters. */
export type ParserTool = string | { name: string; parameters?: JsonSchema };

export interface ParseToolCallsOptions {
  /** Any `--tool-format` value; default `auto` (every dialect, most specific first). */
  format?: ToolFormat;
  /**
   * The offered tools. Calls to other names are reported in `rejected`. Schemas type the
   * untyped values of XML dialects (Qwen3-Coder). When omitted, any well-formed name counts.
   */
  tools?: readonly ParserTool[];
}

export interface ParsedToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

export interface RejectedToolCall {
  /** The tool name the model wrote, or null when none could be read. */
  name: string | null;
  reason: string;
}

export interface ParsedToolCalls {
  /** The visible text, with reasoning and call markup removed. */
  content: string;
  /** Reasoning found in the text (`<think>`, `[THINK]`, harmony's analysis channel), or null. */
  reasoning: string | null;
  calls: ParsedToolCall[];
  /** Calls written in call markup that were not accepted, and why (cut off, unknown tool). */
  rejected: RejectedToolCall[];
  /** The dialect that recognised markup, or null when the text holds none. */
  dialect: string | null;
}

/** A tool name as models write them when no tool list is given to check against. */
const ANY_NAME = /^[\p{L}\p{N}_.:-]{1,200}$/u;

/**
 * Finds the tool calls in one assistant message. Reasoning is split off first, so a call
 * drafted while thinking is never returned; a call whose JSON was cut off is rejected, never
 * completed.
 *
 * @example
 * parseToolCalls('<tool_call>{"name": "add", "arguments": {"a": 1}}</tool_call>', { tools: ['add'] })
 * // → { content: '', reasoning: null, calls: [{ name: 'add', arguments: { a: 1 } }], rejected: [], dialect: 'hermes' }
 */
export function parseToolCalls(text: string, options: ParseToolCallsOptions = {}): ParsedToolCalls {
  if (typeof text !== 'string') {
    throw new UsageError(
      'INPUT_INVALID',
      `parseToolCalls: text must be a string, got ${typeof text}`,
    );
  }
  const format = options.format ?? 'auto';
  if (!TOOL_FORMATS.includes(format)) {
    throw new UsageError(
      'INPUT_INVALID',
      `parseToolCalls: unknown format "${String(format)}"; use one of ${TOOL_FORMATS.join(', ')}`,
    );
  }
  const thinking = splitThinking(text);
  const reasoningParts = thinking.reasoning ? [thinking.reasoning] : [];
  const tools = options.tools === undefined ? null : options.tools.map(toolEntry);
  const names = tools?.map((tool) => tool.name) ?? null;
  const schemas = Object.fromEntries(
    (tools ?? []).flatMap((tool) => (tool.parameters ? [[tool.name, tool.parameters]] : [])),
  );
  const parsed = parseTextToolCalls(thinking.text, names ?? ANY_NAME, dialectFormat(format), {
    schemas,
  });
  if (parsed.reasoning) reasoningParts.push(parsed.reasoning);
  const calls: ParsedToolCall[] = [];
  const rejected: RejectedToolCall[] = [...(parsed.rejected ?? [])];
  for (const call of parsed.calls) {
    const args = safeJsonParse(call.arguments);
    if (args.ok && isPlainObject(args.value))
      calls.push({ name: call.name, arguments: args.value });
    else
      rejected.push({ name: call.name, reason: 'the tool call arguments are not a JSON object' });
  }
  return {
    content: parsed.dialect === null ? thinking.text : parsed.text,
    reasoning: reasoningParts.length > 0 ? reasoningParts.join('\n') : null,
    calls,
    rejected,
    dialect: parsed.dialect,
  };
}

/** `prompted` teaches the model Hermes tags, so its replies are read as Hermes. */
function dialectFormat(format: ToolFormat): ToolFormat {
  return format === 'prompted' ? 'hermes' : format;
}

function toolEntry(tool: ParserTool): { name: string; parameters?: JsonSchema } {
  if (typeof tool === 'string') return { name: tool };
  if (isPlainObject(tool) && typeof tool.name === 'string') return tool;
  throw new UsageError(
    'INPUT_INVALID',
    `parseToolCalls: each tool must be a name or { name, parameters }, got ${JSON.stringify(tool)}`,
  );
}
