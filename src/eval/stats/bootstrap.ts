import { randomInt, seededRandom } from '../prng.js';
import { percentileOfSorted } from './percentile.js';

export interface BootstrapOptions {
  resamples?: number;
  seed?: number | string;
}

export const DEFAULT_RESAMPLES = 10_000;
export const DEFAULT_BOOTSTRAP_SEED = 20_211_028;

/**
 * Percentile bootstrap 95% interval of the mean of paired per-task differences: tasks are
 * resampled with replacement (the task is the unit that is independent), the mean is taken
 * per resample, and the 2.5th and 97.5th percentiles are returned. Seeded, so the same data
 * gives the same interval. Null for no tasks.
 */
export function pairedBootstrapCi(
  differences: readonly number[],
  options: BootstrapOptions = {},
): [number, number] | null {
  const n = differences.length;
  if (n === 0) return null;
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const random = seededRandom(options.seed ?? DEFAULT_BOOTSTRAP_SEED);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += differences[randomInt(random, n)]!;
    means[r] = sum / n;
  }
  means.sort();
  const sorted = Array.from(means);
  return [percentileOfSorted(sorted, 0.025), percentileOfSorted(sorted, 0.975)];
}
