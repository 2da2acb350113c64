import { z } from 'zod';
import { AssayError } from '../core/errors.js';
import type { JsonSchema, ToolSpec } from '../core/provider.js';
import type { AnyToolDefinition } from '../core/tool.js';

const cache = new WeakMap<AnyToolDefinition, ToolSpec>();

/**
 * The tool as the model sees it: name, description, and the input schema as draft-07 JSON
 * Schema, which Ollama, vLLM, llama.cpp and LM Studio all accept. Computed once per tool.
 */
export function toolSpec(tool: AnyToolDefinition): ToolSpec {
  const cached = cache.get(tool);
  if (cached) return cached;
  const spec: ToolSpec = {
    name: tool.name,
    description: tool.description,
    parameters: parametersSchema(tool),
  };
  cache.set(tool, spec);
  return spec;
}

export function toolSpecs(tools: Iterable<AnyToolDefinition>): ToolSpec[] {
  return [...tools].map(toolSpec);
}

function parametersSchema(tool: AnyToolDefinition): JsonSchema {
  if (tool.parameters !== undefined) return tool.parameters as JsonSchema;
  // `input` describes what the model may send: fields with defaults are optional.
  const generated = z.toJSONSchema(tool.inputSchema, {
    target: 'draft-7',
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  const { $schema: _dialect, ...schema } = generated;
  if (schema['type'] !== 'object') {
    throw new AssayError('INTERNAL', `the input schema of tool "${tool.name}" is not an object`);
  }
  schema['properties'] ??= {};
  // A plain z.object drops unknown keys, so telling the model there are none is accurate.
  schema['additionalProperties'] ??= false;
  return withoutSafeIntegerBounds(schema) as JsonSchema;
}

/**
 * Removes the ±2^53 bounds zod puts on every integer: they say nothing to a model, and
 * llama.cpp turns numeric bounds into a grammar rule per digit range.
 */
function withoutSafeIntegerBounds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSafeIntegerBounds);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'minimum' && inner === Number.MIN_SAFE_INTEGER) continue;
    if (key === 'maximum' && inner === Number.MAX_SAFE_INTEGER) continue;
    out[key] = withoutSafeIntegerBounds(inner);
  }
  return out;
}
