import { describe, expect, it } from 'vitest';
import { parseTextToolCalls } from '../../src/model/dialects/index.js';

function calls(
  text: string,
  tools: string[],
  format: Parameters<typeof parseTextToolCalls>[2] = 'auto',
) {
  return parseTextToolCalls(text, tools, format).calls.map((call) => [
    call.name,
    JSON.parse(call.arguments),
  ]);
}

const weather = ['get_weather'];
const hermes = (name: string, args: string) =>
  `<tool_call>{"name": "${name}", "arguments": ${args}}</tool_call>`;

describe('only offered tools are called', () => {
  it('runs the offered call and leaves the unknown one as text, reporting it', () => {
    const text = `${hermes('get_weather', '{"city": "Oslo"}')}\n${hermes('rm_rf', '{}')}`;
    const result = parseTextToolCalls(text, weather, 'auto');
    expect(result.calls.map((call) => call.name)).toEqual(['get_weather']);
    expect(result.text).toBe(hermes('rm_rf', '{}'));
    expect(result.rejected).toEqual([
      { name: 'rm_rf', reason: '"rm_rf" is not one of the offered tools' },
    ]);
  });

  it('matches a name that differs only in case, dashes or a functions. prefix', () => {
    expect(calls(hermes('Get-Weather', '{}'), weather)).toEqual([['get_weather', {}]]);
    expect(calls(hermes('functions.get_weather', '{}'), weather)).toEqual([['get_weather', {}]]);
  });

  it('refuses a loose name that could mean two tools', () => {
    const result = parseTextToolCalls(
      hermes('GET_WEATHER', '{}'),
      ['get_weather', 'Get-Weather'],
      'auto',
    );
    expect(result.calls).toEqual([]);
    expect(result.rejected?.[0]?.name).toBe('GET_WEATHER');
  });

  it('finds nothing when no tools are offered', () => {
    const result = parseTextToolCalls(hermes('get_weather', '{}'), [], 'auto');
    expect(result.calls).toEqual([]);
    expect(result.rejected?.[0]?.name).toBe('get_weather');
  });
});

describe('prose that only looks like a call', () => {
  it.each([
    [
      'call JSON in the middle of a sentence',
      'You could send {"name": "get_weather", "arguments": {"city": "Oslo"}} to ask.',
    ],
    ['a pythonic call inside a sentence', "Run [get_weather(city='Oslo')] when you need it."],
    ['a plain list as the answer', '[1, 2, 3]'],
    ['a list of strings as the answer', "['get_weather', 'x']"],
    [
      'a fenced example followed by an explanation',
      '```json\n{"name": "get_weather", "arguments": {"city": "Oslo"}}\n```\nThat is how a call looks.',
    ],
    ['a JSON answer with a name but no arguments', '{"name": "get_weather"}'],
    ['an empty message', ''],
  ])('is not run: %s', (_label, text) => {
    const result = parseTextToolCalls(text, weather, 'auto');
    expect(result).toEqual({ calls: [], text, dialect: null });
  });
});

describe('cut-off and broken calls', () => {
  it.each([
    ['a v11 Mistral call', '[TOOL_CALLS]get_weather{"city": "Par'],
    [
      'a harmony call without <|call|>',
      '<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"city": "Par',
    ],
    [
      'a DeepSeek call without its end token',
      '<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>get_weather<｜tool▁sep｜>{"city": "Oslo"}',
    ],
    [
      'a Hermes call with prose after unclosed JSON',
      '<tool_call>{"name": "get_weather", "arguments": {}}\nI will wait for it.',
    ],
    [
      'a Hermes call whose JSON cannot be repaired',
      '<tool_call>{"name": "get_weather" "arguments": {: }}</tool_call>',
    ],
    [
      'a Qwen XML call without </function> or </tool_call>',
      '<tool_call>\n<function=get_weather>\n<parameter=city>\nOs',
    ],
  ])('is reported and not run: %s', (_label, text) => {
    const result = parseTextToolCalls(text, weather, 'auto');
    expect(result.calls).toEqual([]);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected?.[0]?.reason).toMatch(/incomplete|unexpected|not valid JSON/);
  });

  it('reports a harmony call whose arguments are not JSON instead of running it', () => {
    const text =
      '<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>foo<|call|>';
    const result = parseTextToolCalls(text, weather, 'harmony');
    expect(result.calls).toEqual([]);
    expect(result.rejected).toEqual([
      { name: 'get_weather', reason: 'the tool call arguments are not a JSON object' },
    ]);
  });

  it('ends an unclosed Hermes block at the next block', () => {
    const text = `<tool_call>{"name": "get_weather", "arguments": {"city": "A"}}\n${hermes('get_weather', '{"city": "B"}')}`;
    expect(calls(text, weather)).toEqual([
      ['get_weather', { city: 'A' }],
      ['get_weather', { city: 'B' }],
    ]);
  });

  it('gives a Hermes call without arguments an empty object', () => {
    expect(calls('<tool_call>{"name": "get_weather"}</tool_call>', weather)).toEqual([
      ['get_weather', {}],
    ]);
  });
});

describe('prototype keys in model output', () => {
  it('drops __proto__ from JSON, Python and XML arguments without polluting objects', () => {
    const json = calls(
      hermes('get_weather', '{"__proto__": {"polluted": 1}, "city": "Oslo"}'),
      weather,
    );
    const python = calls(
      "[get_weather(__proto__={'polluted': 1}, city={'__proto__': 1, 'a': 2})]",
      weather,
    );
    const xml = calls(
      '<tool_call>\n<function=get_weather>\n<parameter=__proto__>\n{"polluted": 1}\n</parameter>\n</function>\n</tool_call>',
      weather,
    );
    expect(json).toEqual([['get_weather', { city: 'Oslo' }]]);
    expect(python).toEqual([['get_weather', { city: { a: 2 } }]]);
    expect(xml).toEqual([['get_weather', {}]]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('reasoning around calls', () => {
  it('runs a call after a closed <think> block and keeps the block in the text', () => {
    const result = parseTextToolCalls(
      `<think>plan it</think>\n${hermes('get_weather', '{}')}`,
      weather,
      'auto',
    );
    expect(result.calls).toHaveLength(1);
    expect(result.text).toBe('<think>plan it</think>');
  });

  it('does not run a call before a </think> whose opening tag was in the prompt', () => {
    const text = `draft ${hermes('get_weather', '{}')}</think>Final answer.`;
    expect(parseTextToolCalls(text, weather, 'auto').calls).toEqual([]);
  });

  it('does not run a call inside an unclosed leading <think>', () => {
    expect(
      parseTextToolCalls(`<think>maybe ${hermes('get_weather', '{}')}`, weather, 'auto').calls,
    ).toEqual([]);
  });
});

describe('harmony messages without calls', () => {
  it('turns a final answer into plain text and the analysis into reasoning', () => {
    const text =
      '<|channel|>analysis<|message|>Easy sum.<|end|><|start|>assistant<|channel|>final<|message|>The answer is 4.<|return|>';
    expect(parseTextToolCalls(text, weather, 'auto')).toEqual({
      calls: [],
      text: 'The answer is 4.',
      dialect: 'harmony',
      reasoning: 'Easy sum.',
    });
  });

  it('drops a tool result the model wrote itself after the call', () => {
    const text =
      '<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{}<|call|><|start|>functions.get_weather to=assistant<|channel|>commentary<|message|>{"sunny": true}<|end|>';
    const result = parseTextToolCalls(text, weather, 'auto');
    expect(result.calls).toHaveLength(1);
    expect(result.text).toBe('');
  });

  it('reports a built-in recipient that is not an offered tool', () => {
    const text =
      '<|start|>assistant<|channel|>commentary to=browser.search <|constrain|>json<|message|>{"query": "x"}<|call|>';
    const result = parseTextToolCalls(text, weather, 'auto');
    expect(result.calls).toEqual([]);
    expect(result.rejected?.[0]?.name).toBe('browser.search');
  });
});

describe('tool formats', () => {
  const text = hermes('get_weather', '{"city": "Oslo"}');

  it('finds no text calls in native mode', () => {
    expect(parseTextToolCalls(text, weather, 'native')).toEqual({ calls: [], text, dialect: null });
  });

  it('reads Hermes tags in prompted mode', () => {
    expect(calls(text, weather, 'prompted')).toEqual([['get_weather', { city: 'Oslo' }]]);
  });

  it.each([
    ['mistral', text],
    ['pythonic', text],
    ['harmony', text],
    ['hermes', "[get_weather(city='Oslo')]"],
    ['llama', '[TOOL_CALLS]get_weather{"city": "Oslo"}'],
  ] as const)('the forced %s format ignores other dialects', (format, other) => {
    expect(parseTextToolCalls(other, weather, format).calls).toEqual([]);
  });
});

describe('call ids', () => {
  it('uses the given id maker and otherwise makes distinct ids', () => {
    const text = `${hermes('get_weather', '{}')}${hermes('get_weather', '{"city": "B"}')}`;
    const fixed = parseTextToolCalls(text, weather, 'auto', { newId: (index) => `t${index}` });
    expect(fixed.calls.map((call) => call.id)).toEqual(['t0', 't1']);
    const random = parseTextToolCalls(text, weather, 'auto');
    expect(new Set(random.calls.map((call) => call.id)).size).toBe(2);
  });
});

describe('arguments that are not an object of named values', () => {
  it.each([
    ['prose', 'not valid json here'],
    ['an array', '[1,2,3]'],
    ['a number', '42'],
    ['a string holding an array', '"[1,2,3]"'],
    ['a string holding a number', '"42"'],
  ])('are reported, not run, when they are %s', (_label, args) => {
    const result = parseTextToolCalls(hermes('get_weather', args), weather, 'hermes');
    expect(result.calls).toEqual([]);
    expect(result.rejected).toEqual([
      { name: 'get_weather', reason: expect.stringMatching(/not (a JSON object|valid JSON)/) },
    ]);
  });

  it('are not "repaired" by dropping what follows // as a comment', () => {
    const result = parseTextToolCalls(hermes('get_weather', '{path:a//b}'), weather, 'hermes');
    expect(result.calls).toEqual([]);
    expect(result.rejected).toHaveLength(1);
  });

  it('still have quotes and trailing commas repaired when nothing is dropped', () => {
    const result = parseTextToolCalls(
      hermes('get_weather', '{"city": "Paris",}'),
      weather,
      'hermes',
    );
    expect(result.calls.map((call) => JSON.parse(call.arguments))).toEqual([{ city: 'Paris' }]);
  });
});

describe('Qwen3-Coder XML blocks without the <tool_call> wrapper', () => {
  it('reads a bare block after prose that mentions a tag', () => {
    const text =
      'see <function=get_weather in the docs\n<function=get_weather>\n<parameter=city>\nOslo\n</parameter>\n</function>';
    expect(calls(text, weather)).toEqual([['get_weather', { city: 'Oslo' }]]);
  });

  it('leaves Llama JSON in <function=…> tags to the function-tag dialect', () => {
    const result = parseTextToolCalls(
      '<function=get_weather>{"city": "Oslo"}</function>',
      weather,
      'auto',
    );
    expect(result.dialect).toBe('function-tag');
    expect(result.calls.map((call) => JSON.parse(call.arguments))).toEqual([{ city: 'Oslo' }]);
  });

  it('reports a bare block cut off before </function>', () => {
    const result = parseTextToolCalls(
      '<function=get_weather>\n<parameter=city>\nOs',
      weather,
      'auto',
    );
    expect(result.calls).toEqual([]);
    expect(result.rejected).toEqual([
      { name: 'get_weather', reason: 'the tool call is incomplete (the output was cut off)' },
    ]);
  });
});
