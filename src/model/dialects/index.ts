import type { ModelToolCall, ToolFormat } from '../provider.js';

/** The result of looking for tool calls in assistant text. */
export interface TextToolCalls {
  calls: ModelToolCall[];
  /** The text with the recognized tool-call markup removed. */
  text: string;
  /** The dialect that matched, or null when none did. */
  dialect: string | null;
}

/**
 * Finds tool calls written as text in `content`. `format` 'auto' tries every dialect; a named
 * format tries only that one. Only names in `toolNames` count.
 * (Stub: replaced by the dialect parsers.)
 */
export function parseTextToolCalls(
  text: string,
  _toolNames: readonly string[],
  _format: ToolFormat,
): TextToolCalls {
  return { calls: [], text, dialect: null };
}
