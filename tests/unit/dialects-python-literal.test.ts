import { describe, expect, it } from 'vitest';
import { parsePythonCalls } from '../../src/model/dialects/python-literal.js';

function args(source: string): unknown {
  const calls = parsePythonCalls(source);
  expect(calls).toHaveLength(1);
  const [call] = calls!;
  if (!call?.ok) throw new Error(`expected a parsed call, got ${JSON.stringify(call)}`);
  return call.args;
}

function failure(source: string): string {
  const [call] = parsePythonCalls(source) ?? [];
  if (call === undefined || call.ok) throw new Error(`expected a failed call for ${source}`);
  return call.reason;
}

describe('Python literal arguments', () => {
  it.each([
    ['string escapes', String.raw`f(s='a\nb\t\x41\u00e9\101\\')`, { s: 'a\nb\tAéA\\' }],
    ['raw strings', String.raw`f(s=r'a\nb')`, { s: String.raw`a\nb` }],
    [
      'triple-quoted strings across lines',
      "f(code='''x = 1\ny = 'q'\n''')",
      { code: "x = 1\ny = 'q'\n" },
    ],
    ['adjacent strings concatenated', `f(s='ab' "cd")`, { s: 'abcd' }],
    ['brackets and commas inside strings', "f(s='a, b)] [')", { s: 'a, b)] [' }],
    [
      'signed, float, hex and underscored numbers',
      'f(a=-3, b=+2.5e3, c=0x1F, d=1_000, e=.5)',
      { a: -3, b: 2500, c: 31, d: 1000, e: 0.5 },
    ],
    [
      'tuples as arrays and trailing commas',
      'f(t=(1, 2,), l=[None, True,],)',
      { t: [1, 2], l: [null, true] },
    ],
    [
      'dicts with number keys',
      "f(d={1: 'one', 'k': {'n': false}})",
      { d: { '1': 'one', k: { n: false } } },
    ],
    ['JSON-style constants', 'f(a=true, b=null)', { a: true, b: null }],
  ])('reads %s', (_label, source, expected) => {
    expect(args(source)).toEqual(expected);
  });

  it.each([
    ['a positional argument', 'f(1)', /positional|keyword/],
    ['a name that is not a literal', 'f(x=os)', /not a literal/],
    ['a function call as a value', 'f(x=open("a"))', /not a literal/],
    ['an f-string', "f(x=f'{y}')", /f-strings/],
    ['a bytes literal', "f(x=b'z')", /bytes/],
    ['an infinite number', 'f(x=1e999)', /not finite/],
    ['a set literal', 'f(x={1, 2})', /expected ":"/],
    ['an attribute access', 'f(x=1 .real)', /unexpected|expected/],
  ])('rejects %s', (_label, source, reason) => {
    expect(failure(source)).toMatch(reason);
  });

  it('keeps dotted names whole', () => {
    expect(parsePythonCalls('brave_search.call(query="x")')).toEqual([
      { ok: true, name: 'brave_search.call', args: { query: 'x' } },
    ]);
  });

  it('returns null for text that is not a sequence of calls', () => {
    expect(parsePythonCalls("1, 'a'")).toBeNull();
    expect(parsePythonCalls('f(x=1), and then more')).toBeNull();
    expect(parsePythonCalls("f(x='unterminated")).toBeNull();
    expect(parsePythonCalls('f(x=[1, 2)')).toBeNull();
    expect(parsePythonCalls('')).toBeNull();
  });

  it('splits calls on new lines only when asked', () => {
    expect(parsePythonCalls('f(a=1)\ng(b=2)', true)?.map((call) => call.name)).toEqual(['f', 'g']);
    expect(parsePythonCalls('f(a=1)\ng(b=2)')?.every((call) => call.ok)).toBe(false);
  });
});
