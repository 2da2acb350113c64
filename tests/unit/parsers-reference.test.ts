import { describe, expect, it } from 'vitest';
import { parseToolCalls } from '../../src/parsers.js';
import { caseTools, loadReferenceCases, mismatch } from '../support/reference-cases.js';

const cases = loadReferenceCases();

describe('tool-call parsing agrees with the reference projects on their own test cases', () => {
  it('has cases from vLLM, llama.cpp, SGLang and openai/harmony, with no-call cases among them', () => {
    const repos = new Set(cases.map((reference) => reference.source.repo));
    expect([...repos].sort()).toEqual([
      'ggml-org/llama.cpp',
      'openai/harmony',
      'sgl-project/sglang',
      'vllm-project/vllm',
    ]);
    expect(cases.length).toBeGreaterThanOrEqual(200);
    expect(cases.filter((reference) => reference.calls.length === 0).length).toBeGreaterThan(40);
    expect(new Set(cases.map((reference) => reference.id)).size).toBe(cases.length);
  });

  it('agrees on at least 98% of the cases, departing only where a deviation is written down', () => {
    const deviations = cases.filter((reference) => reference.deviation !== undefined);
    expect(1 - deviations.length / cases.length).toBeGreaterThanOrEqual(0.98);
  });

  it.each(
    cases
      .filter((reference) => reference.deviation !== undefined)
      .map((reference) => [reference.id, reference.deviation, reference] as const),
  )('departs from the reference on %s on purpose: %s', (_id, _why, reference) => {
    const result = parseToolCalls(reference.text, {
      format: reference.format,
      tools: caseTools(reference),
    });
    expect(mismatch(result, reference)).not.toBeNull();
  });

  it.each(
    cases
      .filter((reference) => reference.deviation === undefined)
      .map((reference) => [reference.id, reference] as const),
  )('reads %s as the reference expects', (_id, reference) => {
    const result = parseToolCalls(reference.text, {
      format: reference.format,
      tools: caseTools(reference),
    });
    expect(mismatch(result, reference)).toBeNull();
  });
});
