import type { BigNumber, Fraction, MathJsInstance } from 'mathjs';
import type { Fn } from './guards.js';
import { calcFailure } from './limits.js';
import type { Meter } from './meter.js';
import { elementsOf, fractionInteger, isCollection, shapeOf } from './values.js';

/** Functions that need the exact integer: on a rounded value they answer wrong, not approximately. */
export const INTEGER_FUNCTIONS = [
  'bitAnd',
  'bitOr',
  'bitXor',
  'bitNot',
  'leftShift',
  'rightArithShift',
  'rightLogShift',
  'mod',
  'gcd',
  'lcm',
  'xgcd',
  'invmod',
] as const;

const LOG10_2 = Math.log10(2);

/**
 * Bitwise functions of the exact pass on bigints: mathjs has none for fractions, so they fell
 * to 64-digit decimals and `bitAnd(2^9999, 2^9998 + 1)` came out near 5e3009 instead of 0.
 * Arguments that are not integers, and collections, go to the decimal pass as before.
 */
export function addExactBitwise(math: MathJsInstance, table: Map<string, Fn>, meter: Meter): void {
  const { Fraction: FractionClass } = math as unknown as {
    Fraction: new (value: bigint) => Fraction;
  };
  const integers = (name: string, args: unknown[], arity: number): bigint[] => {
    meter.tick();
    const values = args.map((a) => fractionInteger(math, a));
    if (args.length !== arity || values.some((v) => v === null)) {
      throw calcFailure('inexact', `${name} has no exact form here`);
    }
    return values as bigint[];
  };
  const binary = (name: string, op: (a: bigint, b: bigint) => bigint) => {
    table.set(name, (...args) => {
      const [a = 0n, b = 0n] = integers(name, args, 2);
      return new FractionClass(op(a, b));
    });
  };
  binary('bitAnd', (a, b) => a & b);
  binary('bitOr', (a, b) => a | b);
  binary('bitXor', (a, b) => a ^ b);
  table.set('bitNot', (...args) => {
    const [a = 0n] = integers('bitNot', args, 1);
    return new FractionClass(~a);
  });
  const shift = (name: string, args: unknown[]): [bigint, bigint] => {
    const [a = 0n, n = 0n] = integers(name, args, 2);
    if (n < 0n) throw calcFailure('unsupported', `${name} needs a shift of 0 or more bits`);
    return [a, n];
  };
  table.set('leftShift', (...args) => {
    const [a, n] = shift('leftShift', args);
    const digits = a === 0n ? 0 : a.toString().length + Number(n) * LOG10_2;
    if (digits > meter.limits.maxDigits) {
      throw calcFailure(
        'limit',
        `leftShift would give about ${Math.round(digits)} digits; the calculator allows ${meter.limits.maxDigits}`,
      );
    }
    return new FractionClass(a << n);
  });
  table.set('rightArithShift', (...args) => {
    const [a, n] = shift('rightArithShift', args);
    return new FractionClass(a >> n);
  });
  table.set('rightLogShift', (...args) => {
    const [a, n] = shift('rightLogShift', args);
    // A logical shift depends on a word size that exact integers do not have.
    if (a < 0n) throw calcFailure('unsupported', 'rightLogShift needs a number of 0 or more');
    return new FractionClass(a >> n);
  });
}

/**
 * Refuses integer functions in the decimal pass when an argument has more digits than the
 * pass keeps: the exact pass could not take it, and the rounded value would give a wrong
 * answer (mod, gcd and bits of a rounded 3,000-digit number), not an approximate one.
 */
export function refuseRoundedIntegers(
  math: MathJsInstance,
  wrap: (name: string, before: (args: unknown[]) => void) => void,
  precision: number,
): void {
  for (const name of INTEGER_FUNCTIONS) {
    wrap(name, (args) => {
      for (const arg of args) {
        for (const e of elementsOf(math, arg)) {
          if (!math.isBigNumber(e)) continue;
          const b = e as BigNumber;
          if (b.isFinite() && !b.isZero() && b.e >= precision - 1) {
            throw calcFailure(
              'limit',
              `${name} needs exact integers, but a value of ${b.e + 1} digits here was rounded to ${precision}`,
            );
          }
        }
      }
    });
  }
}

/**
 * Bounds a matrix power before mathjs runs it: `ones(100,100)^(10^20)` is 67 products of
 * 100x100 matrices inside one call, where no deadline can stop it. The budget is a tenth of a
 * single product's: 100,000 64-digit products took about a second on a loaded machine.
 */
export function checkMatrixPower(math: MathJsInstance, meter: Meter, args: unknown[]): void {
  const [base, exponent] = args;
  if (!isCollection(math, base)) return;
  const side = shapeOf(math, base)[0] ?? 1;
  const e = Math.abs(Number(math.number(exponent as never)));
  const products = e < 2 ? 0 : 2 * Math.floor(Math.log2(e));
  const work = side ** 3 * products;
  const budget = meter.limits.maxElements * 10;
  if (!(work <= budget)) {
    throw calcFailure(
      'limit',
      `this matrix power is too costly (${side}x${side} to the power ${Number.isFinite(e) ? e : 'given'}); the calculator allows ${budget} element products`,
    );
  }
}
