import { describe, expect, it } from 'vitest';
import {
  computePoints,
  computeSection,
  equalComputePairs,
} from '../../src/eval/report/html/compute-chart.js';
import type { ArmResults } from '../../src/eval/stats/results.js';

function arm(accuracy: number | null, tokens: number | null, calls = 1): ArmResults {
  return {
    n: 10,
    scored: 10,
    infra_errors: 0,
    accuracy,
    accuracy_ci95:
      accuracy === null ? null : [Math.max(0, accuracy - 0.2), Math.min(1, accuracy + 0.1)],
    raw_accuracy: accuracy,
    pass_at_k: {},
    maj_at_k: {},
    tool_calls_mean: 0,
    tool_error_rate: null,
    denial_rate: null,
    unrequested_calls: 0,
    tokens: { prompt_mean: null, completion_mean: null, total: 0 },
    latency_ms: { mean: null, p50: null, p95: null },
    ...(tokens === null
      ? {}
      : { compute: { tokens_per_task_mean: tokens, model_calls_per_task_mean: calls } }),
  };
}

describe('the accuracy-against-compute chart', () => {
  it('places each arm on a log token axis, so eight times the tokens is three ticks of ×2', () => {
    const results = {
      single: arm(0.5, 100),
      'vote8<x>': arm(0.7, 800, 8),
    };
    const html = computeSection(['single', 'vote8<x>'], results);
    const circles = [...html.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    expect(circles).toHaveLength(2);
    // 100 and 800 tokens span log10(8) ≈ 0.903 of the one decade the axis covers (100…1,000).
    const width = 760 - 56 - 24;
    expect(circles[1]![0]! - circles[0]![0]!).toBeCloseTo(Math.log10(8) * width, 0);
    expect(circles[1]![1]!).toBeLessThan(circles[0]![1]!);
    expect(html).toContain('>1,000<');
    expect(html).toContain('vote8&lt;x&gt;');
    expect(html).not.toContain('vote8<x>');
    expect(html).toContain('8.0 model calls per task');
  });

  it('names arms within ×1.25 of each other in tokens as compared at equal compute', () => {
    const points = computePoints(['a', 'b', 'c', 'none'], {
      a: arm(0.5, 1000),
      b: arm(0.6, 1200),
      c: arm(0.9, 8000),
      none: arm(null, 500),
    });
    expect(points.map((p) => p.arm)).toEqual(['a', 'b', 'c']);
    expect(equalComputePairs(points)).toEqual([['a', 'b']]);
    expect(computeSection(['a', 'c'], { a: arm(0.5, 1000), c: arm(0.9, 8000) })).toContain(
      'No two arms spent roughly equal compute',
    );
  });

  it('draws a vote arm as a curve through k = 1, 2, 4 from the same samples', () => {
    const vote = {
      ...arm(0.8, 400, 4),
      vote_curve: [
        { k: 1, accuracy: 0.5, tokens_per_task_mean: 100 },
        { k: 2, accuracy: 0.6, tokens_per_task_mean: 200 },
        { k: 4, accuracy: 0.8, tokens_per_task_mean: 400 },
      ],
    };
    const html = computeSection(['vote4'], { vote4: vote });
    const points = /<polyline points="([^"]+)"/.exec(html)?.[1]?.split(' ') ?? [];
    expect(points).toHaveLength(3);
    expect(html).toContain('k=1: 50.0%, k=2: 60.0%, k=4: 80.0%');
  });

  it('draws nothing for results written before arms had compute figures', () => {
    expect(computeSection(['tools'], { tools: arm(0.5, null) })).toBe('');
  });
});
