import { describe, expect, it } from 'vitest';
import { parseTextToolCalls } from '../../src/model/dialects/index.js';
import { ALL_VECTORS } from '../fixtures/dialects/vectors.js';

const positive = ALL_VECTORS.filter((vector) => vector.calls.length > 0);

function callsOf(text: string, tools: string[], schemas: object | undefined): string[] {
  const options = schemas === undefined ? {} : { schemas: schemas as Record<string, never> };
  return parseTextToolCalls(text, tools, 'auto', options).calls.map(
    (call) => `${call.name} ${call.arguments}`,
  );
}

describe('text tool calls cut off by the end of a stream', () => {
  it.each(positive)('every prefix of $id yields only whole calls of the full text', (vector) => {
    const full = callsOf(vector.text, vector.tools, vector.schemas);
    expect(full.length).toBe(vector.calls.length);
    for (let end = 0; end <= vector.text.length; end++) {
      const calls = callsOf(vector.text.slice(0, end), vector.tools, vector.schemas);
      expect(calls, `prefix of ${end} characters`).toEqual(full.slice(0, calls.length));
    }
  });

  it('a prefix that ends inside the arguments yields no call at all', () => {
    const text = '<tool_call>{"name": "calc", "arguments": {"expression": "123456789 * 98765"}}';
    const cut = text.indexOf('98765') + 3;
    expect(parseTextToolCalls(text.slice(0, cut), ['calc'], 'auto').calls).toEqual([]);
  });
});
