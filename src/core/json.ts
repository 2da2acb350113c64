import { errorMessage } from './errors.js';
/**
 * The one guarded JSON parser for untrusted text (model output, tool output, files). It never
 * throws, and it drops prototype-polluting keys so parsed objects are safe to spread.
 */
export type JsonParseResult = { ok: true; value: unknown } | { ok: false; error: string };

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function safeJsonParse(text: string): JsonParseResult {
  try {
    const value: unknown = JSON.parse(text, (key, v: unknown) =>
      FORBIDDEN_KEYS.has(key) ? undefined : v,
    );
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: errorMessage(error) };
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
