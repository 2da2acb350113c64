import type { JsonSchema } from '../../core/provider.js';

/** A region of the searched text, `start` inclusive and `end` exclusive. */
export interface Span {
  start: number;
  end: number;
}

/** A call the model wrote that was not turned into a tool call, kept so the loop can say why. */
export interface RejectedCall {
  /** The tool name the model wrote, or null when none could be read. */
  name: string | null;
  reason: string;
}

/** A tool call found in text, before it gets an id. */
export interface FoundCall {
  name: string;
  /** The arguments as JSON text (an object when the model wrote a valid one). */
  arguments: string;
}

/** What one dialect found in a message. */
export interface DialectResult {
  calls: FoundCall[];
  rejected: RejectedCall[];
  /** Markup to cut out of the visible text. */
  spans: Span[];
  /** The visible text, for dialects that rebuild it instead of cutting spans. */
  text?: string;
  /** Reasoning the dialect separated from the visible text (harmony's analysis channel). */
  reasoning?: string;
}

/** Resolves a name the model wrote to an offered tool, or null when it is not one. */
export type ToolNameResolver = (name: string) => string | null;

export interface DialectContext {
  resolve: ToolNameResolver;
  /** JSON Schemas of the tools' parameters, by tool name, for dialects whose values are untyped text. */
  schemas: Readonly<Record<string, JsonSchema>>;
}

/** A text tool-call convention. `parse` returns null when the text shows none of its markup. */
export interface Dialect {
  name: string;
  parse(text: string, context: DialectContext): DialectResult | null;
}
