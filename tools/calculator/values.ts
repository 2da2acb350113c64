import type { BigNumber, Fraction, MathJsInstance, Matrix } from 'mathjs';
import { log10Abs } from './exact.js';

/** A matrix or a nested array. */
export function isCollection(math: MathJsInstance, value: unknown): value is Matrix | unknown[] {
  return Array.isArray(value) || math.isMatrix(value);
}

/** The elements of a matrix or nested array, in order; a scalar is its own only element. */
export function elementsOf(math: MathJsInstance, value: unknown): unknown[] {
  if (math.isMatrix(value)) return (value.valueOf() as unknown[]).flat(Number.POSITIVE_INFINITY);
  if (Array.isArray(value)) return value.flat(Number.POSITIVE_INFINITY);
  return [value];
}

/** The dimensions of a matrix or nested array; empty for a scalar. */
export function shapeOf(math: MathJsInstance, value: unknown): number[] {
  if (math.isMatrix(value)) return value.size();
  const shape: number[] = [];
  let current: unknown = value;
  while (Array.isArray(current)) {
    shape.push(current.length);
    current = current[0];
  }
  return shape;
}

/** The integer a Fraction holds, or null when it is not an integer. */
export function fractionInteger(math: MathJsInstance, value: unknown): bigint | null {
  if (!math.isFraction(value)) return null;
  const f = value as Fraction;
  return f.d === 1n ? f.s * f.n : null;
}

/** The integer a BigNumber holds, or null when it is not a finite integer. */
export function bigNumberInteger(math: MathJsInstance, value: unknown): bigint | null {
  if (!math.isBigNumber(value)) return null;
  const b = value as BigNumber;
  if (!b.isFinite() || !b.isInteger()) return null;
  return BigInt(b.toFixed(0));
}

/** A JavaScript number near the value, for size estimates only; NaN when it has none. */
export function approximate(math: MathJsInstance, value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (math.isBigNumber(value)) return (value as BigNumber).toNumber();
  if (math.isFraction(value)) {
    const f = value as Fraction;
    return Number(f.s) * 10 ** (log10Abs(f.n) - log10Abs(f.d));
  }
  return Number.NaN;
}

/** log10 of the largest of |numerator| and |denominator| of an exact value; 0 for others. */
export function exactSize(math: MathJsInstance, value: unknown): number {
  if (!math.isFraction(value)) return 0;
  const f = value as Fraction;
  return Math.max(log10Abs(f.n), log10Abs(f.d), 0);
}
