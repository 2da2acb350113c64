import { UsageError } from '../../core/errors.js';
import { randomInt, seededRandom } from '../prng.js';

export interface SampleOptions {
  limit?: number;
  seed?: number | string;
}

/**
 * Picks `limit` items: the first ones, or with a seed a uniform random sample (partial
 * Fisher–Yates). The sample keeps the source order so a sampled suite reads like the original.
 */
export function sampleItems<T>(items: readonly T[], options: SampleOptions): T[] {
  const { limit, seed } = options;
  if (limit === undefined) {
    if (seed !== undefined) throw new UsageError('USAGE', '--seed needs --limit (the sample size)');
    return [...items];
  }
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError('USAGE', '--limit: must be a positive integer');
  if (seed === undefined || limit >= items.length) return items.slice(0, limit);
  const random = seededRandom(seed);
  const indices = items.map((_, i) => i);
  for (let i = 0; i < limit; i++) {
    const j = i + randomInt(random, indices.length - i);
    [indices[i], indices[j]] = [indices[j]!, indices[i]!];
  }
  return indices
    .slice(0, limit)
    .sort((a, b) => a - b)
    .map((i) => items[i]!);
}
