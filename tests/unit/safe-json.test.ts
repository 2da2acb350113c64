import { describe, expect, it } from 'vitest';
import { safeJsonParse } from '../../src/core/json.js';

function parsed(text: string): unknown {
  const result = safeJsonParse(text);
  if (!result.ok) throw new Error(`expected ${text} to parse: ${result.error}`);
  return result.value;
}

describe('safeJsonParse', () => {
  it('parses plain JSON of every kind, with or without a reviver pass', () => {
    expect(parsed('{"a":1,"b":[true,null,"x"],"c":{"d":-2.5e3}}')).toEqual({
      a: 1,
      b: [true, null, 'x'],
      c: { d: -2500 },
    });
    expect(parsed('"text"')).toBe('text');
    expect(parsed('[1,2]')).toEqual([1, 2]);
    // An escape sends the text through the reviver; the values come out the same.
    expect(parsed('{"k\\u00e9y":"v\\u00e0l","n":[1,{"m":2}]}')).toEqual({
      kéy: 'vàl',
      n: [1, { m: 2 }],
    });
  });

  it('drops the three forbidden keys at any depth, as written', () => {
    const value = parsed(
      '{"__proto__":{"polluted":1},"a":{"constructor":{"prototype":{"x":1}},"prototype":2,"ok":3}}',
    ) as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['a']);
    expect(value['a']).toEqual({ ok: 3 });
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('drops forbidden keys spelled with \\u escapes', () => {
    const texts = [
      '{"\\u005f_proto__":{"polluted":1},"a":1}',
      '{"\\u005F\\u005Fproto\\u005F\\u005F":{"polluted":1},"a":1}',
      '{"constr\\u0075ctor":{"x":1},"a":1}',
      '{"\\u0070rototype":{"x":1},"a":1}',
      '[{"b":{"\\u0063onstructor":1,"a":1}}]',
    ];
    for (const text of texts) {
      const value = parsed(text);
      const inner = Array.isArray(value) ? (value[0] as { b: unknown }).b : value;
      expect(inner, text).toEqual({ a: 1 });
      expect(Object.keys(inner as object), text).toEqual(['a']);
    }
  });

  it('keeps the forbidden names as values and as parts of longer keys', () => {
    expect(parsed('{"name":"constructor","my_prototype":1,"__proto__x":2}')).toEqual({
      name: 'constructor',
      my_prototype: 1,
      __proto__x: 2,
    });
  });

  it('answers an error, never throws, for text that is not JSON', () => {
    for (const text of ['', '{', '{"a":1,}', 'undefined', '{"\\u005f_proto__":']) {
      const result = safeJsonParse(text);
      expect(result.ok, text).toBe(false);
    }
  });
});
