import type { JsonSchema, ToolSpec } from '../../core/provider.js';

/**
 * The JSON schema of one `<tool_call>` body — `{"name": <an offered tool>, "arguments": {...}}` —
 * reduced to the subset node-llama-cpp compiles to a grammar. That compiler makes every listed
 * property required, so optional arguments are left out: a constrained call never sets them.
 */
export function toolCallGrammarSchema(tools: readonly ToolSpec[]): JsonSchema {
  const calls = tools.map((tool) => ({
    type: 'object',
    properties: { name: { const: tool.name }, arguments: reduce(tool.parameters) },
  }));
  return calls.length === 1 ? calls[0]! : { oneOf: calls };
}

function reduce(schema: unknown): JsonSchema {
  if (typeof schema !== 'object' || schema === null) return { type: 'string' };
  const s = schema as Record<string, unknown>;
  if (Array.isArray(s['enum'])) return { enum: s['enum'] };
  if ('const' in s) return { const: s['const'] };
  const union = (s['anyOf'] ?? s['oneOf']) as unknown;
  if (Array.isArray(union)) return { oneOf: union.map(reduce) };
  switch (s['type']) {
    case 'string':
    case 'number':
    case 'integer':
    case 'boolean':
    case 'null':
      return { type: s['type'] };
    case 'array':
      return { type: 'array', items: reduce(s['items']) };
    case 'object': {
      const properties = (s['properties'] ?? {}) as Record<string, unknown>;
      const required = Array.isArray(s['required'])
        ? (s['required'] as string[])
        : Object.keys(properties);
      const kept = Object.fromEntries(
        required.filter((key) => key in properties).map((key) => [key, reduce(properties[key])]),
      );
      return { type: 'object', properties: kept };
    }
    default:
      return { type: 'string' };
  }
}
