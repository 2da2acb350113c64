import { describe, expect, it } from 'vitest';
import { renderSummary } from '../../src/eval/report/summary.js';
import type { ArmResults, EvalResults } from '../../src/eval/stats/results.js';
import { sampleRun } from '../fixtures/eval-run/sample-run.js';

function arm(fields: Partial<ArmResults>): ArmResults {
  return {
    n: 100,
    scored: 100,
    infra_errors: 0,
    accuracy: 0.5,
    accuracy_ci95: [0.4, 0.6],
    raw_accuracy: 0.5,
    pass_at_k: {},
    maj_at_k: {},
    tool_calls_mean: 0,
    tool_error_rate: null,
    denial_rate: null,
    unrequested_calls: 0,
    tokens: { prompt_mean: null, completion_mean: null, total: 0 },
    latency_ms: { mean: null, p50: null, p95: null },
    ...fields,
  };
}

describe('renderSummary', () => {
  it('calls a difference with p below 0.05 significant and prints it in points', async () => {
    const { manifest } = await sampleRun();
    const results: EvalResults = {
      run_id: manifest.run_id,
      suite: manifest.suite,
      model: manifest.model,
      created_at: manifest.created_at,
      arms: {
        tools: arm({ accuracy: 0.73, accuracy_ci95: [0.6312, 0.8111], tool_calls_mean: 2.345 }),
        'no-tools': arm({ accuracy: 0.5, accuracy_ci95: [0.4038, 0.5962] }),
      },
      paired: {
        'tools_vs_no-tools': {
          n_pairs: 100,
          diff: 0.23,
          diff_ci95: [0.121, 0.339],
          mcnemar: { b: 27, c: 4, p_value: 0.00214 },
          discordant: Array.from({ length: 31 }, (_, i) => `t${i}`),
        },
      },
      by_tag: {},
    };
    const text = renderSummary(results, manifest);
    expect(text).toContain(
      'tools − no-tools: +23.0 pts [+12.1, +33.9], McNemar p = 0.0021 (significant at 0.05); 31 of 100 paired tasks differ',
    );
    expect(text).toMatch(/^tools\s+73\.0%\s+\[63\.1%, 81\.1%\]\s+100\/100\s+0\s+2\.35$/m);
    expect(text).not.toContain('warning');
    expect(text.split('\n').length).toBeLessThan(20);
  });

  it('says a non-significant difference is not significant and warns about infra errors', async () => {
    const { results, manifest } = await sampleRun();
    const text = renderSummary(results, manifest);
    expect(text).toContain('model scripted · suite suite.jsonl (12 tasks) · 1 sample per task');
    expect(text).toMatch(/^no-tools\s+63\.6%\s+\[35\.4%, 84\.8%\]\s+11\/12\s+1\s+0$/m);
    // b = 4, c = 1: p = 2 · (1 + 5) / 2^5 = 0.375.
    expect(text).toMatch(
      /^tools − no-tools: \+27\.3 pts \[[−+]?\d+\.\d, \+\d+\.\d\], McNemar p = 0\.38 \(not significant at 0\.05\); 5 of 11 paired tasks differ$/m,
    );
    expect(text).toContain(
      'warning: 1 sample ended in infrastructure errors (no-tools 1); they are excluded from accuracy, not counted as wrong',
    );
  });
});
