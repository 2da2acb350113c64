import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import type { ModelStep, ToolSpec } from '../../src/core/provider.js';
import { textStep } from '../../src/model/llama-cpp/text-step.js';
import {
  createLlamaCppProvider,
  defaultModelPath,
  textFormat,
} from '../../src/model/llama-cpp-provider.js';

const calculator: ToolSpec = {
  name: 'calculator',
  description: 'math',
  parameters: {
    type: 'object',
    properties: { expression: { type: 'string' } },
    required: ['expression'],
  },
};

function reply(text: string): ModelStep {
  return {
    text,
    reasoning: null,
    toolCalls: [],
    toolCallSource: null,
    dialect: null,
    usage: { prompt_tokens: 1, completion_tokens: 1 },
    finishReason: 'stop',
  };
}

let ids = 0;
const newId = () => `call_${++ids}`;
const call =
  '<tool_call>\n{"name": "calculator", "arguments": {"expression": "2+2"}}\n</tool_call>';

describe('the in-process provider splits reasoning from text itself', () => {
  it('moves a leading think block to reasoning and never runs a call drafted inside it', () => {
    const step = textStep(
      reply(`<think>maybe ${call}</think>\nThe answer is 4.`),
      [calculator],
      'hermes',
      newId,
    );
    expect(step.text).toBe('The answer is 4.');
    expect(step.reasoning).toBe(`maybe ${call}`);
    expect(step.toolCalls).toEqual([]);
    expect(step.finishReason).toBe('stop');
  });

  it('parses the call after the think block and keeps the thinking as reasoning', () => {
    const step = textStep(
      reply(`<think>use the tool</think>\n${call}`),
      [calculator],
      'auto',
      newId,
    );
    expect(step.reasoning).toBe('use the tool');
    expect(step.toolCalls).toMatchObject([
      { name: 'calculator', arguments: '{"expression":"2+2"}' },
    ]);
    expect(step).toMatchObject({
      toolCallSource: 'text',
      dialect: 'hermes',
      finishReason: 'tool_calls',
    });
  });

  it('splits the think block even when no tools are offered', () => {
    const step = textStep(reply('<think>easy</think>4'), [], 'auto', newId);
    expect(step).toMatchObject({ text: '4', reasoning: 'easy', toolCalls: [] });
  });

  it('handles a reply holding only the closing tag, as templates that open the block write', () => {
    expect(textStep(reply('so 4</think>\n4'), [], 'auto', newId)).toMatchObject({
      text: '4',
      reasoning: 'so 4',
    });
  });
});

describe('--tool-format with the in-process provider', () => {
  it('honours a named dialect: a hermes call is not parsed as mistral', () => {
    const step = textStep(reply(call), [calculator], textFormat('mistral'), newId);
    expect(step.toolCalls).toEqual([]);
    const mistral = textStep(
      reply('[TOOL_CALLS][{"name": "calculator", "arguments": {"expression": "2+2"}}]'),
      [calculator],
      textFormat('mistral'),
      newId,
    );
    expect(mistral.toolCalls).toMatchObject([{ name: 'calculator' }]);
  });

  it('parses the <tool_call> blocks the model is prompted for under prompted, and every dialect under auto', () => {
    expect(textFormat('prompted')).toBe('hermes');
    expect(textFormat('auto')).toBe('auto');
    const pythonic = reply('[calculator(expression="2+2")]');
    expect(textStep(pythonic, [calculator], textFormat('auto'), newId).toolCalls).toHaveLength(1);
    expect(textStep(pythonic, [calculator], textFormat('prompted'), newId).toolCalls).toHaveLength(
      0,
    );
  });

  it('refuses native with a UsageError that names the flag and the formats it can use', () => {
    expect(() => textFormat('native')).toThrow(UsageError);
    expect(() =>
      createLlamaCppProvider({ modelPath: defaultModelPath(), toolFormat: 'native' }),
    ).toThrow(
      '--tool-format native: the in-process llama.cpp model has no native tool-call channel (it is prompted to write <tool_call> blocks); use auto, prompted, hermes, llama, mistral, pythonic or harmony',
    );
  });
});
