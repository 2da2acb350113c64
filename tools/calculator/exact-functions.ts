import type { Fraction, MathJsInstance } from 'mathjs';
import { isPrime, maxFactorialArgument, tooManyDigits } from './digit-limits.js';
import {
  exactCombinations,
  exactFactorial,
  exactPermutations,
  factorialDigits,
  log10Abs,
} from './exact.js';
import type { Fn } from './guards.js';
import { addExactBitwise, checkMatrixPower } from './integer-functions.js';
import { calcFailure } from './limits.js';
import type { Meter } from './meter.js';
import {
  approximate,
  elementsOf,
  exactSize,
  fractionInteger,
  isCollection,
  shapeOf,
} from './values.js';

/** Digits of input above which exact aggregates (sums, medians, determinants) give way to decimals. */
const EXACT_AGGREGATE_DIGITS = 2_000;
/**
 * A running sum whose denominator grows past this many digits goes to decimals: each further
 * exact term costs more than the last (a harmonic sum of 3,000 terms takes a second), and such
 * a fraction is no answer a model can use. Counted in digits, not time, so the choice does not
 * depend on how busy the machine is.
 */
const EXACT_DENOMINATOR_DIGITS = 400;

/**
 * Gives the exact pass bigint versions of the integer functions mathjs computes only in
 * floating point, and makes the functions whose exact results can grow without bound hand
 * over to the decimal pass instead.
 */
export function addExactFunctions(
  math: MathJsInstance,
  table: Map<string, Fn>,
  original: (name: string) => Fn,
  meter: Meter,
): void {
  const inexact = (name: string) => calcFailure('inexact', `${name} has no exact form here`);
  const grow = (value: bigint): void => {
    meter.tick();
    if (value >= meter.exactBound || -value >= meter.exactBound) {
      throw calcFailure('overflow', 'an exact value grew past the digit limit');
    }
  };
  const { Fraction: FractionClass } = math as unknown as {
    Fraction: new (value: bigint) => Fraction;
  };
  const fraction = (value: bigint): Fraction => new FractionClass(value);
  const naturals = (name: string, args: unknown[]): bigint[] => {
    const values = args.map((a) => fractionInteger(math, a));
    if (values.some((v) => v === null || v < 0n)) throw inexact(name);
    return values as bigint[];
  };
  const factorial = (name: string, n: bigint): Fraction => {
    const max = maxFactorialArgument(meter);
    if (n > BigInt(max)) throw tooManyDigits(`${name}(${n})`, factorialDigits(Number(n)), meter);
    return fraction(exactFactorial(n, grow));
  };

  table.set('factorial', (...args) => {
    const [n] = naturals('factorial', args);
    return factorial('factorial', n ?? 0n);
  });
  table.set('gamma', (...args) => {
    const [n] = naturals('gamma', args);
    if (n === undefined || n === 0n) throw inexact('gamma');
    return factorial('gamma', n - 1n);
  });
  table.set('combinations', (...args) => {
    const [n, k] = naturals('combinations', args);
    if (n === undefined || k === undefined || k > n) throw inexact('combinations');
    return fraction(exactCombinations(n, k, grow));
  });
  table.set('combinationsWithRep', (...args) => {
    const [n, k] = naturals('combinationsWithRep', args);
    if (n === undefined || k === undefined || n === 0n) throw inexact('combinationsWithRep');
    return fraction(exactCombinations(n + k - 1n, k, grow));
  });
  table.set('permutations', (...args) => {
    const [n, k] = naturals('permutations', args);
    if (n === undefined) throw inexact('permutations');
    if (k === undefined) return factorial('permutations', n);
    if (k > n) throw inexact('permutations');
    return fraction(exactPermutations(n, k, grow));
  });
  table.set('isPrime', (...args) => {
    const n = fractionInteger(math, args[0]);
    if (args.length !== 1 || n === null) throw inexact('isPrime');
    return isPrime(n, meter);
  });
  const pow = original('pow');
  table.set('pow', (...args) => {
    meter.tick();
    const [x, y] = args;
    checkMatrixPower(math, meter, args);
    const digits = powerDigits(math, x, y);
    if (digits > meter.limits.maxDigits)
      throw calcFailure('overflow', 'the exact power is too large');
    return pow(...args);
  });
  const dotPow = original('dotPow');
  table.set('dotPow', (...args) => {
    meter.tick();
    const [x, y] = args;
    let base = 0;
    for (const e of elementsOf(math, x)) base = Math.max(base, exactSize(math, e));
    let exponent = 0;
    for (const e of elementsOf(math, y))
      exponent = Math.max(exponent, Math.abs(approximate(math, e)));
    if (!(base * exponent <= meter.limits.maxDigits))
      throw calcFailure('overflow', 'the exact power is too large');
    return dotPow(...args);
  });
  addExactBitwise(math, table, meter);
  const multiply = original('multiply');
  const add = original('add');
  const divide = original('divide');
  const prod = original('prod');
  // Aggregates loop inside one mathjs call where the meter cannot see, and exact sums grow
  // their denominators with every term; above this many digits of input, decimals take over.
  const massive = (name: string) => (args: unknown[]) => {
    let mass = 0;
    for (const a of args) for (const e of elementsOf(math, a)) mass += exactSize(math, e) + 1;
    if (mass > EXACT_AGGREGATE_DIGITS)
      throw calcFailure('overflow', `${name} over these values is too costly to do exactly`);
  };
  for (const name of ['cumsum', 'variance', 'mad', 'median', 'dot', 'det', 'inv', 'trace']) {
    const fn = table.get(name) ?? original(name);
    const check = massive(name);
    table.set(name, (...args) => {
      meter.tick();
      check(args);
      return fn(...args);
    });
  }
  const guardedMultiply = table.get('multiply') ?? multiply;
  const checkProduct = massive('multiply');
  table.set('multiply', (...args) => {
    if (args.length === 2 && isCollection(math, args[0]) && isCollection(math, args[1]))
      checkProduct(args);
    return guardedMultiply(...args);
  });
  const total = (name: string, args: unknown[]): { value: unknown; count: number } | null => {
    const items =
      args.length === 1 && isCollection(math, args[0]) ? elementsOf(math, args[0]) : args;
    if (items.length === 0 || items.some((item) => isCollection(math, item))) return null;
    let value: unknown = items[0];
    for (const item of items.slice(1)) {
      meter.tick();
      value = add(value, item);
      if (exactSize(math, value) > meter.limits.maxDigits)
        throw calcFailure('overflow', `the exact ${name} is too large`);
      if (math.isFraction(value) && log10Abs((value as Fraction).d) > EXACT_DENOMINATOR_DIGITS)
        throw calcFailure('overflow', `the exact ${name} is too costly; decimals answer it`);
    }
    return { value, count: items.length };
  };
  const sum = original('sum');
  table.set('sum', (...args) => {
    const result = total('sum', args);
    if (result) return result.value;
    massive('sum')(args);
    return sum(...args);
  });
  const mean = original('mean');
  table.set('mean', (...args) => {
    const result = total('mean', args);
    if (result) return divide(result.value, fraction(BigInt(result.count)));
    massive('mean')(args);
    return mean(...args);
  });
  table.set('prod', (...args) => {
    if (args.length === 2 && isCollection(math, args[0]) && !isCollection(math, args[1])) {
      return prod(...args);
    }
    const items = args.flatMap((a) => elementsOf(math, a));
    if (items.length === 0) return prod(...args);
    let result: unknown = items[0];
    for (const item of items.slice(1)) {
      meter.tick();
      result = multiply(result, item);
      if (exactSize(math, result) > meter.limits.maxDigits) {
        throw calcFailure('overflow', 'the exact product is too large');
      }
    }
    return result;
  });
}

/** An estimate of the digits of x^y for exact x and y; 0 when the power cannot grow. */
function powerDigits(math: MathJsInstance, x: unknown, y: unknown): number {
  if (!math.isFraction(y)) return 0;
  const exponent = Math.abs(approximate(math, y));
  if (isCollection(math, x)) {
    let size = 0;
    for (const e of elementsOf(math, x)) size = Math.max(size, exactSize(math, e));
    const side = shapeOf(math, x)[0] ?? 1;
    return exponent * (size + Math.log10(side + 1));
  }
  const size = exactSize(math, x);
  return size === 0 ? 0 : exponent * size;
}
