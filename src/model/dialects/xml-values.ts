import { safeJsonParse } from '../../core/json.js';

/**
 * Types a parameter value written as bare text (Qwen3-Coder XML, DeepSeek DSML) using the
 * parameter's JSON Schema, the way the servers' own parsers do: `3.14` becomes a number only when
 * the schema says number. Without a schema, JSON objects and arrays are parsed and everything
 * else stays a string for the loop's schema coercion.
 */
export function typeTextValue(raw: string, schema: unknown): unknown {
  const trimmed = raw.trim();
  const types = schemaTypes(schema);
  if (types.length === 0) return parseStructured(trimmed) ?? raw;
  for (const type of types) {
    const typed = asType(trimmed, type);
    if (typed !== undefined) return typed;
  }
  return raw;
}

/** The schema of one named property, when the tool's parameters schema declares it. */
export function propertySchema(parameters: unknown, name: string): unknown {
  if (typeof parameters !== 'object' || parameters === null) return undefined;
  const properties = (parameters as Record<string, unknown>)['properties'];
  if (typeof properties !== 'object' || properties === null) return undefined;
  return Object.hasOwn(properties, name)
    ? (properties as Record<string, unknown>)[name]
    : undefined;
}

function schemaTypes(schema: unknown): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const type = (schema as Record<string, unknown>)['type'];
  const list = Array.isArray(type) ? type : [type];
  const names = list.filter((t): t is string => typeof t === 'string');
  // Strings accept anything, so the stricter types get the first try.
  return [...names.filter((t) => t !== 'string'), ...names.filter((t) => t === 'string')];
}

function asType(trimmed: string, type: string): unknown {
  switch (type) {
    case 'integer':
      return /^[-+]?\d+$/.test(trimmed) ? Number(trimmed) : undefined;
    // vLLM's Qwen3-Coder parser reads these non-standard names as numbers too.
    case 'float':
    case 'double':
    case 'number': {
      const value = Number(trimmed);
      return trimmed !== '' && Number.isFinite(value) ? value : undefined;
    }
    case 'boolean': {
      const lower = trimmed.toLowerCase();
      return lower === 'true' ? true : lower === 'false' ? false : undefined;
    }
    case 'null':
      return trimmed === 'null' || trimmed === 'None' ? null : undefined;
    case 'object':
    case 'array': {
      const value = parseStructured(trimmed);
      return value !== undefined && Array.isArray(value) === (type === 'array') ? value : undefined;
    }
    default:
      return undefined;
  }
}

function parseStructured(trimmed: string): unknown {
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  const parsed = safeJsonParse(trimmed);
  return parsed.ok ? parsed.value : undefined;
}
