import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from '@huggingface/jinja';
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/core/messages.js';
import type { ToolSpec } from '../../src/core/provider.js';
import { chatTurns, piecesToString, renderChatMl } from '../../src/model/llama-cpp/chat-render.js';

// The tiny model's GGUF carries this template; the provider renders the same text in TypeScript.
const template = new Template(
  readFileSync(join(import.meta.dirname, '../../examples/tiny-model/chat_template.jinja'), 'utf8'),
);

const tools: ToolSpec[] = [
  { name: 'calculator', description: 'math', parameters: {} },
  { name: 'web_search', description: 'search', parameters: {} },
];

const conversation: ChatMessage[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'What is 2 * 3?' },
  {
    role: 'assistant',
    content: null,
    tool_calls: [
      {
        id: 'a',
        type: 'function',
        function: { name: 'calculator', arguments: '{"expression":"2 * 3"}' },
      },
      {
        id: 'b',
        type: 'function',
        function: { name: 'calculator', arguments: '{"expression":"3 * 2"}' },
      },
    ],
  },
  { role: 'tool', tool_call_id: 'a', name: 'calculator', content: '6' },
  { role: 'tool', tool_call_id: 'b', name: 'calculator', content: '6' },
  { role: 'assistant', content: '6' },
  { role: 'user', content: 'And "quoted" text?' },
];

function jinja(messages: ChatMessage[], withTools: ToolSpec[]): string {
  return template.render({
    bos_token: '',
    add_generation_prompt: true,
    messages,
    tools: withTools.map((t) => ({ type: 'function', function: t })),
  });
}

describe('the tiny model chat template', () => {
  it('renders the same text as the provider when tools are offered', () => {
    const ours = piecesToString(renderChatMl(chatTurns(conversation, tools, 'compact')));
    expect(jinja(conversation, tools)).toBe(ours);
    expect(ours).toContain('Be brief.\n\n# Tools: calculator, web_search<|im_end|>');
  });

  it('renders the same text as the provider without tools or a system message', () => {
    const plain = conversation.slice(1);
    expect(jinja(plain, [])).toBe(piecesToString(renderChatMl(chatTurns(plain, [], 'compact'))));
  });
});
