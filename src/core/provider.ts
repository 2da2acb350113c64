import type { ChatMessage } from './messages.js';

/** A JSON Schema object, as advertised to the model. */
export type JsonSchema = Record<string, unknown>;

/** A tool as the model sees it. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: JsonSchema;
}

export interface Sampling {
  temperature?: number;
  top_p?: number;
  seed?: number;
  max_tokens?: number;
  /**
   * Sent as `reasoning_effort` to servers that take it (gpt-oss on vLLM, Ollama, OpenAI);
   * others ignore the field. The in-process model has no such knob and ignores it.
   */
  reasoning_effort?: 'low' | 'medium' | 'high';
}

/** How tool calls travel between assay and the model. */
export type ToolFormat =
  | 'auto'
  | 'native'
  | 'hermes'
  | 'llama'
  | 'mistral'
  | 'pythonic'
  | 'harmony'
  | 'prompted';

export const TOOL_FORMATS: readonly ToolFormat[] = [
  'auto',
  'native',
  'hermes',
  'llama',
  'mistral',
  'pythonic',
  'harmony',
  'prompted',
];

export interface ModelRequest {
  messages: readonly ChatMessage[];
  /** Tools to advertise; empty means none. */
  tools: readonly ToolSpec[];
  sampling: Sampling;
  signal?: AbortSignal;
  /** Ask for the turn's token ids and logprobs (`--record-tokens`). */
  recordTokens?: boolean;
}

/** The token ids of one turn: what the model read, what it sampled, and their logprobs. */
export interface StepTokens {
  /** Null where the server does not return them (llama.cpp's server). */
  prompt_ids: number[] | null;
  completion_ids: number[];
  /** One per completion id; null where the source sent none. */
  logprobs: number[] | null;
}

/** A tool call as the model produced it; `arguments` is the raw JSON text, not yet parsed. */
export interface ModelToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
}

/** One normalized assistant turn. */
export interface ModelStep {
  /** The visible text, with any parsed tool-call markup removed. */
  text: string;
  reasoning: string | null;
  toolCalls: ModelToolCall[];
  /** Where the tool calls came from: the server's native field or text parsed by a dialect. */
  toolCallSource: 'native' | 'text' | null;
  /** The dialect that parsed text tool calls, when any did. */
  dialect: string | null;
  /**
   * Calls written in tool-call markup that could not be used (an unknown tool name, cut-off
   * JSON), so the loop can tell the model instead of taking the markup as an answer.
   */
  rejected?: { name: string | null; reason: string }[];
  usage: Usage;
  finishReason: string | null;
  /**
   * The raw response, for debugging: the JSON body, or the streamed chunks (the first 256,
   * then only those with a finish reason or usage, and `{ assay_dropped_chunks: n }`).
   */
  raw?: unknown;
  /** Set when `recordTokens` was asked for and the model (or its server) returned ids. */
  tokens?: StepTokens;
}

export interface ModelInfo {
  provider: string;
  name: string;
  base_url: string | null;
}

export interface ModelProvider {
  readonly info: ModelInfo;
  step(request: ModelRequest): Promise<ModelStep>;
  /**
   * Up to `n` independent answers to one request in a single call (the OpenAI-compatible
   * `n`), in choice order. A server that ignores `n` gives fewer: the caller asks for the rest
   * one by one. Absent where the provider cannot ask for several.
   */
  stepMany?(request: ModelRequest, n: number): Promise<ModelStep[]>;
  close?(): Promise<void>;
}
