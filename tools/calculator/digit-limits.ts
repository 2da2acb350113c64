import { factorialDigits, isProbablePrime } from './exact.js';
import { calcFailure } from './limits.js';
import type { Meter } from './meter.js';

/** The largest n whose factorial stays within the digit limit. */
export function maxFactorialArgument(meter: Meter): number {
  let n = 1;
  while (factorialDigits(n * 2) <= meter.limits.maxDigits) n *= 2;
  let lo = n;
  let hi = n * 2;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (factorialDigits(mid) <= meter.limits.maxDigits) lo = mid;
    else hi = mid;
  }
  return lo;
}

export function tooManyDigits(what: string, digits: number, meter: Meter) {
  const size = Number.isFinite(digits)
    ? `about ${Math.round(digits).toLocaleString('en-US')}`
    : 'too many';
  return calcFailure(
    'limit',
    `${what} would have ${size} digits; the calculator handles numbers up to ${meter.limits.maxDigits.toLocaleString('en-US')} digits`,
  );
}

/** Primality of an exact integer; integers longer than `maxPrimeDigits` are refused. */
export function isPrime(n: bigint, meter: Meter): boolean {
  const digits = (n < 0n ? -n : n).toString().length;
  if (digits > meter.limits.maxPrimeDigits) {
    throw calcFailure(
      'limit',
      `isPrime accepts integers up to ${meter.limits.maxPrimeDigits} digits`,
    );
  }
  return isProbablePrime(n);
}
