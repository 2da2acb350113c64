import { afterAll, describe, expect, it } from 'vitest';
import { runEpisode } from '../../src/agent/episode.js';
import { createLlamaCppProvider, defaultModelPath } from '../../src/model/llama-cpp-provider.js';
import { allowListedPolicy } from '../../src/policy/builtin.js';
import { traceRecordSchema } from '../../src/trace/schema.js';
import { createCalculatorTool } from '../../tools/calculator/index.js';

const model = createLlamaCppProvider({ modelPath: defaultModelPath(), threads: 1 });

afterAll(async () => {
  await model.close?.();
});

describe('the bundled tiny model with the calculator', () => {
  it('calls the calculator and answers with its exact result for a fixed seed', async () => {
    const record = await runEpisode({
      model,
      prompt: 'What is 48213 * 99172? Answer with the number only.',
      tools: { calculator: createCalculatorTool() },
      policy: allowListedPolicy(['calculator']),
      sampling: { seed: 7, temperature: 0 },
    });
    expect(traceRecordSchema.safeParse(record).success).toBe(true);
    expect(record.outcome.status).toBe('completed');
    expect(record.tool_calls.map((c) => c.name)).toEqual(['calculator']);
    expect(record.final_answer).toBe(String(48213 * 99172));
    expect(record.model.provider).toBe('llama-cpp');
  });

  it('answers without a tool call when no tools are offered', async () => {
    const record = await runEpisode({
      model,
      prompt: 'What is 48213 * 99172? Answer with the number only.',
      tools: {},
      policy: allowListedPolicy([]),
      sampling: { seed: 7, temperature: 0 },
    });
    expect(record.outcome.status).toBe('completed');
    expect(record.tool_calls).toEqual([]);
    expect(record.final_answer).toMatch(/^\d+$/);
  });
});
