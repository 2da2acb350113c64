import { isPlainObject, safeJsonParse } from '../core/json.js';
import type { JsonSchema } from '../core/provider.js';
import { editDistance } from './tool-name-match.js';

/**
 * Bends arguments toward a tool's JSON Schema where the intent is unambiguous: numeric strings
 * to numbers, "true"/"false" to booleans, numbers to strings, JSON text to the array or object
 * it encodes, null for an optional field to an absent one, a misspelled key to the property it
 * misses. Every change is appended to `repairs`; values already of the right type are left
 * alone, and the tool's zod schema still has the last word.
 */
export function coerceToSchema(
  args: Record<string, unknown>,
  schema: JsonSchema,
  repairs: string[],
  path = '',
): Record<string, unknown> {
  const properties = isPlainObject(schema['properties']) ? schema['properties'] : {};
  const required = Array.isArray(schema['required']) ? (schema['required'] as string[]) : [];
  const out: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(args)) {
    if (!Object.hasOwn(properties, key)) {
      unknown.push(key);
      continue;
    }
    const property = properties[key];
    const where = path + key;
    if (value === null && !required.includes(key) && !typesOf(property).has('null')) {
      repairs.push(`dropped_null:${where}`);
      continue;
    }
    out[key] = coerceValue(value, isPlainObject(property) ? property : {}, where, repairs);
  }
  for (const key of unknown) {
    const target = closestMissing(key, properties, out);
    if (target !== null) {
      repairs.push(`renamed:${path}${key}→${target}`);
      const property = properties[target];
      out[target] = coerceValue(
        args[key],
        isPlainObject(property) ? property : {},
        path + target,
        repairs,
      );
    } else if (schema['additionalProperties'] === false) {
      repairs.push(`dropped:${path}${key}`);
    } else {
      out[key] = args[key];
    }
  }
  return out;
}

const NUMBER = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

function coerceValue(
  value: unknown,
  schema: JsonSchema,
  where: string,
  repairs: string[],
): unknown {
  const types = typesOf(schema);
  if (types.size === 0) return value;
  if (fits(value, types)) {
    if (isPlainObject(value) && types.has('object')) {
      return coerceToSchema(value, schema, repairs, `${where}.`);
    }
    if (Array.isArray(value) && types.has('array') && isPlainObject(schema['items'])) {
      const items = schema['items'];
      return value.map((item, i) => coerceValue(item, items, `${where}[${i}]`, repairs));
    }
    return value;
  }
  const coerced = convert(value, types);
  if (coerced === NO_CHANGE) return value;
  repairs.push(`coerced:${where}`);
  return coerceValue(coerced, schema, where, []);
}

const NO_CHANGE = Symbol('no change');

function convert(value: unknown, types: ReadonlySet<string>): unknown {
  if (typeof value === 'string') {
    if ((types.has('number') || types.has('integer')) && NUMBER.test(value)) {
      const n = Number(value);
      if (Number.isFinite(n) && (types.has('number') || Number.isInteger(n))) return n;
    }
    if (types.has('boolean') && /^(?:true|false)$/i.test(value.trim())) {
      return value.trim().toLowerCase() === 'true';
    }
    if (types.has('array') || types.has('object')) {
      const parsed = safeJsonParse(value);
      if (parsed.ok && fits(parsed.value, types)) return parsed.value;
    }
  }
  if ((typeof value === 'number' || typeof value === 'boolean') && types.has('string')) {
    return String(value);
  }
  if (Array.isArray(value) && value.length === 1 && !types.has('array') && fits(value[0], types)) {
    return value[0];
  }
  if (types.has('array') && !Array.isArray(value) && value !== null && value !== undefined) {
    return [value];
  }
  return NO_CHANGE;
}

/** The JSON types a schema allows, from `type`, `enum`, `const` and `anyOf`/`oneOf` members. */
function typesOf(schema: unknown): Set<string> {
  const types = new Set<string>();
  if (!isPlainObject(schema)) return types;
  const { type } = schema;
  if (typeof type === 'string') types.add(type);
  if (Array.isArray(type)) for (const t of type) if (typeof t === 'string') types.add(t);
  const choices = [...asArray(schema['enum']), ...('const' in schema ? [schema['const']] : [])];
  for (const choice of choices) types.add(choice === null ? 'null' : typeof choice);
  for (const member of [...asArray(schema['anyOf']), ...asArray(schema['oneOf'])]) {
    for (const t of typesOf(member)) types.add(t);
  }
  return types;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function fits(value: unknown, types: ReadonlySet<string>): boolean {
  if (value === null) return types.has('null');
  if (Array.isArray(value)) return types.has('array');
  if (typeof value === 'number')
    return types.has('number') || (types.has('integer') && Number.isInteger(value));
  if (typeof value === 'object') return types.has('object');
  return types.has(typeof value);
}

/** A property the arguments lack whose name the given key misspells, when exactly one does. */
function closestMissing(
  key: string,
  properties: Record<string, unknown>,
  present: Record<string, unknown>,
): string | null {
  const loose = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, '');
  const candidates = Object.keys(properties).filter((name) => !Object.hasOwn(present, name));
  const same = candidates.filter((name) => loose(name) === loose(key));
  if (same.length === 1) return same[0] as string;
  if (loose(key).length < 5) return null;
  const close = candidates.filter((name) => editDistance(loose(key), loose(name), 2) <= 2);
  return close.length === 1 ? (close[0] as string) : null;
}
