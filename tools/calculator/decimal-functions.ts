import type { BigNumber, MathJsInstance } from 'mathjs';
import { isPrime, maxFactorialArgument, tooManyDigits } from './digit-limits.js';
import { factorialDigits } from './exact.js';
import type { Fn } from './guards.js';
import { calcFailure } from './limits.js';
import type { Meter } from './meter.js';
import { approximate, bigNumberInteger, elementsOf } from './values.js';

/** Refuses decimal-pass calls whose loops in mathjs would run for the size of their argument. */
export function addDecimalGuards(
  math: MathJsInstance,
  table: Map<string, Fn>,
  wrap: (name: string, before: (args: unknown[]) => void) => void,
  meter: Meter,
): void {
  const largest = (args: unknown[]): number => {
    let max = 0;
    for (const a of args)
      for (const e of elementsOf(math, a)) max = Math.max(max, approximate(math, e));
    return max;
  };
  const factorialLimit = (name: string) => (args: unknown[]) => {
    const n = largest(args);
    if (n > maxFactorialArgument(meter))
      throw tooManyDigits(`${name}(${n})`, factorialDigits(n), meter);
  };
  // mathjs computes gamma of BigNumbers for integers only; other arguments use its float gamma.
  for (const name of ['factorial', 'gamma']) {
    const fn = table.get(name) as Fn;
    const limit = factorialLimit(name);
    table.set(name, (...args) => {
      meter.tick();
      limit(args);
      const [x] = args;
      if (args.length === 1 && math.isBigNumber(x) && !(x as BigNumber).isInteger()) {
        return fn((x as BigNumber).toNumber());
      }
      return fn(...args);
    });
  }
  // C(n, k) and P(n, k) are at least 2^min(k, n-k), so a longer loop can only overflow.
  const loopLimit = meter.limits.maxDigits / Math.log10(2);
  const steps = (name: string, count: number) => {
    if (count > loopLimit) throw tooManyDigits(name, count * Math.log10(2), meter);
  };
  wrap('combinations', ([n, k]) => {
    const nn = approximate(math, n);
    const kk = approximate(math, k);
    steps('combinations', Math.min(kk, nn - kk));
  });
  wrap('combinationsWithRep', (args) => steps('combinationsWithRep', approximate(math, args[1])));
  wrap('permutations', ([n, k]) => steps('permutations', approximate(math, k ?? n)));
  const isPrimeDecimal = table.get('isPrime');
  table.set('isPrime', (...args) => {
    const n = bigNumberInteger(math, args[0]);
    if (args.length !== 1 || n === null) return isPrimeDecimal?.(...args);
    if ((args[0] as BigNumber).e >= 60) {
      throw calcFailure('limit', 'isPrime needs an exact integer; this value was rounded');
    }
    return isPrime(n, meter);
  });
}
