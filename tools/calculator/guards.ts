import type { MathJsInstance } from 'mathjs';
import { addDecimalGuards } from './decimal-functions.js';
import { addExactFunctions } from './exact-functions.js';
import { checkMatrixPower, refuseRoundedIntegers } from './integer-functions.js';
import { calcFailure } from './limits.js';
import type { Meter } from './meter.js';
import { approximate, elementsOf, isCollection, shapeOf } from './values.js';

export type Fn = (...args: unknown[]) => unknown;

/** Which pass an engine serves: exact rationals first, 64-digit decimals when that fails. */
export type EngineKind = 'exact' | 'decimal';

/**
 * Wraps the functions whose one call could run away (huge factorials, powers, ranges,
 * matrices) with checks made before the work, and gives the exact pass bigint versions of the
 * integer functions mathjs only computes in floating point.
 */
export function guardFunctions(
  kind: EngineKind,
  math: MathJsInstance,
  base: ReadonlyMap<string, Fn>,
  meter: Meter,
): Map<string, Fn> {
  const table = new Map(base);
  const original = (name: string): Fn => {
    const fn = base.get(name);
    if (!fn) throw new Error(`mathjs has no function ${name}`);
    return fn;
  };
  const wrap = (name: string, before: (args: unknown[]) => void): void => {
    const fn = original(name);
    table.set(name, (...args: unknown[]) => {
      meter.tick();
      before(args);
      return fn(...args);
    });
  };

  wrap('range', (args) => checkRange(math, meter, args));
  for (const name of ['zeros', 'ones', 'identity'])
    wrap(name, (args) => checkShape(math, meter, name, args));
  wrap('diag', (args) => {
    const [first] = args;
    if (shapeOf(math, first).length === 1)
      checkElements(meter, elementsOf(math, first).length ** 2);
  });
  wrap('multiply', (args) => checkMatrixProduct(math, meter, args));
  for (const name of ['det', 'inv']) wrap(name, (args) => checkSquare(math, meter, name, args));
  wrap('pow', (args) => checkMatrixPower(math, meter, args));

  if (kind === 'exact') addExactFunctions(math, table, original, meter);
  else {
    addDecimalGuards(math, table, wrap, meter);
    refuseRoundedIntegers(math, wrap, math.config({}).precision ?? 64);
  }
  return table;
}

export function checkElements(meter: Meter, count: number): void {
  if (!(count <= meter.limits.maxElements)) {
    throw calcFailure(
      'limit',
      `the result would have ${Number.isFinite(count) ? Math.round(count) : 'too many'} elements; the calculator allows ${meter.limits.maxElements}`,
    );
  }
}

function checkRange(math: MathJsInstance, meter: Meter, args: unknown[]): void {
  if (args.some((a) => typeof a === 'string')) {
    throw calcFailure('unsupported', 'write ranges as start:end or range(start, end, step)');
  }
  const [start, end, step] = args.map((a) => approximate(math, a));
  const stride = step === undefined ? 1 : Math.abs(step);
  checkElements(meter, Math.floor(Math.abs((end ?? 0) - (start ?? 0)) / stride) + 1);
}

function checkShape(math: MathJsInstance, meter: Meter, name: string, args: unknown[]): void {
  const sizes = args.flatMap((a) => elementsOf(math, a)).filter((a) => typeof a !== 'string');
  let count = 1;
  for (const s of sizes) count *= Math.abs(approximate(math, s));
  if (name === 'identity' && sizes.length === 1) count *= count;
  checkElements(meter, count);
}

function checkMatrixProduct(math: MathJsInstance, meter: Meter, args: unknown[]): void {
  const [a, b] = args;
  if (args.length !== 2 || !isCollection(math, a) || !isCollection(math, b)) return;
  const sa = shapeOf(math, a);
  const sb = shapeOf(math, b);
  const work = (sa[0] ?? 1) * (sa[1] ?? 1) * (sb.length > 1 ? (sb[1] ?? 1) : 1);
  if (work > meter.limits.maxElements * 100) {
    throw calcFailure(
      'limit',
      `this matrix product is too large (${sa.join('x')} by ${sb.join('x')})`,
    );
  }
}

function checkSquare(math: MathJsInstance, meter: Meter, name: string, args: unknown[]): void {
  const shape = shapeOf(math, args[0]);
  if (shape.some((s) => s > meter.limits.maxMatrixSide)) {
    throw calcFailure(
      'limit',
      `${name} accepts matrices up to ${meter.limits.maxMatrixSide}x${meter.limits.maxMatrixSide}`,
    );
  }
}
