/**
 * The unbiased pass@k estimator of Chen et al. (2021): the chance that at least one of k
 * samples drawn without replacement from n (c of them correct) is correct,
 * 1 - C(n-c, k) / C(n, k), computed as a product so large n cannot overflow.
 */
export function passAtK(n: number, c: number, k: number): number {
  if (
    !Number.isInteger(n) ||
    !Number.isInteger(c) ||
    !Number.isInteger(k) ||
    k < 1 ||
    k > n ||
    c < 0 ||
    c > n
  ) {
    throw new RangeError(
      `pass@k needs integers 1 <= k <= n and 0 <= c <= n (got n=${n}, c=${c}, k=${k})`,
    );
  }
  if (n - c < k) return 1;
  let allWrong = 1;
  for (let i = n - c + 1; i <= n; i++) allWrong *= 1 - k / i;
  return 1 - allWrong;
}

/** The k reported for up to `maxSamples` samples a task: powers of two, and the maximum itself. */
export function reportedKs(maxSamples: number): number[] {
  const ks: number[] = [];
  for (let k = 1; k <= maxSamples; k *= 2) ks.push(k);
  if (maxSamples >= 1 && ks.at(-1) !== maxSamples) ks.push(maxSamples);
  return ks;
}
