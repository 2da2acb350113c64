import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { findTruncation } from '../../src/agent/arguments-json.js';
import { type ResolvedCall, resolveToolCall } from '../../src/agent/repair.js';
import { editDistance, matchToolName } from '../../src/agent/tool-name-match.js';
import { type AnyToolDefinition, defineTool } from '../../src/core/tool.js';
import { createCalculatorTool } from '../../tools/calculator/index.js';

function tool(name: string, inputSchema: z.ZodType): AnyToolDefinition {
  return defineTool({
    name,
    description: `the ${name} tool`,
    inputSchema,
    run: async () => ({ ok: true, content: '' }),
  });
}

const tools: Record<string, AnyToolDefinition> = {
  calculator: createCalculatorTool(),
  web_fetch: tool(
    'web_fetch',
    z.strictObject({
      url: z.string(),
      timeout_s: z.number().optional(),
      raw: z.boolean().default(false),
    }),
  ),
  search: tool(
    'search',
    z.strictObject({ query: z.string(), max_results: z.number().int().min(1).max(10).default(5) }),
  ),
  clock: tool('clock', z.strictObject({ timezone: z.string().optional() })),
  pair: tool('pair', z.strictObject({ left: z.string(), right: z.string() })),
  plotter: tool('plotter', z.strictObject({ parameters: z.record(z.string(), z.number()) })),
};

function resolve(name: string, args: string, offered = tools): ResolvedCall {
  return resolveToolCall({ id: 'call_1', name, arguments: args }, offered);
}

function ok(name: string, args: string) {
  const resolved = resolve(name, args);
  if (!resolved.ok) throw new Error(`expected ${name}(${args}) to resolve: ${resolved.message}`);
  return resolved;
}

describe('resolveToolCall: tool names', () => {
  it('takes an exact name without repairs', () => {
    const resolved = ok('calculator', '{"expression": "1+1"}');
    expect(resolved).toMatchObject({
      name: 'calculator',
      args: { expression: '1+1' },
      repairs: [],
    });
    expect(resolved.tool).toBe(tools['calculator']);
  });

  it.each([
    ['Calculator', 'calculator'],
    ['CALCULATOR', 'calculator'],
    ['functions.calculator', 'calculator'],
    ['calculator()', 'calculator'],
    ['web-fetch', 'web_fetch'],
    ['WebFetch', 'web_fetch'],
    ['calculater', 'calculator'],
    ['calcluator', 'calculator'],
    ['serach', 'search'],
  ])('repairs the name %s to %s and records it', (written, expected) => {
    const args = expected === 'calculator' ? '{"expression": "1"}' : '{"url": "u", "query": "q"}';
    const resolved = resolve(written, args);
    expect(resolved.repairs[0]).toBe(`tool_name:${written}→${expected}`);
    if (resolved.ok) expect(resolved.name).toBe(expected);
    else expect(resolved.code).not.toBe('UNKNOWN_TOOL');
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])(
    'treats the prototype key %s as an unknown tool',
    (name) => {
      const resolved = resolve(name, '{}');
      expect(resolved).toMatchObject({ ok: false, code: 'UNKNOWN_TOOL' });
    },
  );

  it('lists the valid tools for an unknown name', () => {
    const resolved = resolve('calc', '{"expression": "1"}');
    expect(resolved.ok).toBe(false);
    if (resolved.ok) return;
    expect(resolved.code).toBe('UNKNOWN_TOOL');
    expect(resolved.message).toBe(
      'Error: unknown tool "calc". Available tools: calculator, web_fetch, search, clock, pair, plotter. Call one of them by its exact name.',
    );
    expect(resolved.args).toBe('{"expression": "1"}');
  });

  it('says when a call has no name', () => {
    const resolved = resolve('  ', '{}');
    expect(resolved).toMatchObject({ ok: false, code: 'UNKNOWN_TOOL' });
    if (!resolved.ok) expect(resolved.message).toContain('the tool call has no name');
  });

  it('refuses a fuzzy match that two tools tie for', () => {
    expect(matchToolName('search_c', ['search_a', 'search_b'])).toBeNull();
    expect(matchToolName('Search-A', ['search_a', 'search_b'])).toBe('search_a');
  });

  it('does not stretch edits to short names', () => {
    expect(matchToolName('cal', ['calc'])).toBeNull();
    expect(matchToolName('sum', ['run'])).toBeNull();
  });

  it('counts a swap of neighbouring letters as one edit', () => {
    expect(editDistance('calcualtor', 'calculator', 2)).toBe(1);
    expect(editDistance('abcdef', 'uvwxyz', 2)).toBe(3);
  });
});

describe('resolveToolCall: JSON repair', () => {
  it.each([
    ["{'expression': '2+2'}", { expression: '2+2' }],
    ['{"expression": "2+2",}', { expression: '2+2' }],
    ['{expression: "2+2"}', { expression: '2+2' }],
    ['```json\n{"expression": "2+2"}\n```', { expression: '2+2' }],
  ])('repairs %s', (text, expected) => {
    const resolved = ok('calculator', text);
    expect(resolved.args).toEqual(expected);
    expect(resolved.repairs).toContain(
      text.startsWith('```') ? 'stripped_code_fence' : 'json_repair',
    );
  });

  it('reads Python literals and drops None for an optional field', () => {
    const resolved = ok(
      'web_fetch',
      "{'url': 'https://example.com', 'raw': True, 'timeout_s': None}",
    );
    expect(resolved.args).toEqual({ url: 'https://example.com', raw: true });
    expect(resolved.repairs).toEqual(['json_repair', 'dropped_null:timeout_s']);
  });

  it('treats empty arguments as an empty object', () => {
    expect(ok('clock', '')).toMatchObject({ args: {}, repairs: ['empty_arguments'] });
    expect(ok('clock', '   ')).toMatchObject({ args: {}, repairs: ['empty_arguments'] });
    expect(ok('clock', 'null')).toMatchObject({ args: {}, repairs: ['null_arguments'] });
  });

  it.each([
    ['{"expression": "2+', 'an unterminated string'],
    ['{"expression": "2+2"', 'an unclosed object'],
    ['{"expression": "2+2", ', 'an unclosed object'],
    ["{'expression': 'it", 'an unterminated string'],
  ])('refuses truncated JSON %s instead of completing it', (text, reason) => {
    const resolved = resolve('calculator', text);
    expect(resolved).toMatchObject({ ok: false, code: 'BAD_JSON', args: text });
    if (resolved.ok) return;
    expect(resolved.message).toContain(`cut off: ${reason}`);
    expect(resolved.message).toContain('"required":["expression"]');
  });

  it('reports irreparable JSON with the position of the problem', () => {
    const resolved = resolve('calculator', '{"expression": "1"} and then some');
    expect(resolved).toMatchObject({ ok: false, code: 'BAD_JSON' });
    if (!resolved.ok) expect(resolved.message).toMatch(/not valid JSON: .*position \d+/);
  });

  it('refuses text that is not JSON for a tool with two required fields', () => {
    expect(resolve('pair', 'left and right')).toMatchObject({ ok: false, code: 'BAD_JSON' });
  });

  it('finds the truncation point only when something is left open', () => {
    expect(findTruncation('{"a": [1, 2]}')).toBeNull();
    expect(findTruncation('{"a": "}"}')).toBeNull();
    expect(findTruncation('{"a": "\\"')).toBe('an unterminated string');
    expect(findTruncation('[1, 2')).toBe('an unclosed array');
    expect(findTruncation("{'note': 'it''s'}")).toBeNull();
  });
});

describe('resolveToolCall: wrappers and encodings', () => {
  it('decodes arguments encoded twice', () => {
    const resolved = ok('calculator', JSON.stringify(JSON.stringify({ expression: '6*7' })));
    expect(resolved).toMatchObject({ args: { expression: '6*7' }, repairs: ['double_encoded'] });
  });

  it.each([
    ['parameters', '{"parameters": {"expression": "6*7"}}'],
    ['arguments', '{"arguments": {"expression": "6*7"}}'],
    ['args', '{"args": {"expression": "6*7"}}'],
    ['arguments', '{"name": "calculator", "arguments": {"expression": "6*7"}}'],
  ])('unwraps a %s wrapper', (key, text) => {
    expect(ok('calculator', text)).toMatchObject({
      args: { expression: '6*7' },
      repairs: [`unwrapped_${key}`],
    });
  });

  it('unwraps a wrapper that holds a JSON string', () => {
    const resolved = ok('calculator', '{"arguments": "{\\"expression\\": \\"6*7\\"}"}');
    expect(resolved).toMatchObject({
      args: { expression: '6*7' },
      repairs: ['unwrapped_arguments', 'double_encoded'],
    });
  });

  it('keeps a wrapper key that is a real property of the tool', () => {
    const resolved = ok('plotter', '{"parameters": {"x": 1}}');
    expect(resolved).toMatchObject({ args: { parameters: { x: 1 } }, repairs: [] });
  });

  it('does not unwrap a call that names a different tool', () => {
    const resolved = resolve('calculator', '{"name": "search", "arguments": {"expression": "1"}}');
    expect(resolved).toMatchObject({ ok: false, code: 'INVALID_ARGUMENTS' });
  });

  it('unwraps a one-element list of arguments', () => {
    expect(ok('calculator', '[{"expression": "1+1"}]')).toMatchObject({
      args: { expression: '1+1' },
      repairs: ['unwrapped_array'],
    });
  });

  it('refuses a double-encoded object that is cut off', () => {
    const resolved = resolve('calculator', JSON.stringify('{"expression": "1+'));
    expect(resolved).toMatchObject({ ok: false, code: 'BAD_JSON' });
  });

  it('accepts arguments that arrive as an object instead of text', () => {
    const call = {
      id: 'c',
      name: 'calculator',
      arguments: { expression: '1+1' } as unknown as string,
    };
    expect(resolveToolCall(call, tools)).toMatchObject({ ok: true, args: { expression: '1+1' } });
  });
});

describe('resolveToolCall: coercion to the schema', () => {
  it('turns numeric strings into numbers and records each field', () => {
    const resolved = ok('web_fetch', '{"url": "u", "timeout_s": "2.5", "raw": "true"}');
    expect(resolved.args).toEqual({ url: 'u', timeout_s: 2.5, raw: true });
    expect(resolved.repairs).toEqual(['coerced:timeout_s', 'coerced:raw']);
  });

  it('applies the defaults of the schema', () => {
    expect(ok('search', '{"query": "q", "max_results": "3"}').args).toEqual({
      query: 'q',
      max_results: 3,
    });
    expect(ok('search', '{"query": "q"}').args).toEqual({ query: 'q', max_results: 5 });
  });

  it('does not round a fractional string into an integer field', () => {
    const resolved = resolve('search', '{"query": "q", "max_results": "3.5"}');
    expect(resolved).toMatchObject({ ok: false, code: 'INVALID_ARGUMENTS' });
    if (!resolved.ok) expect(resolved.message).toContain('- max_results:');
  });

  it('turns a number into a string for a string field', () => {
    expect(ok('calculator', '{"expression": 42}')).toMatchObject({
      args: { expression: '42' },
      repairs: ['coerced:expression'],
    });
  });

  it.each([
    ['"2+2"', ['wrapped_bare_value:expression']],
    ['2+2', ['wrapped_bare_value:expression']],
    ['42', ['wrapped_bare_value:expression', 'coerced:expression']],
  ])('takes the bare value %s as the only required field', (text, repairs) => {
    const resolved = ok('calculator', text);
    expect(resolved.repairs).toEqual(repairs);
    expect(typeof resolved.args['expression']).toBe('string');
  });

  it('renames a misspelled key to the property it misses', () => {
    expect(ok('calculator', '{"expresion": "1+1"}')).toMatchObject({
      args: { expression: '1+1' },
      repairs: ['renamed:expresion→expression'],
    });
    expect(ok('calculator', '{"Expression": "1+1"}').repairs).toEqual([
      'renamed:Expression→expression',
    ]);
  });

  it('drops keys the tool does not take', () => {
    expect(ok('calculator', '{"expression": "1", "precision": 10}')).toMatchObject({
      args: { expression: '1' },
      repairs: ['dropped:precision'],
    });
  });
});

describe('resolveToolCall: validation failures', () => {
  it('reports zod issues with their paths and the JSON Schema', () => {
    const resolved = resolve('calculator', '{"expression": ""}');
    expect(resolved).toMatchObject({
      ok: false,
      code: 'INVALID_ARGUMENTS',
      args: { expression: '' },
    });
    if (resolved.ok) return;
    expect(resolved.message).toContain('invalid arguments for calculator:\n- expression:');
    expect(resolved.message).toContain('JSON Schema: {"type":"object"');
    expect(resolved.message).not.toContain('    at ');
  });

  it('reports a missing required field', () => {
    const resolved = resolve('pair', '{"left": "a"}');
    expect(resolved).toMatchObject({ ok: false, code: 'INVALID_ARGUMENTS' });
    if (!resolved.ok) expect(resolved.message).toContain('- right:');
  });

  it('refuses an array that is not one object', () => {
    const resolved = resolve('pair', '[1, 2]');
    expect(resolved).toMatchObject({ ok: false, code: 'INVALID_ARGUMENTS' });
    if (!resolved.ok) expect(resolved.message).toContain('must be a JSON object, not an array');
  });
});

describe('resolveToolCall: prototype keys', () => {
  it.each([
    '{"__proto__": {"polluted": true}, "expression": "1"}',
    '{"constructor": {"prototype": {"polluted": true}}, "expression": "1"}',
    '{"parameters": {"__proto__": {"polluted": true}, "expression": "1"}}',
    JSON.stringify(JSON.stringify({ expression: '1', prototype: { polluted: true } })),
    "{'__proto__': {'polluted': True}, 'expression': '1'}",
  ])('keeps prototype keys out of the arguments: %s', (text) => {
    const resolved = ok('calculator', text);
    expect(resolved.args).toEqual({ expression: '1' });
    expect(Object.getPrototypeOf(resolved.args)).toBe(Object.prototype);
    expect(Object.hasOwn(resolved.args, '__proto__')).toBe(false);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('ignores inherited properties of the tool registry', () => {
    const registry = Object.create({ inherited: tools['calculator'] }) as Record<
      string,
      AnyToolDefinition
    >;
    expect(resolve('inherited', '{"expression": "1"}', registry)).toMatchObject({
      ok: false,
      code: 'UNKNOWN_TOOL',
    });
  });
});
