import { describe, expect, it } from 'vitest';
import type { ChatMessage, ToolCallMessagePart } from '../../src/core/messages.js';
import type { ToolSpec } from '../../src/core/provider.js';
import { parseTextToolCalls } from '../../src/model/dialects/index.js';
import { promptedSystemMessage, toPromptedMessages } from '../../src/model/prompted.js';

const calculator: ToolSpec = {
  name: 'calculator',
  description: 'Evaluates an arithmetic expression exactly.',
  parameters: {
    type: 'object',
    properties: { expression: { type: 'string' } },
    required: ['expression'],
  },
};
const writeFile: ToolSpec = {
  name: 'write_file',
  description: 'Writes a file.',
  parameters: {
    type: 'object',
    properties: { path: { type: 'string' }, content: { type: 'string' } },
  },
};
const tools = [calculator, writeFile];

function call(id: string, name: string, args: string): ToolCallMessagePart {
  return { id, type: 'function', function: { name, arguments: args } };
}

describe('the prompted system message', () => {
  it('describes every tool with its schema and teaches the tool_call format', () => {
    const text = promptedSystemMessage(tools);
    for (const tool of tools) {
      expect(text).toContain(
        JSON.stringify({
          name: tool.name,
          description: tool.description,
          parameters: tool.parameters,
        }),
      );
    }
    expect(text).toContain('<tool_call>\n{"name": "<name of the tool>", "arguments":');
    expect(text).toContain('<tool_response>');
    expect(text).toMatch(/final answer.*plain text with no <tool_call>/);
  });

  it('is empty when there are no tools', () => {
    expect(promptedSystemMessage([])).toBe('');
  });
});

describe('conversations rewritten for prompted mode', () => {
  const conversation: ChatMessage[] = [
    { role: 'system', content: 'You are careful.' },
    { role: 'user', content: 'Compute two things.' },
    {
      role: 'assistant',
      content: 'Computing.',
      tool_calls: [
        call('c1', 'calculator', '{"expression":"2^200"}'),
        call('c2', 'calculator', '{"expression":"1/3 + 1/6"}'),
      ],
    },
    {
      role: 'tool',
      tool_call_id: 'c1',
      content: '1606938044258990275541962092341162602522202993782792835301376',
    },
    {
      role: 'tool',
      tool_call_id: 'c2',
      name: 'calculator',
      content: 'bad "input"',
      is_error: true,
    },
    { role: 'user', content: 'Thanks.' },
  ];

  it('merges the tool instructions into the existing system message', () => {
    const [system] = toPromptedMessages(conversation, tools);
    expect(system).toEqual({
      role: 'system',
      content: `You are careful.\n\n${promptedSystemMessage(tools)}`,
    });
  });

  it('puts a system message first when the conversation has none', () => {
    const [system, user] = toPromptedMessages(conversation.slice(1), tools);
    expect(system).toEqual({ role: 'system', content: promptedSystemMessage(tools) });
    expect(user).toEqual({ role: 'user', content: 'Compute two things.' });
  });

  it('writes assistant calls as tool_call blocks after the text', () => {
    const assistant = toPromptedMessages(conversation, tools)[2];
    expect(assistant).toEqual({
      role: 'assistant',
      content:
        'Computing.\n<tool_call>\n{"name": "calculator", "arguments": {"expression":"2^200"}}\n</tool_call>\n' +
        '<tool_call>\n{"name": "calculator", "arguments": {"expression":"1/3 + 1/6"}}\n</tool_call>',
    });
  });

  it('turns consecutive tool results into one user message and keeps the next user turn apart', () => {
    const messages = toPromptedMessages(conversation, tools);
    expect(messages.slice(3)).toEqual([
      {
        role: 'user',
        content:
          '<tool_response>\n{"name":"calculator","content":"1606938044258990275541962092341162602522202993782792835301376"}\n</tool_response>\n' +
          '<tool_response>\n{"name":"calculator","content":"bad \\"input\\"","is_error":true}\n</tool_response>',
      },
      { role: 'user', content: 'Thanks.' },
    ]);
    expect(messages.every((message) => message.role !== 'tool')).toBe(true);
  });

  it('shows malformed arguments as an empty object', () => {
    const [, assistant] = toPromptedMessages(
      [
        {
          role: 'assistant',
          content: null,
          tool_calls: [call('c1', 'calculator', '{"expression": ')],
        },
      ],
      tools,
    );
    expect(assistant?.content).toBe(
      '<tool_call>\n{"name": "calculator", "arguments": {}}\n</tool_call>',
    );
  });

  it('adds no system text without tools and leaves the input untouched', () => {
    const before = structuredClone(conversation);
    const messages = toPromptedMessages(conversation);
    expect(messages[0]).toEqual(conversation[0]);
    expect(messages).toHaveLength(5);
    expect(conversation).toEqual(before);
  });
});

describe('prompted mode round trip', () => {
  it('parses the rewritten assistant turn back into the same calls with the hermes dialect', () => {
    const calls = [
      call(
        'c1',
        'write_file',
        JSON.stringify({ path: 'a.json', content: '{"x": [1, {"y": "}"}]} </tool_call> done' }),
      ),
      call('c2', 'calculator', JSON.stringify({ expression: 'gcd(12, 18)' })),
      call('c3', 'calculator', '{}'),
    ];
    const [, assistant] = toPromptedMessages(
      [{ role: 'assistant', content: 'Doing both.', tool_calls: calls }],
      tools,
    );
    const parsed = parseTextToolCalls(
      String(assistant?.content),
      tools.map((tool) => tool.name),
      'hermes',
    );
    expect(parsed.text).toBe('Doing both.');
    expect(parsed.calls.map((c) => [c.name, JSON.parse(c.arguments)])).toEqual(
      calls.map((c) => [c.function.name, JSON.parse(c.function.arguments)]),
    );
  });
});
