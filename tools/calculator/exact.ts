/**
 * Exact integer combinatorics on bigint. Each loop checks the running value against a bound
 * and the clock, so a call either finishes small or stops early instead of running away.
 */

/** Called with each intermediate value; throws to stop the computation. */
export type GrowthCheck = (value: bigint) => void;

/** An upper bound on the decimal digits of n!, from Stirling's formula. */
export function factorialDigits(n: number): number {
  if (n < 2) return 1;
  const log10 = (n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n)) / Math.LN10;
  return Math.floor(log10) + 2;
}

export function exactFactorial(n: bigint, check: GrowthCheck): bigint {
  let result = 1n;
  for (let i = 2n; i <= n; i++) {
    result *= i;
    if ((i & 63n) === 0n) check(result);
  }
  check(result);
  return result;
}

/** n choose k, by the multiplicative formula; every partial product is itself a binomial. */
export function exactCombinations(n: bigint, k: bigint, check: GrowthCheck): bigint {
  const steps = k < n - k ? k : n - k;
  let result = 1n;
  for (let i = 0n; i < steps; i++) {
    result = (result * (n - i)) / (i + 1n);
    if ((i & 15n) === 15n) check(result);
  }
  check(result);
  return result;
}

/** The number of ordered selections of k items out of n. */
export function exactPermutations(n: bigint, k: bigint, check: GrowthCheck): bigint {
  let result = 1n;
  for (let i = 0n; i < k; i++) {
    result *= n - i;
    if ((i & 15n) === 15n) check(result);
  }
  check(result);
  return result;
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

const SMALL_PRIMES = [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n, 41n, 43n, 47n];

/**
 * Miller-Rabin with the first fifteen primes as bases: deterministic below 3.3e24 and a
 * false-positive chance under 4^-15 above it.
 */
export function isProbablePrime(n: bigint): boolean {
  if (n < 2n) return false;
  for (const p of SMALL_PRIMES) {
    if (n === p) return true;
    if (n % p === 0n) return false;
  }
  let d = n - 1n;
  let r = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    r++;
  }
  for (const a of SMALL_PRIMES) {
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    let composite = true;
    for (let i = 1; i < r; i++) {
      x = (x * x) % n;
      if (x === n - 1n) {
        composite = false;
        break;
      }
    }
    if (composite) return false;
  }
  return true;
}

/** An estimate of log10(|n|) that stays cheap for very large values. */
export function log10Abs(n: bigint): number {
  const abs = n < 0n ? -n : n;
  if (abs === 0n) return Number.NEGATIVE_INFINITY;
  const hex = abs.toString(16);
  if (hex.length <= 12) return Math.log10(Number(abs));
  const head = Number.parseInt(hex.slice(0, 12), 16);
  return Math.log10(head) + (hex.length - 12) * Math.log10(16);
}
