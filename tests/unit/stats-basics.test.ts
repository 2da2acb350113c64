import { describe, expect, it } from 'vitest';
import { pairedBootstrapCi } from '../../src/eval/stats/bootstrap.js';
import { majorityCorrect, majorityRate, voteKey } from '../../src/eval/stats/majority.js';
import { mcnemarExact } from '../../src/eval/stats/mcnemar.js';
import { passAtK, reportedKs } from '../../src/eval/stats/pass-at-k.js';
import { mean, percentile } from '../../src/eval/stats/percentile.js';
import { wilsonInterval } from '../../src/eval/stats/wilson.js';
import { evalRecord } from '../support/eval-records.js';

describe('wilsonInterval', () => {
  // By hand with z = 1.96: center = (p + z²/2n) / (1 + z²/n), half = z·sqrt(p(1−p)/n + z²/4n²) / (1 + z²/n).
  it('gives [0.3968, 0.8922] for 7 of 10', () => {
    const [lo, hi] = wilsonInterval(7, 10)!;
    expect(lo).toBeCloseTo(0.39677, 4);
    expect(hi).toBeCloseTo(0.89221, 4);
  });

  it('stays inside [0, 1] at 0 of 10 and 10 of 10', () => {
    expect(wilsonInterval(0, 10)![0]).toBe(0);
    expect(wilsonInterval(0, 10)![1]).toBeCloseTo(0.27753, 4);
    expect(wilsonInterval(10, 10)![0]).toBeCloseTo(0.72247, 4);
    expect(wilsonInterval(10, 10)![1]).toBe(1);
  });

  it('gives [0.4038, 0.5962] for 50 of 100', () => {
    const [lo, hi] = wilsonInterval(50, 100)!;
    expect(lo).toBeCloseTo(0.40383, 4);
    expect(hi).toBeCloseTo(0.59617, 4);
  });

  it('has no interval without samples', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});

describe('mcnemarExact', () => {
  it('gives p = 0.109375 for b = 8, c = 2 (2 · 56/1024)', () => {
    expect(mcnemarExact(8, 2)).toEqual({ b: 8, c: 2, p_value: 0.109375 });
  });

  it('is symmetric in b and c', () => {
    expect(mcnemarExact(2, 8).p_value).toBe(0.109375);
  });

  it('gives 2/1024 for ten discordant pairs all one way', () => {
    expect(mcnemarExact(10, 0).p_value).toBe(0.001953125);
  });

  it('gives 0.625 for b = 3, c = 1 (2 · 5/16)', () => {
    expect(mcnemarExact(3, 1).p_value).toBeCloseTo(0.625, 12);
  });

  it('caps the p-value at 1 and is 1 without discordant pairs', () => {
    expect(mcnemarExact(5, 5).p_value).toBe(1);
    expect(mcnemarExact(0, 0).p_value).toBe(1);
  });

  it('stays finite and tiny for thousands of pairs', () => {
    const { p_value } = mcnemarExact(3000, 1000);
    expect(p_value).toBeGreaterThan(0);
    expect(p_value).toBeLessThan(1e-100);
    expect(mcnemarExact(1500, 1500).p_value).toBe(1);
  });
});

describe('passAtK', () => {
  it.each([
    [5, 2, 2, 0.7], // 1 − C(3,2)/C(5,2) = 1 − 3/10
    [4, 1, 2, 0.5], // 1 − C(3,2)/C(4,2) = 1 − 3/6
    [10, 2, 5, 1 - 56 / 252], // 1 − C(8,5)/C(10,5)
    [10, 3, 1, 0.3], // pass@1 is the fraction correct
    [5, 0, 1, 0],
    [5, 0, 5, 0],
    [5, 5, 3, 1],
    [5, 4, 2, 1], // fewer wrong samples than k: some sample is right
  ])('pass@k with n = %i, c = %i, k = %i is %d', (n, c, k, expected) => {
    expect(passAtK(n, c, k)).toBeCloseTo(expected, 12);
  });

  it('does not overflow for large n', () => {
    expect(passAtK(10_000, 1, 1)).toBeCloseTo(1e-4, 12);
    expect(passAtK(10_000, 5000, 100)).toBeCloseTo(1, 12);
  });

  it('refuses k larger than n', () => {
    expect(() => passAtK(3, 1, 4)).toThrow(RangeError);
  });

  it('reports powers of two up to the sample count, and the count itself', () => {
    expect(reportedKs(1)).toEqual([1]);
    expect(reportedKs(4)).toEqual([1, 2, 4]);
    expect(reportedKs(5)).toEqual([1, 2, 4, 5]);
    expect(reportedKs(0)).toEqual([]);
  });
});

describe('percentile', () => {
  it('interpolates linearly between order statistics (numpy and R type 7)', () => {
    expect(percentile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(percentile([1, 2, 3, 4], 0.95)).toBeCloseTo(3.85, 12);
    expect(percentile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(percentile([10], 0.95)).toBe(10);
  });

  it('has no value for no data', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(mean([])).toBeNull();
  });
});

describe('pairedBootstrapCi', () => {
  const diffs = [1, 0, 1, 1, 0, -1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0, -1, 1, 0, 1];

  it('contains the point estimate', () => {
    const [lo, hi] = pairedBootstrapCi(diffs)!;
    const estimate = mean(diffs)!;
    expect(lo).toBeLessThan(estimate);
    expect(hi).toBeGreaterThan(estimate);
    expect(lo).toBeGreaterThan(-1);
    expect(hi).toBeLessThan(1);
  });

  it('is the same for the same seed and differs for another', () => {
    const a = pairedBootstrapCi(diffs, { seed: 1, resamples: 2000 });
    expect(pairedBootstrapCi(diffs, { seed: 1, resamples: 2000 })).toEqual(a);
    expect(pairedBootstrapCi(diffs, { seed: 2, resamples: 2000 })).not.toEqual(a);
  });

  it('is close to the normal approximation for this sample', () => {
    // Mean 0.4, sample sd 0.6806: the normal 95% interval is 0.4 ± 1.96 · 0.6806 / √20 = 0.4 ± 0.298.
    const [lo, hi] = pairedBootstrapCi(diffs)!;
    expect(lo).toBeCloseTo(0.4 - 0.298, 1);
    expect(hi).toBeCloseTo(0.4 + 0.298, 1);
  });

  it('collapses to the value when every task moved the same way', () => {
    expect(pairedBootstrapCi([0.5, 0.5, 0.5])).toEqual([0.5, 0.5]);
  });

  it('has no interval without tasks', () => {
    expect(pairedBootstrapCi([])).toBeNull();
  });
});

describe('maj@k voting', () => {
  const sample = (i: number, extracted: string | null, reward: number) =>
    evalRecord({ task: 't', sample: i, extracted, reward });

  it('picks the most frequent normalized answer', () => {
    const samples = [
      sample(0, '5', 0),
      sample(1, '4', 1),
      sample(2, '4.0', 1),
      sample(3, '$4$', 1),
    ];
    expect(majorityCorrect(samples, 4)).toBe(true);
    expect(majorityCorrect(samples, 1)).toBe(false);
  });

  it('breaks a tie in favour of the answer that came first', () => {
    expect(majorityCorrect([sample(0, '5', 0), sample(1, '4', 1)], 2)).toBe(false);
    expect(majorityCorrect([sample(0, '4', 1), sample(1, '5', 0)], 2)).toBe(true);
  });

  it('does not count samples without an extracted answer as votes', () => {
    expect(majorityCorrect([sample(0, null, 0), sample(1, null, 0), sample(2, '4', 1)], 3)).toBe(
      true,
    );
    expect(majorityCorrect([sample(0, null, 0)], 1)).toBe(false);
  });

  it('groups answers by value', () => {
    expect(voteKey('1,000')).toBe(voteKey('1000'));
    expect(voteKey('\\dfrac{1}{2}')).toBe(voteKey('\\frac{1}{2}'));
    expect(voteKey('0.50')).toBe(voteKey('.5'));
    expect(voteKey('Paris')).toBe(voteKey('paris'));
    expect(voteKey('4')).not.toBe(voteKey('40'));
  });
});

describe('maj@k rate', () => {
  const sample = (i: number, extracted: string | null, reward: number) =>
    evalRecord({ task: 't', sample: i, extracted, reward });

  it('votes in every full window of k samples, not only the first', () => {
    const samples = [sample(0, '5', 0), sample(1, '4', 1), sample(2, '4', 1), sample(3, '4', 1)];
    expect(majorityRate(samples, 1)).toBe(0.75);
    expect(majorityRate(samples, 2)).toBe(0.5);
    expect(majorityRate(samples, 4)).toBe(1);
    expect(majorityRate(samples.slice(0, 3), 2)).toBe(0);
    expect(majorityRate([], 1)).toBe(0);
  });
});
