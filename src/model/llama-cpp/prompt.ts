import type { ChatHistoryItem, LlamaModel, LlamaText, Token } from 'node-llama-cpp';
import type { ChatMessage } from '../../core/messages.js';
import type { ToolSpec } from '../../core/provider.js';
import {
  type ChatTurn,
  COMPACT_TOOLS_MARKER,
  chatTurns,
  renderChatMl,
  type ToolPromptStyle,
} from './chat-render.js';

type NodeLlamaCpp = typeof import('node-llama-cpp');

/**
 * How a model's prompts are written. `chatml`: assay renders ChatML itself (the GGUF's template
 * is ChatML, or there is none); `jinja`: node-llama-cpp runs the GGUF's own Jinja template.
 */
export type PromptRenderer =
  | { kind: 'chatml'; toolStyle: ToolPromptStyle }
  | { kind: 'jinja'; render: (turns: ChatTurn[]) => { text: LlamaText; stops: string[] } };

/** Reads the GGUF's `tokenizer.chat_template` and picks how prompts are rendered. */
export function pickRenderer(lib: NodeLlamaCpp, model: LlamaModel): PromptRenderer {
  const template = chatTemplate(model);
  if (template === null || template.includes('<|im_start|>')) {
    // The tiny model's template marks itself: it was trained on a one-line list of tool names.
    const compact = template?.includes(COMPACT_TOOLS_MARKER) ?? false;
    return { kind: 'chatml', toolStyle: compact ? 'compact' : 'prompted' };
  }
  let wrapper: InstanceType<NodeLlamaCpp['JinjaTemplateChatWrapper']>;
  try {
    wrapper = new lib.JinjaTemplateChatWrapper({ template });
  } catch {
    return { kind: 'chatml', toolStyle: 'prompted' };
  }
  return {
    kind: 'jinja',
    render(turns) {
      const history: ChatHistoryItem[] = turns.map((turn) =>
        turn.role === 'assistant'
          ? { type: 'model', response: [turn.content] }
          : { type: turn.role, text: turn.content },
      );
      history.push({ type: 'model', response: [] });
      const state = wrapper.generateContextState({ chatHistory: history });
      const stops = state.stopGenerationTriggers
        .map((trigger) => trigger.toString())
        .filter((stop) => stop.length > 0);
      return { text: state.contextText, stops };
    },
  };
}

export function chatTemplate(model: LlamaModel): string | null {
  const tokenizer = (model.fileInfo.metadata as { tokenizer?: { chat_template?: unknown } })
    .tokenizer;
  const template = tokenizer?.chat_template;
  return typeof template === 'string' && template.trim() !== '' ? template : null;
}

/** The prompt's tokens, and texts that end the answer besides the end-of-generation tokens. */
export function promptTokens(
  lib: NodeLlamaCpp,
  model: LlamaModel,
  renderer: PromptRenderer,
  messages: readonly ChatMessage[],
  tools: readonly ToolSpec[],
): { tokens: Token[]; stops: string[] } {
  if (renderer.kind === 'chatml') {
    const pieces = renderChatMl(chatTurns(messages, tools, renderer.toolStyle));
    const text = new lib.LlamaText(
      pieces.map((piece) =>
        'special' in piece ? new lib.SpecialTokensText(piece.special) : piece.text,
      ),
    );
    const tokens = text.tokenize(model.tokenizer);
    const bos = model.tokens.bos;
    if (model.tokens.shouldPrependBosToken && bos !== null && tokens[0] !== bos)
      tokens.unshift(bos);
    return { tokens, stops: ['<|im_end|>'] };
  }
  const { text, stops } = renderer.render(chatTurns(messages, tools, 'prompted'));
  return { tokens: text.tokenize(model.tokenizer), stops };
}
