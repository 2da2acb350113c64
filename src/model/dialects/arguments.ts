import { isPlainObject, safeJsonParse } from '../../core/json.js';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Turns whatever the model wrote as arguments into JSON text: an object is serialized, a string
 * holding a JSON object is unwrapped, absent or empty arguments become `{}`, and any other string
 * passes through unchanged so the loop can report it as invalid.
 */
export function normalizeArguments(value: unknown): string {
  if (value === undefined || value === null) return '{}';
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed === '') return '{}';
    const parsed = safeJsonParse(trimmed);
    return parsed.ok && isPlainObject(parsed.value) ? JSON.stringify(parsed.value) : value;
  }
  return JSON.stringify(value);
}

/** Sets a key on an object built from model text, skipping prototype-polluting names. */
export function setSafeKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (FORBIDDEN_KEYS.has(key)) return;
  target[key] = value;
}

/** A call read from a JSON envelope such as `{"name": ..., "arguments": {...}}`. */
export type EnvelopeCall =
  | { ok: true; name: string; arguments: string }
  | { ok: false; name: string | null; reason: string };

/**
 * Reads one call envelope. Accepts `arguments` or `parameters`, and the OpenAI
 * `{"function": {...}}` nesting. With `requireArguments`, an object without either key is not a
 * call at all (null), which keeps plain JSON answers such as `{"name": "my-app"}` as text.
 */
export function readEnvelope(value: unknown, requireArguments = false): EnvelopeCall | null {
  if (!isPlainObject(value)) return null;
  const inner = isPlainObject(value['function']) ? value['function'] : value;
  const name = inner['name'];
  const hasArguments = Object.hasOwn(inner, 'arguments') || Object.hasOwn(inner, 'parameters');
  if (requireArguments && !hasArguments) return null;
  if (typeof name !== 'string' || name.trim() === '') {
    return requireArguments ? null : { ok: false, name: null, reason: 'the tool call has no name' };
  }
  const args = Object.hasOwn(inner, 'arguments') ? inner['arguments'] : inner['parameters'];
  const normalized = normalizeArguments(args);
  // A tool takes an object of named arguments; `[1,2,3]`, `42` or prose are not a call to run.
  const parsed = safeJsonParse(normalized);
  if (!parsed.ok || !isPlainObject(parsed.value)) {
    return {
      ok: false,
      name: name.trim(),
      reason: 'the tool call arguments are not a JSON object',
    };
  }
  return { ok: true, name: name.trim(), arguments: normalized };
}
