import type { ChatMessage } from '../../core/messages.js';
import type { ToolSpec } from '../../core/provider.js';
import { toPromptedMessages } from '../prompted.js';

/** A ChatML chat-template marker: the template lists tools by name only (the tiny model's). */
export const COMPACT_TOOLS_MARKER = 'assay:compact-tools';

export const IM_START = '<|im_start|>';
export const IM_END = '<|im_end|>';

/**
 * How tools reach the model in the system turn: `prompted` is the full prompted-mode text
 * (names, descriptions, schemas, the `<tool_call>` format); `compact` is one line of names,
 * for a small model trained on that line, whose few thousand tokens of context cannot spare more.
 */
export type ToolPromptStyle = 'prompted' | 'compact';

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** The compact system line that lists the tools. */
export function compactToolsText(tools: readonly ToolSpec[]): string {
  return `# Tools: ${tools.map((tool) => tool.name).join(', ')}`;
}

/**
 * The conversation as chat turns: tool calls as `<tool_call>` blocks, tool results as user
 * turns of `<tool_response>` blocks (the Hermes convention the `hermes` dialect parses), and the
 * tools described in the system turn in the given style.
 */
export function chatTurns(
  messages: readonly ChatMessage[],
  tools: readonly ToolSpec[],
  style: ToolPromptStyle,
): ChatTurn[] {
  const rewritten = toPromptedMessages(messages, style === 'prompted' ? tools : []);
  const turns: ChatTurn[] = rewritten.map((message) => ({
    role: message.role === 'tool' ? 'user' : message.role,
    content: message.content ?? '',
  }));
  if (style === 'compact' && tools.length > 0) {
    const first = turns[0];
    const line = compactToolsText(tools);
    if (first?.role === 'system')
      turns[0] = { role: 'system', content: `${first.content}\n\n${line}` };
    else turns.unshift({ role: 'system', content: line });
  }
  return turns;
}

/** One piece of a rendered prompt: a control token or plain text (never parsed for control tokens). */
export type PromptPiece = { special: string } | { text: string };

/** ChatML: `<|im_start|>role\ncontent<|im_end|>\n` per turn, then the assistant's opening. */
export function renderChatMl(turns: readonly ChatTurn[], generationPrompt = true): PromptPiece[] {
  const pieces: PromptPiece[] = [];
  for (const turn of turns) {
    pieces.push(
      { special: IM_START },
      { text: `${turn.role}\n${turn.content}` },
      { special: IM_END },
      { text: '\n' },
    );
  }
  if (generationPrompt) pieces.push({ special: IM_START }, { text: 'assistant\n' });
  return pieces;
}

/** The pieces as one string, control tokens written literally (how training text is stored). */
export function piecesToString(pieces: readonly PromptPiece[]): string {
  return pieces.map((piece) => ('special' in piece ? piece.special : piece.text)).join('');
}
