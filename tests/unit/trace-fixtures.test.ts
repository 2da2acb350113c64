import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTraceLines, readTraces, type TraceLine } from '../../src/trace/reader.js';

const ROOT = join(import.meta.dirname, '..', 'fixtures', 'traces', 'v1');

function files(folder: string): string[] {
  return readdirSync(join(ROOT, folder))
    .filter((name) => name.endsWith('.jsonl'))
    .sort();
}

async function collect(path: string): Promise<TraceLine[]> {
  const entries: TraceLine[] = [];
  for await (const entry of readTraceLines(path)) entries.push(entry);
  return entries;
}

/** What each invalid fixture must be rejected for: the line and the start of the message. */
const EXPECTED: Record<string, { line: number; message: string }> = {
  'bad-outcome-status.jsonl': { line: 1, message: 'outcome.status: ' },
  'bad-timestamp.jsonl': { line: 1, message: 'timing.started_at: Invalid ISO datetime' },
  'error-status-without-error.jsonl': {
    line: 1,
    message: 'error: required when outcome.status is "error"',
  },
  'infra-error-with-reward.jsonl': {
    line: 1,
    message: 'reward: must be null when error.class is "infra"',
  },
  'malformed-json.jsonl': { line: 1, message: 'not valid JSON: ' },
  'missing-field.jsonl': { line: 1, message: 'run_id: expected string, received undefined' },
  'schema-version-missing.jsonl': { line: 1, message: 'schema_version: missing' },
  'schema-version-newer.jsonl': {
    line: 1,
    message: 'schema_version 2 is newer than this assay supports (1)',
  },
  'second-line-invalid.jsonl': {
    line: 2,
    message: 'final_answer: expected string, received number',
  },
  'tool-call-bad-decision.jsonl': { line: 1, message: 'tool_calls.0.policy.decision: ' },
  'tool-message-without-id.jsonl': {
    line: 1,
    message: 'messages.3.tool_call_id: expected string, received undefined',
  },
  'wrong-type.jsonl': { line: 1, message: 'sample_index: expected number, received string' },
};

describe('the v1 trace fixtures', () => {
  it.each(files('valid'))('valid/%s holds only valid records', async (name) => {
    const entries = await collect(join(ROOT, 'valid', name));
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(entry).toHaveProperty('record');
  });

  it('has an expected failure for every invalid fixture, and a fixture for every expectation', () => {
    expect(files('invalid')).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(files('invalid'))('invalid/%s fails with the expected path', async (name) => {
    const expected = EXPECTED[name]!;
    const entries = await collect(join(ROOT, 'invalid', name));
    const problems = entries.filter((e) => 'error' in e);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: expected.line, torn: false });
    expect('error' in problems[0]! && problems[0].error.startsWith(expected.message)).toBe(true);
  });

  it.each([
    ['torn-last-line.jsonl', 2, 'torn last line skipped (a crash mid-write?)'],
    [
      'torn-then-appended.jsonl',
      2,
      'torn line skipped (a crash cut this record short; later lines are intact)',
    ],
  ])('torn/%s keeps its complete records and warns about line %i', async (name, line, message) => {
    const path = join(ROOT, 'torn', name);
    const warnings: string[] = [];
    const records = await readTraces(path, { onWarning: (w) => warnings.push(w) });
    expect(records.length).toBeGreaterThan(0);
    expect(warnings).toEqual([`${path}:${line}: ${message}`]);
  });

  it('covers the episode shapes the README lists', async () => {
    const read = (name: string) => readTraces(join(ROOT, 'valid', name));
    const calculator = await read('calculator-completed.jsonl');
    expect(calculator.every((r) => r.outcome.status === 'completed' && r.reward === 1)).toBe(true);
    const decisions = calculator.flatMap((r) => r.tool_calls.map((c) => c.policy?.decision));
    expect(new Set(decisions)).toEqual(new Set(['allow', 'deny']));
    const [noTools] = await read('no-tools.jsonl');
    expect(noTools).toMatchObject({ tools_enabled: false, tools: [], tool_calls: [] });
    const [infra] = await read('infra-error.jsonl');
    expect(infra).toMatchObject({
      reward: null,
      outcome: { status: 'error' },
      error: { class: 'infra' },
    });
    const [maxSteps] = await read('max-steps.jsonl');
    expect(maxSteps?.outcome.status).toBe('max_steps');
    const [artifact] = await read('artifact.jsonl');
    expect(artifact?.tool_calls[0]?.result.artifacts?.[0]?.path).toMatch(/^artifact\.artifacts\//);
    const [extra] = await read('extra-fields.jsonl');
    expect(extra).toHaveProperty('x_experiment');
  });
});
