import type { StepTokens } from './provider.js';

/**
 * Conversation messages in the OpenAI chat-completions shape. This is the shape stored in
 * traces and sent to OpenAI-compatible servers; other providers convert from it.
 */

export interface ToolCallMessagePart {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface SystemMessage {
  role: 'system';
  content: string;
}

export interface UserMessage {
  role: 'user';
  content: string;
  /**
   * True for a nudge the harness wrote (an empty reply, tool calls that were not run), not the
   * task's own words. Never sent to the model as a field; exports keep these out of training text.
   */
  harness?: boolean;
}

export interface AssistantMessage {
  role: 'assistant';
  content: string | null;
  tool_calls?: ToolCallMessagePart[];
  /** Reasoning text the server returned beside the answer (`reasoning_content` or `reasoning`). */
  reasoning_content?: string;
  /** The turn's token ids and logprobs, when recorded (`--record-tokens`); never sent back. */
  tokens?: StepTokens;
}

export interface ToolMessage {
  role: 'tool';
  tool_call_id: string;
  content: string;
  /** The tool's name; kept for formats (ShareGPT, prompted mode) that need it. */
  name?: string;
  /** True when the tool call failed because of the model (bad arguments, denial, unknown tool). */
  is_error?: boolean;
}

export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;
