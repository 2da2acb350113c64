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
}

export interface AssistantMessage {
  role: 'assistant';
  content: string | null;
  tool_calls?: ToolCallMessagePart[];
  /** Reasoning text the server returned beside the answer (`reasoning_content` or `reasoning`). */
  reasoning_content?: string;
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
