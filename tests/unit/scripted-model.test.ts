import { describe, expect, it } from 'vitest';
import type { ModelRequest } from '../../src/core/provider.js';
import {
  calculatorScript,
  createScriptedModel,
  extractExpression,
  type ScriptRequest,
  sequenceScript,
  toolThenAnswerScript,
} from '../../src/testing.js';

const calculator = {
  name: 'calculator',
  description: 'Evaluates arithmetic.',
  parameters: { type: 'object', properties: { expression: { type: 'string' } } },
};

function ask(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return {
    messages: [{ role: 'user', content: 'What is 123456789 * 987654321?' }],
    tools: [calculator],
    sampling: {},
    ...overrides,
  };
}

describe('createScriptedModel', () => {
  it('calls the calculator, then answers with the tool result verbatim', async () => {
    const model = createScriptedModel(calculatorScript());
    const first = await model.step(ask());
    expect(first.toolCallSource).toBe('native');
    expect(first.finishReason).toBe('tool_calls');
    expect(first.toolCalls).toEqual([
      { id: 'call_1', name: 'calculator', arguments: '{"expression":"123456789 * 987654321"}' },
    ]);
    const second = await model.step(
      ask({
        messages: [
          { role: 'user', content: 'What is 123456789 * 987654321?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'calculator', arguments: '{}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: '121932631112635269' },
        ],
      }),
    );
    expect(second).toMatchObject({
      text: '121932631112635269',
      toolCalls: [],
      toolCallSource: null,
      finishReason: 'stop',
    });
  });

  it('gives every call of the provider a new id', async () => {
    const model = createScriptedModel(() => ({
      tool_calls: [
        { name: 'a', arguments: {} },
        { name: 'b', arguments: 'not json' },
      ],
    }));
    const first = await model.step(ask());
    const second = await model.step(ask());
    expect([...first.toolCalls, ...second.toolCalls].map((call) => call.id)).toEqual([
      'call_1',
      'call_2',
      'call_3',
      'call_4',
    ]);
    expect(first.toolCalls[1]?.arguments).toBe('not json');
  });

  it('shows the script the request as a server would see it', async () => {
    const seen: ScriptRequest[] = [];
    const model = createScriptedModel(
      (request) => {
        seen.push(request);
        return { content: 'ok', reasoning: 'thought' };
      },
      { name: 'tiny' },
    );
    const step = await model.step(ask({ sampling: { temperature: 0, seed: 3 } }));
    expect(model.info).toEqual({ provider: 'scripted', name: 'tiny', base_url: null });
    expect(step.reasoning).toBe('thought');
    expect(step.usage.prompt_tokens).toBeGreaterThan(0);
    expect(seen[0]).toMatchObject({ model: 'tiny', stream: false, temperature: 0, seed: 3 });
    expect(seen[0]?.tools).toEqual([calculator]);
    expect(seen[0]?.top_p).toBeUndefined();
  });

  it('refuses to step once the signal has aborted', async () => {
    const model = createScriptedModel(() => ({ content: 'x' }));
    const controller = new AbortController();
    controller.abort();
    await expect(model.step(ask({ signal: controller.signal }))).rejects.toMatchObject({
      code: 'ABORTED',
    });
  });
});

describe('script helpers', () => {
  it('sequenceScript replies in order and names the request it cannot answer', async () => {
    const model = createScriptedModel(sequenceScript([{ content: 'one' }, { content: 'two' }]));
    expect((await model.step(ask())).text).toBe('one');
    expect((await model.step(ask())).text).toBe('two');
    await expect(model.step(ask())).rejects.toThrow('no reply for request 3: only 2 were scripted');
  });

  it('toolThenAnswerScript reads a prompted-mode tool response from a user message', async () => {
    const model = createScriptedModel(
      toolThenAnswerScript({
        tool: 'search',
        args: (prompt) => ({ q: prompt }),
        answer: (result, prompt) => `${prompt} -> ${result}`,
      }),
    );
    const step = await model.step(
      ask({
        messages: [
          { role: 'user', content: 'capital of France' },
          { role: 'assistant', content: '<tool_call>{"name": "search"}</tool_call>' },
          { role: 'user', content: '<tool_response>\nParis\n</tool_response>' },
        ],
      }),
    );
    expect(step.text).toBe('capital of France -> Paris');
  });

  it('toolThenAnswerScript unwraps a JSON tool response to its content', async () => {
    const model = createScriptedModel(calculatorScript());
    const step = await model.step(
      ask({
        messages: [
          { role: 'user', content: 'What is 2 + 2?' },
          { role: 'assistant', content: '<tool_call>{"name": "calculator"}</tool_call>' },
          {
            role: 'user',
            content: '<tool_response>\n{"name": "calculator", "content": "4"}\n</tool_response>',
          },
        ],
      }),
    );
    expect(step.text).toBe('4');
  });

  it('toolThenAnswerScript refuses a conversation that ends with the assistant', async () => {
    const model = createScriptedModel(calculatorScript());
    await expect(
      model.step(ask({ messages: [{ role: 'assistant', content: 'hi' }] })),
    ).rejects.toThrow('last message to be a user or tool message');
  });

  it.each([
    ['What is 123456789 * 987654321?', '123456789 * 987654321'],
    ["what's 2^200", '2^200'],
    ['Compute: 1/3 + 1/6.', '1/3 + 1/6'],
    ['Please add 12 + 30 for me', '12 + 30'],
    ['sqrt(2)', 'sqrt(2)'],
  ])('extractExpression finds the arithmetic in %j', (prompt, expression) => {
    expect(extractExpression(prompt)).toBe(expression);
  });
});
