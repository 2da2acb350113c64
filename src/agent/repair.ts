import type { z } from 'zod';
import { isPlainObject, safeJsonParse } from '../core/json.js';
import type { JsonSchema, ModelToolCall } from '../core/provider.js';
import type { AnyToolDefinition } from '../core/tool.js';
import { findTruncation, parseArgumentsText } from './arguments-json.js';
import { coerceToSchema } from './coerce.js';
import { matchToolName } from './tool-name-match.js';
import { toolSpec } from './tool-specs.js';

export type ResolvedCall =
  | {
      ok: true;
      tool: AnyToolDefinition;
      /** The name of the tool as offered (after any name repair). */
      name: string;
      /** The arguments as the tool's zod schema parsed them. */
      args: Record<string, unknown>;
      /** The repairs applied, in order, for the trace: 'json_repair', 'coerced:timeout_s'. */
      repairs: string[];
    }
  | {
      ok: false;
      code: 'UNKNOWN_TOOL' | 'BAD_JSON' | 'INVALID_ARGUMENTS';
      /** Text for the model: what was wrong and what a valid call looks like. */
      message: string;
      /** The arguments as far as they could be parsed, or the raw text. */
      args: unknown;
      repairs: string[];
    };

/** Keys models wrap the real arguments in. */
const WRAPPER_KEYS = ['arguments', 'parameters', 'args', 'params', 'input', 'kwargs'];
/** Issues listed in one error message; the schema that follows covers the rest. */
const MAX_ISSUES = 8;

/**
 * Turns a tool call as the model wrote it into a call that can run, repairing what is
 * unambiguous (docs/architecture.md, the flow of one episode, step 3): the tool name, the
 * JSON, wrappers and encodings around the arguments, and value types. Whatever cannot be repaired comes back as
 * a message for the model; nothing here throws on model output.
 */
export function resolveToolCall(
  call: ModelToolCall,
  tools: Readonly<Record<string, AnyToolDefinition>>,
): ResolvedCall {
  const repairs: string[] = [];
  const names = Object.keys(tools);
  const rawArguments: unknown = call.arguments;
  const name = findTool(call.name, names, repairs);
  if (name === null) {
    return {
      ok: false,
      code: 'UNKNOWN_TOOL',
      message: unknownToolMessage(call.name, names),
      args: rawArguments,
      repairs,
    };
  }
  const tool = tools[name] as AnyToolDefinition;
  const schema = toolSpec(tool).parameters;
  const fail = (
    code: 'BAD_JSON' | 'INVALID_ARGUMENTS',
    problem: string,
    args: unknown,
  ): ResolvedCall => ({
    ok: false,
    code,
    message: `Error: ${problem}.\nCall ${name} again with arguments matching this JSON Schema: ${JSON.stringify(schema)}`,
    args,
    repairs,
  });

  const parsed = parseArguments(rawArguments, repairs);
  if (!parsed.ok) return fail('BAD_JSON', parsed.message, rawArguments);
  let value = parsed.value;
  if (parsed.bare !== undefined) {
    const field = singleField(schema);
    if (field === null) {
      return fail('BAD_JSON', 'the arguments are not JSON; send a JSON object', rawArguments);
    }
    repairs.push(`wrapped_bare_value:${field}`);
    value = { [field]: parsed.bare };
  }
  const unwrapped = unwrap(value, schema, name, repairs);
  if (!unwrapped.ok) return fail('BAD_JSON', unwrapped.message, rawArguments);
  value = unwrapped.value;
  if (!isPlainObject(value)) {
    const field = singleField(schema);
    if (field === null || value === undefined) {
      return fail(
        'INVALID_ARGUMENTS',
        `the arguments must be a JSON object, not ${describe(value)}`,
        value,
      );
    }
    repairs.push(`wrapped_bare_value:${field}`);
    value = { [field]: value };
  }

  const coerced = coerceToSchema(value as Record<string, unknown>, schema, repairs);
  const result = (tool.inputSchema as z.ZodType).safeParse(coerced);
  if (!result.success) {
    return fail(
      'INVALID_ARGUMENTS',
      `invalid arguments for ${name}:\n${issueList(result.error)}`,
      coerced,
    );
  }
  const args = isPlainObject(result.data) ? result.data : coerced;
  return { ok: true, tool, name, args, repairs };
}

function findTool(written: string, names: readonly string[], repairs: string[]): string | null {
  if (typeof written === 'string' && names.includes(written)) return written;
  const matched = typeof written === 'string' ? matchToolName(written, names) : null;
  if (matched !== null) repairs.push(`tool_name:${written}→${matched}`);
  return matched;
}

function unknownToolMessage(written: string, names: readonly string[]): string {
  const available =
    names.length === 0
      ? 'No tools are available; answer without calling a tool.'
      : `Available tools: ${names.join(', ')}. Call one of them by its exact name.`;
  const shown = typeof written === 'string' ? written.slice(0, 100) : '';
  const problem = shown.trim() === '' ? 'the tool call has no name' : `unknown tool "${shown}"`;
  return `Error: ${problem}. ${available}`;
}

type ParsedValue = { ok: true; value: unknown; bare?: string } | { ok: false; message: string };

/** Parses the arguments, whether text (the contract) or an object a server sent as is. */
function parseArguments(raw: unknown, repairs: string[]): ParsedValue {
  if (typeof raw !== 'string') {
    if (raw === undefined || raw === null) {
      repairs.push('empty_arguments');
      return { ok: true, value: {} };
    }
    // Round-trip through the guarded parser so prototype keys cannot come along.
    const copy = safeJsonParse(JSON.stringify(raw) ?? 'null');
    return copy.ok ? { ok: true, value: copy.value } : { ok: false, message: copy.error };
  }
  const text = parseArgumentsText(raw);
  if (!text.ok) return text;
  repairs.push(...text.repairs);
  if ('bare' in text) return { ok: true, value: undefined, bare: text.bare };
  if (text.value === null) {
    repairs.push('null_arguments');
    return { ok: true, value: {} };
  }
  return { ok: true, value: text.value };
}

/**
 * Peels what models put around the arguments: a JSON string holding the object, a one-element
 * list, and `{"arguments": {...}}`-style wrappers (also with the tool's name beside them),
 * each only when the tool has no property of that name.
 */
function unwrap(
  value: unknown,
  schema: JsonSchema,
  toolName: string,
  repairs: string[],
): ParsedValue {
  let current = value;
  for (let depth = 0; depth < 3; depth++) {
    if (typeof current === 'string' && current.trimStart().startsWith('{')) {
      const inner = parseArgumentsText(current);
      if (!inner.ok) {
        // A cut-off object is refused; other text starting with "{" may be a plain value.
        if (findTruncation(current.trim()) !== null) return inner;
        return { ok: true, value: current };
      }
      if ('bare' in inner || !isPlainObject(inner.value)) return { ok: true, value: current };
      repairs.push('double_encoded', ...inner.repairs);
      current = inner.value;
      continue;
    }
    if (Array.isArray(current) && current.length === 1 && isPlainObject(current[0])) {
      repairs.push('unwrapped_array');
      current = current[0];
      continue;
    }
    const key = isPlainObject(current) ? wrapperKey(current, schema, toolName) : null;
    if (key === null) break;
    repairs.push(`unwrapped_${key}`);
    current = (current as Record<string, unknown>)[key];
  }
  return { ok: true, value: current };
}

function wrapperKey(
  value: Record<string, unknown>,
  schema: JsonSchema,
  toolName: string,
): string | null {
  const properties = isPlainObject(schema['properties']) ? schema['properties'] : {};
  const keys = Object.keys(value);
  for (const key of WRAPPER_KEYS) {
    if (!keys.includes(key) || Object.hasOwn(properties, key)) continue;
    const inner = value[key];
    if (!isPlainObject(inner) && typeof inner !== 'string') continue;
    const others = keys.filter((k) => k !== key);
    if (others.length === 0) return key;
    const named = others.length === 1 && others[0] === 'name' && !Object.hasOwn(properties, 'name');
    if (
      named &&
      typeof value['name'] === 'string' &&
      matchToolName(value['name'], [toolName]) !== null
    ) {
      return key;
    }
  }
  return null;
}

/** The property a lone value stands for: the only required one, or the only one. */
function singleField(schema: JsonSchema): string | null {
  const properties = isPlainObject(schema['properties']) ? Object.keys(schema['properties']) : [];
  const required = Array.isArray(schema['required']) ? (schema['required'] as string[]) : [];
  if (required.length === 1) return required[0] as string;
  if (required.length === 0 && properties.length === 1) return properties[0] as string;
  return null;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}

function issueList(error: z.ZodError): string {
  const lines = error.issues.slice(0, MAX_ISSUES).map((issue) => {
    const path = issue.path.map(String).join('.');
    return `- ${path === '' ? '(arguments)' : path}: ${issue.message}`;
  });
  if (error.issues.length > MAX_ISSUES)
    lines.push(`- and ${error.issues.length - MAX_ISSUES} more`);
  return lines.join('\n');
}
