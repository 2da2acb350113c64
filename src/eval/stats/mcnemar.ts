export interface McNemarResult {
  /** Pairs where the first arm was right and the second wrong. */
  b: number;
  /** Pairs where the first arm was wrong and the second right. */
  c: number;
  p_value: number;
}

/** Up to this many discordant pairs the tail is summed exactly in integers. */
const EXACT_LIMIT = 1000;

/**
 * McNemar's exact test: under "no difference" each discordant pair is a fair coin, so the
 * two-sided p-value is twice the binomial tail P(X <= min(b, c)) for X ~ Bin(b + c, 1/2),
 * capped at 1. The tail is an exact integer sum up to 1000 pairs, and a sum in log space
 * beyond, where 2^-n would underflow.
 */
export function mcnemarExact(b: number, c: number): McNemarResult {
  const n = b + c;
  if (n === 0) return { b, c, p_value: 1 };
  const k = Math.min(b, c);
  const tail = n <= EXACT_LIMIT ? exactTail(n, k) : logTail(n, k);
  return { b, c, p_value: Math.min(1, 2 * tail) };
}

function exactTail(n: number, k: number): number {
  let term = 1n;
  let sum = 1n;
  for (let i = 0; i < k; i++) {
    term = (term * BigInt(n - i)) / BigInt(i + 1);
    sum += term;
  }
  return Number(sum) / 2 ** n;
}

function logTail(n: number, k: number): number {
  let logPmf = -n * Math.LN2;
  let tail = Math.exp(logPmf);
  for (let i = 0; i < k; i++) {
    logPmf += Math.log(n - i) - Math.log(i + 1);
    tail += Math.exp(logPmf);
  }
  return tail;
}
