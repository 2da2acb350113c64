import { errorMessage } from './errors.js';
/**
 * The one guarded JSON parser for untrusted text (model output, tool output, files). It never
 * throws, and it drops prototype-polluting keys so parsed objects are safe to spread.
 */
export type JsonParseResult = { ok: true; value: unknown } | { ok: false; error: string };

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const dropForbidden = (key: string, v: unknown): unknown =>
  FORBIDDEN_KEYS.has(key) ? undefined : v;

/**
 * True when a forbidden key may occur in `text`: one of the names appears as written, or a
 * `\u` escape could spell one (`"\u005f_proto__"`). JSON has no other way to write a key's
 * characters, so text without either cannot hold one, and parsing it needs no reviver, which
 * costs a call per value.
 */
function mayHoldForbiddenKey(text: string): boolean {
  return (
    text.includes('\\u') ||
    text.includes('__proto__') ||
    text.includes('constructor') ||
    text.includes('prototype')
  );
}

export function safeJsonParse(text: string): JsonParseResult {
  try {
    const value: unknown = mayHoldForbiddenKey(text)
      ? JSON.parse(text, dropForbidden)
      : JSON.parse(text);
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: errorMessage(error) };
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
