import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { parseToolCalls } from '../../src/parsers.js';

const hermes = (name: string, args: string) =>
  `<tool_call>{"name": "${name}", "arguments": ${args}}</tool_call>`;

describe('parseToolCalls', () => {
  it('returns the calls with their arguments as objects and the text around them', () => {
    const result = parseToolCalls(`Checking.\n${hermes('add', '{"a": 1, "b": 2}')}`, {
      tools: ['add'],
    });
    expect(result).toEqual({
      content: 'Checking.',
      reasoning: null,
      calls: [{ name: 'add', arguments: { a: 1, b: 2 } }],
      rejected: [],
      dialect: 'hermes',
    });
  });

  it('returns text without markup unchanged, with no dialect', () => {
    expect(parseToolCalls('Just an answer.', { tools: ['add'] })).toEqual({
      content: 'Just an answer.',
      reasoning: null,
      calls: [],
      rejected: [],
      dialect: null,
    });
  });

  it('accepts any well-formed tool name when no tools are given', () => {
    const result = parseToolCalls(hermes('anything_at_all', '{}'));
    expect(result.calls).toEqual([{ name: 'anything_at_all', arguments: {} }]);
  });

  it('rejects a call to a tool that is not offered, naming it', () => {
    const result = parseToolCalls(hermes('delete_everything', '{}'), { tools: ['add'] });
    expect(result.calls).toEqual([]);
    expect(result.rejected).toEqual([
      { name: 'delete_everything', reason: '"delete_everything" is not one of the offered tools' },
    ]);
  });

  it('splits <think> and [THINK] reasoning off and never runs a call drafted there', () => {
    for (const [open, close] of [
      ['<think>', '</think>'],
      ['[THINK]', '[/THINK]'],
    ]) {
      const result = parseToolCalls(`${open}maybe ${hermes('add', '{}')}${close}No call needed.`, {
        tools: ['add'],
      });
      expect(result.calls).toEqual([]);
      expect(result.content).toBe('No call needed.');
      expect(result.reasoning).toBe(`maybe ${hermes('add', '{}')}`);
    }
  });

  it('types untyped XML values with the schema given with a tool', () => {
    const text =
      '<tool_call>\n<function=f>\n<parameter=n>\n7\n</parameter>\n</function>\n</tool_call>';
    const typed = parseToolCalls(text, {
      tools: [
        { name: 'f', parameters: { type: 'object', properties: { n: { type: 'integer' } } } },
      ],
    });
    expect(typed.calls).toEqual([{ name: 'f', arguments: { n: 7 } }]);
    expect(parseToolCalls(text, { tools: ['f'] }).calls).toEqual([
      { name: 'f', arguments: { n: '7' } },
    ]);
  });

  it('tries only the named format when one is given', () => {
    const text = '[TOOL_CALLS]add{"a": 1}';
    expect(parseToolCalls(text, { tools: ['add'], format: 'hermes' }).calls).toEqual([]);
    expect(parseToolCalls(text, { tools: ['add'], format: 'mistral' }).calls).toEqual([
      { name: 'add', arguments: { a: 1 } },
    ]);
    expect(parseToolCalls(text, { tools: ['add'], format: 'native' }).calls).toEqual([]);
  });

  it('reads prompted replies as Hermes tags', () => {
    const result = parseToolCalls(hermes('add', '{}'), { tools: ['add'], format: 'prompted' });
    expect(result.calls).toEqual([{ name: 'add', arguments: {} }]);
  });

  it('reports arguments that are not a JSON object instead of returning them', () => {
    const result = parseToolCalls(
      '<|channel|>commentary to=functions.add<|message|>not json<|call|>',
      { tools: ['add'], format: 'harmony' },
    );
    expect(result.calls).toEqual([]);
    expect(result.rejected).toEqual([
      { name: 'add', reason: 'the tool call arguments are not a JSON object' },
    ]);
  });

  it('throws a usage error naming an unknown format', () => {
    expect(() => parseToolCalls('x', { format: 'xml' as never })).toThrow(UsageError);
    expect(() => parseToolCalls('x', { format: 'xml' as never })).toThrow(/unknown format "xml"/);
  });

  it('throws a usage error for a tool entry without a name', () => {
    expect(() => parseToolCalls('x', { tools: [{} as never] })).toThrow(/each tool must be a name/);
  });

  it('throws a usage error when the text is not a string', () => {
    expect(() => parseToolCalls(42 as never)).toThrow(/text must be a string, got number/);
  });
});
