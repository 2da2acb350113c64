import type { ChatMessage } from '../core/messages.js';
import type { JsonSchema } from '../core/provider.js';

/** A tool as the client advertised it. */
export interface ScriptTool {
  name: string;
  description?: string;
  parameters?: JsonSchema;
}

/** What a script sees of one chat-completions request. */
export interface ScriptRequest {
  model: string;
  /** The messages as the client sent them. */
  messages: ChatMessage[];
  tools: ScriptTool[];
  stream: boolean;
  temperature?: number;
  top_p?: number;
  seed?: number;
  max_tokens?: number;
  /** The whole request body, for fields the other members leave out. */
  body: Record<string, unknown>;
  /**
   * Which of the `n` choices of one request this reply is for (0 to n−1), when the server
   * honours `n`: the script is called once per choice. Absent on a request for one answer.
   */
  choice?: number;
}

export interface ScriptToolCall {
  name: string;
  /** An object is sent as JSON; a string is sent as it is (e.g. broken JSON, on purpose). */
  arguments: unknown;
}

/** One assistant turn for the scripted server or model to send. */
export interface ScriptReply {
  content?: string;
  reasoning?: string;
  tool_calls?: ScriptToolCall[];
  /** Default `tool_calls` when there are calls, else `stop`. */
  finish_reason?: string;
}

/** Decides the reply to each request; may be async. A thrown error becomes an HTTP 500. */
export type Script = (request: ScriptRequest) => ScriptReply | Promise<ScriptReply>;

/**
 * A fault the scripted server applies instead of the script's reply. Faults are used in the
 * order given, each for `times` requests (default 1); later requests get normal replies.
 */
export type Fault =
  | {
      kind: 'status';
      status: number;
      /** Sent as the `retry-after` header, in seconds. */
      retryAfter?: number;
      /** The response body; a JSON error object by default. */
      body?: string;
      times?: number;
    }
  /** Sends the headers and a couple of chunks, then destroys the socket. */
  | { kind: 'drop-mid-stream'; times?: number }
  /** A 200 whose JSON body (or SSE `data:` line) does not parse. */
  | { kind: 'malformed-json'; times?: number }
  /** Sends the headers, then nothing for `ms`, then the normal reply if the client is still there. */
  | { kind: 'stall'; ms: number; times?: number };

/** How the scripted server lays a reply on the wire, after the real servers it imitates. */
export type WireFormat = 'openai' | 'ollama' | 'vllm' | 'sglang' | 'llamacpp' | 'hermes-text';

export const WIRE_FORMATS: readonly WireFormat[] = [
  'openai',
  'ollama',
  'vllm',
  'sglang',
  'llamacpp',
  'hermes-text',
];

/** The argument text of a scripted call: strings as they are, anything else as JSON. */
export function scriptArguments(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? {});
}

/** A rough token count (four characters a token), enough for usage fields in tests. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The text of a message's content, whether a string or an array of text parts. */
export function messageText(message: { content?: unknown } | undefined): string {
  const content = message?.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) =>
      typeof part === 'object' &&
      part !== null &&
      typeof (part as { text?: unknown }).text === 'string'
        ? (part as { text: string }).text
        : '',
    )
    .join('');
}
