import { randomUUID } from 'node:crypto';
import type { JsonSchema, ModelToolCall, ToolFormat } from '../../core/provider.js';
import { bareJsonDialect } from './bare-json.js';
import { deepseekDialect } from './deepseek.js';
import { deepseekDsmlDialect } from './deepseek-dsml.js';
import { fencedJsonDialect } from './fenced-json.js';
import { functionTagDialect } from './function-tag.js';
import { gemmaDialect } from './gemma.js';
import { harmonyDialect } from './harmony.js';
import { hermesDialect } from './hermes.js';
import { hermesWrappersDialect } from './hermes-wrappers.js';
import { inlineJsonDialect, inlinePythonicDialect } from './inline-calls.js';
import { mistralDialect } from './mistral.js';
import { pythonTagDialect } from './python-tag.js';
import { pythonicDialect } from './pythonic.js';
import { qwenXmlDialect } from './qwen-xml.js';
import { removeSpans } from './text-spans.js';
import { maskLeadingThink } from './think-mask.js';
import { createToolNameResolver } from './tool-names.js';
import { toolRequestDialect } from './tool-request.js';
import type { Dialect, DialectResult, RejectedCall } from './types.js';

export type { RejectedCall } from './types.js';

/** The result of looking for tool calls in assistant text. */
export interface TextToolCalls {
  calls: ModelToolCall[];
  /** The text with the recognized tool-call markup removed. */
  text: string;
  /**
   * The dialect that recognized markup: it found calls, rejected some, or rewrote the text
   * (harmony channels). Null when the text holds no markup any dialect knows.
   */
  dialect: string | null;
  /**
   * Calls written in explicit call markup that were not turned into tool calls (a name that is
   * not an offered tool, JSON cut off or broken), so the loop can tell the model. Their markup
   * stays in `text`. Absent when there are none.
   */
  rejected?: RejectedCall[];
  /** Reasoning a dialect separated from the text (harmony's analysis channel). */
  reasoning?: string;
}

export interface ParseTextToolCallsOptions {
  /**
   * Each tool's parameters schema by name. Dialects whose values are untyped text (Qwen3-Coder
   * XML, DeepSeek DSML) use it to type them; without it those values stay strings.
   */
  schemas?: Readonly<Record<string, JsonSchema>>;
  /** Makes the id of the call at `index`; by default `call_` and random hex. */
  newId?: (index: number) => string;
}

/** Auto-detection order: the most specific markers first, whole-message guesses last. */
const AUTO: readonly Dialect[] = [
  harmonyDialect,
  deepseekDialect,
  deepseekDsmlDialect,
  hermesDialect,
  qwenXmlDialect,
  toolRequestDialect,
  gemmaDialect,
  mistralDialect,
  pythonTagDialect,
  functionTagDialect,
  fencedJsonDialect,
  bareJsonDialect,
  pythonicDialect,
];

const BY_FORMAT: Readonly<Record<ToolFormat, readonly Dialect[]>> = {
  auto: AUTO,
  native: [],
  hermes: [
    hermesDialect,
    qwenXmlDialect,
    functionTagDialect,
    hermesWrappersDialect,
    bareJsonDialect,
  ],
  prompted: [hermesDialect],
  llama: [pythonTagDialect, functionTagDialect, bareJsonDialect, inlineJsonDialect],
  mistral: [mistralDialect],
  pythonic: [pythonicDialect, inlinePythonicDialect],
  harmony: [harmonyDialect],
};

/**
 * Finds tool calls written as text in `content`. `format` 'auto' tries every dialect and keeps
 * the first that finds calls; a named format tries only its own; 'native' finds none. Only
 * names in `toolNames` count (or, given a pattern, the names it matches).
 */
export function parseTextToolCalls(
  text: string,
  toolNames: readonly string[] | RegExp,
  format: ToolFormat,
  options: ParseTextToolCallsOptions = {},
): TextToolCalls {
  const dialects = BY_FORMAT[format];
  if (dialects.length === 0 || text.trim() === '') return { calls: [], text, dialect: null };
  const context = { resolve: createToolNameResolver(toolNames), schemas: options.schemas ?? {} };
  const searched = maskLeadingThink(text);
  let fallback: { name: string; result: DialectResult } | null = null;
  for (const dialect of dialects) {
    const result = dialect.parse(searched, context);
    if (result === null) continue;
    if (result.calls.length > 0) return finish(text, dialect.name, result, options.newId);
    if (fallback === null && (result.rejected.length > 0 || result.text !== undefined)) {
      fallback = { name: dialect.name, result };
    }
    // Harmony markup explains the whole message; other dialects would only misread it.
    if (dialect === harmonyDialect) break;
  }
  if (fallback !== null) return finish(text, fallback.name, fallback.result, options.newId);
  return { calls: [], text, dialect: null };
}

function finish(
  original: string,
  dialect: string,
  result: DialectResult,
  newId: ((index: number) => string) | undefined,
): TextToolCalls {
  const makeId = newId ?? defaultId;
  const parsed: TextToolCalls = {
    calls: result.calls.map((call, index) => ({
      id: makeId(index),
      name: call.name,
      arguments: call.arguments,
    })),
    text: result.text ?? removeSpans(original, result.spans, result.calls.length > 0),
    dialect,
  };
  if (result.rejected.length > 0) parsed.rejected = result.rejected;
  if (result.reasoning !== undefined) parsed.reasoning = result.reasoning;
  return parsed;
}

function defaultId(): string {
  return `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
}
