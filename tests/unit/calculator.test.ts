import { describe, expect, it } from 'vitest';
import { AssayError } from '../../src/core/errors.js';
import { DEFAULT_LIMITS, type ToolLimits } from '../../src/core/limits.js';
import type { ToolContext } from '../../src/core/tool.js';
import { getEngine } from '../../tools/calculator/engines.js';
import {
  calculate,
  createCalculatorTool,
  DEFAULT_CALCULATOR_LIMITS,
} from '../../tools/calculator/index.js';
import { stripThousandsSeparators } from '../../tools/calculator/normalize.js';

function context(
  limits: Partial<ToolLimits> = {},
  signal = new AbortController().signal,
): ToolContext {
  return {
    signal,
    limits: { ...DEFAULT_LIMITS, ...limits },
    resources: {
      acquire: async () => {
        throw new Error('the calculator needs no resources');
      },
    },
    episodeId: 'test',
    step: 0,
  };
}

const calculator = createCalculatorTool();

async function run(expression: string, limits: Partial<ToolLimits> = {}) {
  return calculator.run({ expression }, context(limits));
}

/** The result text of an expression the calculator must accept. */
function value(expression: string): string {
  const outcome = calculate(expression);
  if (!outcome.ok) throw new Error(`${expression} failed: ${outcome.message}`);
  return outcome.result;
}

describe('calculator exact arithmetic', () => {
  it.each([
    ['123456789*987654321', '121932631112635269'],
    ['2^200', '1606938044258990275541962092341162602522202993782792835301376'],
    ['1/3 + 1/6', '1/2'],
    ['10!', '3628800'],
    ['factorial(20)', '2432902008176640000'],
    ['factorial(25)', '15511210043330985984000000'],
    ['30!', '265252859812191058636308480000000'],
    ['combinations(100, 50)', '100891344545564193334812497256'],
    ['permutations(10, 3)', '720'],
    ['nCr(10, 3)', '120'],
    ['(2^64 - 1) mod 97', '60'],
    ['2^-2', '1/4'],
    ['-7/3', '-7/3'],
    ['10 / 4', '5/2'],
    ['0.1 + 0.2', '0.3'],
    ['1 - 0.9', '0.1'],
    ['1.5e-3 * 2', '0.003'],
    ['1e21', '1000000000000000000000'],
    ['22/7.0', '3.1428571428571428571'],
    ['gcd(12, 18)', '6'],
    ['lcm(4, 6)', '12'],
    ['17 mod 5', '2'],
    ['round(2.5)', '3'],
    ['floor(-2.5)', '-3'],
    ['ceil(2.1)', '3'],
    ['abs(-3)', '3'],
    ['mean(1, 2, 3, 4)', '5/2'],
    ['det([1, 2; 3, 4])', '-2'],
    ['inv([1, 2; 3, 4])', '[[-2, 1], [3/2, -1/2]]'],
    ['sum(1:10000)', '50005000'],
    ['isPrime(2^127 - 1)', 'true'],
    ['isPrime(2^127 + 1)', 'false'],
    ['x = 3; y = 4; x^2 + y^2', '25'],
    ['1 < 2 < 3', 'true'],
    ['true and false', 'false'],
  ])('%s is %s', (expression, expected) => {
    const outcome = calculate(expression);
    expect(outcome).toMatchObject({ ok: true, result: expected, exact: true });
  });

  it('prints a 61-digit power of two in full, without exponent notation', () => {
    const result = value('2^200');
    expect(result).toHaveLength(61);
    expect(result).toMatch(/^\d+$/);
  });
});

describe('calculator decimal results', () => {
  it.each([
    ['sqrt(2)', '1.4142135623730950488'],
    ['2^0.5', '1.4142135623730950488'],
    ['sin(pi)', '0'],
    ['cos(pi/2)', '0'],
    ['tan(pi/4)', '1'],
    ['sin(30 deg)', '0.5'],
    ['e^(i*pi)', '-1'],
    ['sqrt(-4)', '2i'],
    ['log10(1000)', '3'],
    ['log(8, 2)', '3'],
    ['ln(2)', '0.69314718055994530942'],
    ['exp(1)', '2.7182818284590452354'],
    ['round(22/7, 3)', '3.143'],
    ['x = 3; y = 4; sqrt(x^2 + y^2)', '5'],
    ['1.0001^100000', '22015.456048552198646'],
    ['gamma(0.5)', '1.77245385090552'],
    ['1/0', 'Infinity'],
  ])('%s is %s', (expression, expected) => {
    expect(calculate(expression)).toMatchObject({ ok: true, result: expected, exact: false });
  });

  it('keeps a real tiny value that a cancellation check would otherwise erase', () => {
    expect(value('sqrt(2) * 10^-50')).toBe('1.4142135623730950488e-50');
  });

  it('answers a sum too costly to do exactly in decimals', () => {
    expect(calculate('sum(1 ./ (1:3000))')).toMatchObject({ ok: true, exact: false });
    expect(value('sum(1 ./ (1:3000))')).toMatch(/^8\.5837/);
  });

  it('shows each visible statement on its own line', () => {
    expect(value('a = 2\nb = a^10')).toBe('2\n1024');
  });
});

describe('calculator units', () => {
  it.each([
    ['5 km to mile', '3.1068559611866698481 mile'],
    ['100 degF to degC', '37.777777777777777778 degC'],
    ['3 inch to cm', '7.62 cm'],
    ['90 min to hour', '1.5 hour'],
    ['3 hours + 20 minutes to minutes', '200 minutes'],
    ['12 km / 3 h to m/s', '1.1111111111111111111 m / s'],
  ])('%s is %s', (expression, expected) => {
    expect(value(expression)).toBe(expected);
  });
});

describe('calculator input habits of models', () => {
  it.each([
    ['2 × 3 ÷ 4', '3/2'],
    ['2**10', '1024'],
    ['2^10 =', '1024'],
    ['2 + 2 = ?', '4'],
    ['`7 * 6`', '42'],
    ['10 − 3', '7'],
    ['√16', '4'],
    ['3²', '9'],
    ['1,234,567 + 1', '1234568'],
    ['(1,000 + 1) * 2', '2002'],
    ['1,234.5 * 2', '2469'],
    ['max(1,234)', '234'],
    ['[1,234]', '[1, 234]'],
    ['1 == 1', 'true'],
  ])('%s is read as intended (%s)', (expression, expected) => {
    expect(value(expression)).toBe(expected);
  });

  it('strips thousands separators only where a comma cannot separate values', () => {
    expect(stripThousandsSeparators('1,000,000 / 4')).toBe('1000000 / 4');
    expect(stripThousandsSeparators('(2,500 - 1,000) * 3')).toBe('(2500 - 1000) * 3');
    expect(stripThousandsSeparators('gcd(1,000, 2)')).toBe('gcd(1,000, 2)');
    expect(stripThousandsSeparators('[1,000, 2]')).toBe('[1,000, 2]');
    expect(stripThousandsSeparators('sqrt((1,000))')).toBe('sqrt((1000))');
    expect(stripThousandsSeparators('10 mod (1,000)')).toBe('10 mod (1000)');
    expect(stripThousandsSeparators('1,23 + 1,2345')).toBe('1,23 + 1,2345');
    expect(stripThousandsSeparators('x1,000')).toBe('x1,000');
    expect(stripThousandsSeparators('unit("1,000 m")')).toBe('unit("1,000 m")');
  });
});

describe('calculator errors', () => {
  it('reports a syntax error with the position and the expression', async () => {
    const result = await run('2 +');
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('SYNTAX_ERROR');
    expect(result.content).toContain('Unexpected end of expression (char 4)');
    expect(result.content).toContain('Expression: 2 +');
  });

  it('names an unknown function and suggests the right spelling', async () => {
    const unknown = await run('foo(2)');
    expect(unknown.error?.code).toBe('UNSUPPORTED');
    expect(unknown.content).toContain('unknown function foo()');
    expect(unknown.content).toContain('sqrt');
    expect((await run('Sqrt(2)')).content).toContain('did you mean sqrt()?');
  });

  it('explains an undefined variable', async () => {
    const result = await run('x + 1');
    expect(result.ok).toBe(false);
    expect(result.content).toContain('Undefined symbol x');
  });

  it('refuses an empty expression', async () => {
    expect((await run('   ')).error?.code).toBe('EMPTY_EXPRESSION');
  });

  it('answers a function used without parentheses', async () => {
    expect((await run('sqrt + 1')).content).toContain('sqrt is a function');
  });

  it('rejects an empty expression in the input schema', () => {
    expect(calculator.inputSchema.safeParse({ expression: '' }).success).toBe(false);
    expect(calculator.inputSchema.safeParse({ expression: '1', extra: 1 }).success).toBe(false);
  });

  it('returns the result text and structured data on success', async () => {
    const result = await run('123456789 * 987654321');
    expect(result).toEqual({
      ok: true,
      content: '121932631112635269',
      data: { expression: '123456789 * 987654321', result: '121932631112635269', exact: true },
    });
  });

  it('truncates a result longer than the output budget and says so', async () => {
    const result = await run('2^9000', { output_bytes: 200 });
    expect(result.ok).toBe(true);
    expect(result.content.length).toBeLessThan(260);
    expect(result.content).toContain('result truncated');
  });

  it('throws ABORTED when the call is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      calculator.run({ expression: '1+1' }, context({}, controller.signal)),
    ).rejects.toBeInstanceOf(AssayError);
  });
});

describe('calculator safety', () => {
  it.each([
    ['import({}, {override: true})', 'import is disabled'],
    ['createUnit("foo")', 'createUnit is disabled'],
    ['evaluate("1")', 'evaluate is disabled'],
    ['parse("1")', 'parse is disabled'],
    ['simplify("x")', 'simplify is disabled'],
    ['derivative("x^2", "x")', 'derivative is disabled'],
    ['compile("1")', 'compile is disabled'],
    ['resolve("x")', 'resolve is disabled'],
    ['chain(3)', 'chain is disabled'],
    ['reviver("x")', 'reviver is disabled'],
    ['config({number: "number"})', 'config is disabled'],
    ['typed("f", {})', 'typed is disabled'],
    ['map([1, 2], sqrt)', 'map is disabled'],
    ['f = evaluate', 'evaluate is disabled'],
    ['[1,2,3].constructor', 'property access'],
    ['x = 1; x.constructor', 'property access'],
    ['cos["constructor"]', 'property access'],
    ['unit("5 km").constructor("return process")', 'only named functions can be called'],
    ['f(x) = x^2', 'defining functions'],
    ['{a: 1}', 'objects'],
    ['Parser()', 'unknown function Parser()'],
  ])('refuses %s', async (expression, reason) => {
    const result = await run(expression);
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('UNSUPPORTED');
    expect(result.content).toContain(reason);
  });

  it('fails cos.constructor("return process")() without running it', async () => {
    const result = await run('cos.constructor("return process")()');
    expect(result.ok).toBe(false);
    expect(result.content).toContain('Expression: cos.constructor');
  });

  it('disables the escapes in the mathjs instances themselves', () => {
    for (const engine of [getEngine('exact'), getEngine('decimal')]) {
      const math = engine.math as unknown as Record<string, (...args: unknown[]) => unknown>;
      for (const name of [
        'import',
        'createUnit',
        'evaluate',
        'parse',
        'simplify',
        'derivative',
        'compile',
      ]) {
        expect(() => math[name]?.('1')).toThrow(`${name} is disabled`);
      }
    }
  });

  it('leaves Object.prototype untouched after hostile expressions', async () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    for (const expression of ['__proto__ = 1', 'constructor = 2', 'x = {}', 'toString(1)']) {
      await run(expression);
    }
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });
});

describe('calculator limits', () => {
  it.each([
    ['10000000!', 'LIMIT_EXCEEDED', 'digits'],
    ['factorial(100000)', 'LIMIT_EXCEEDED', 'digits'],
    ['9^9^9', 'LIMIT_EXCEEDED', 'too large'],
    ['2^40000', 'LIMIT_EXCEEDED', 'too large'],
    ['10^10000', 'LIMIT_EXCEEDED', 'too large'],
    ['a = 2^33000; a * a', 'LIMIT_EXCEEDED', 'too large'],
    ['combinations(10^6, 5 * 10^5)', 'LIMIT_EXCEEDED', 'digits'],
    ['1:100000', 'LIMIT_EXCEEDED', 'elements'],
    ['zeros(1000, 1000)', 'LIMIT_EXCEEDED', 'elements'],
    ['identity(200)', 'LIMIT_EXCEEDED', 'elements'],
    ['isPrime(10^400 + 1)', 'LIMIT_EXCEEDED', 'isPrime accepts integers up to 300 digits'],
    ['det(ones(60, 60))', 'LIMIT_EXCEEDED', 'det accepts matrices up to 50x50'],
    ['ones(100,100)^(10^20)', 'LIMIT_EXCEEDED', 'this matrix power is too costly (100x100'],
    ['ones(30,30)^(2^18)', 'LIMIT_EXCEEDED', 'the calculator allows 100000 element products'],
    ['leftShift(1, 40000)', 'LIMIT_EXCEEDED', 'about 12042 digits'],
    ['bitAnd(floor(2^300 * pi), 1)', 'LIMIT_EXCEEDED', 'bitAnd needs exact integers'],
    ['mod(floor(pi * 10^80), 7)', 'LIMIT_EXCEEDED', 'value of 81 digits here was rounded to 64'],
    ['gcd(floor(pi * 10^70), 10)', 'LIMIT_EXCEEDED', 'gcd needs exact integers'],
    ['rightLogShift(-8, 1)', 'UNSUPPORTED', 'rightLogShift needs a number of 0 or more'],
  ])('refuses %s', (expression, code, reason) => {
    const outcome = calculate(expression);
    expect(outcome).toMatchObject({ ok: false, code });
    if (!outcome.ok) expect(outcome.message).toContain(reason);
  });

  it('computes bitwise functions of big integers exactly', () => {
    expect(value('bitAnd(2^9999, 2^9998 + 1)')).toBe('0');
    expect(value('bitOr(2^100, 1)')).toBe((2n ** 100n + 1n).toString());
    expect(value('bitXor(2^80, 3)')).toBe((2n ** 80n + 3n).toString());
    expect(value('bitNot(2^70)')).toBe((-(2n ** 70n) - 1n).toString());
    expect(value('leftShift(3, 200)')).toBe((3n << 200n).toString());
    expect(value('rightArithShift(2^200 + 5, 3)')).toBe(((2n ** 200n + 5n) >> 3n).toString());
    expect(value('bitAnd(2^9999 + 6, 3)')).toBe('2');
    expect(calculate('bitAnd(2^9999, 2^9998 + 1)')).toMatchObject({ ok: true, exact: true });
  });

  it('still computes small matrix powers', () => {
    expect(value('[[1, 1], [1, 0]]^50')).toBe(
      '[[20365011074, 12586269025], [12586269025, 7778742049]]',
    );
  });

  it('computes the largest exact factorial within the digit limit', () => {
    expect(value('3000!')).toHaveLength(9131);
  });

  it('refuses an expression longer than 1,000 characters', () => {
    const outcome = calculate(`1${'+1'.repeat(500)}`);
    expect(outcome).toMatchObject({ ok: false, code: 'EXPRESSION_TOO_LONG' });
  });

  it('accepts moderate nesting and refuses deep nesting with a clear message', () => {
    expect(value(`${'('.repeat(40)}1${')'.repeat(40)}`)).toBe('1');
    const outcome = calculate(`${'('.repeat(450)}1${')'.repeat(450)}`);
    expect(outcome).toMatchObject({ ok: false, message: 'the expression is nested too deeply' });
  });

  it('refuses a tree with too many parts', () => {
    const outcome = calculate('1+1+1+1', { ...DEFAULT_CALCULATOR_LIMITS, maxNodes: 5 });
    expect(outcome).toMatchObject({ ok: false, code: 'LIMIT_EXCEEDED' });
  });

  it('stops an evaluation that runs past its time', () => {
    const outcome = calculate('sum(1:5000)', { ...DEFAULT_CALCULATOR_LIMITS, timeoutMs: 0 });
    expect(outcome).toMatchObject({ ok: false, code: 'TIMEOUT' });
  });
});
