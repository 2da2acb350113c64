import { afterAll, describe, expect, it } from 'vitest';
import { runEpisode } from '../../src/agent/episode.js';
import { exportRecords } from '../../src/eval/export/formats.js';
import { createLlamaCppProvider, defaultModelPath } from '../../src/model/llama-cpp-provider.js';
import { allowListedPolicy } from '../../src/policy/builtin.js';
import { traceRecordSchema } from '../../src/trace/schema.js';
import { createCalculatorTool } from '../../tools/calculator/index.js';

const model = createLlamaCppProvider({ modelPath: defaultModelPath(), threads: 1 });

afterAll(async () => {
  await model.close?.();
});

describe('--record-tokens with the bundled in-process model', () => {
  it('records the exact ids of each turn, and the tokens export decodes back to the conversation', async () => {
    const record = await runEpisode({
      model,
      prompt: 'What is 48213 * 99172? Answer with the number only.',
      tools: { calculator: createCalculatorTool() },
      policy: allowListedPolicy(['calculator']),
      sampling: { seed: 7, temperature: 0 },
      recordTokens: true,
    });
    expect(traceRecordSchema.safeParse(record).success).toBe(true);
    expect(record.tool_calls.map((c) => c.name)).toEqual(['calculator']);
    const turns = record.messages.flatMap((m) =>
      m.role === 'assistant' && m.tokens ? [m.tokens] : [],
    );
    expect(turns).toHaveLength(2);
    expect(record['tokens_consistent']).toBe(true);
    for (const turn of turns) {
      // One logprob per completion token, each a finite log of a probability.
      expect(turn.logprobs).toHaveLength(turn.completion_ids.length);
      expect(turn.logprobs!.every((lp) => Number.isFinite(lp) && lp <= 0)).toBe(true);
    }

    const { rows } = exportRecords(
      [{ ...record, task_id: 't', arm: 'tools', group_id: 'g', reward: 1 }],
      { format: 'tokens' },
    );
    expect(rows).toHaveLength(1);
    const row = rows[0] as Record<string, number[]>;
    const { llama, tiny } = await detokenizer();
    const text = tiny.detokenize([...row['prompt_ids']!, ...row['completion_ids']!] as never, true);
    expect(text).toContain('What is 48213 * 99172?');
    expect(text).toContain('calculator');
    expect(text).toContain(String(48213 * 99172));
    const sampled = row['completion_ids']!.filter((_, i) => row['completion_mask']![i] === 1);
    expect(tiny.detokenize(sampled as never, true)).toContain(String(48213 * 99172));
    await tiny.dispose();
    await llama.dispose();
  });
});

describe('logprobs from the bundled in-process model', () => {
  it('records one finite logprob ≤ 0 per sampled token, below 0 where the sampler had a choice', async () => {
    const record = await runEpisode({
      model,
      prompt: 'Write one short sentence about rivers.',
      tools: {},
      policy: allowListedPolicy([]),
      sampling: { seed: 11, temperature: 0.9, max_tokens: 24 },
      recordTokens: true,
    });
    const turns = record.messages.flatMap((m) =>
      m.role === 'assistant' && m.tokens ? [m.tokens] : [],
    );
    expect(turns).toHaveLength(1);
    const { completion_ids, logprobs } = turns[0]!;
    expect(completion_ids.length).toBeGreaterThan(0);
    expect(logprobs).toHaveLength(completion_ids.length);
    expect(logprobs!.every((lp) => Number.isFinite(lp) && lp <= 0)).toBe(true);
    expect(logprobs!.some((lp) => lp < 0)).toBe(true);
  });

  it('records no logprobs without --record-tokens', async () => {
    const record = await runEpisode({
      model,
      prompt: 'Say hi.',
      tools: {},
      policy: allowListedPolicy([]),
      sampling: { seed: 1, temperature: 0, max_tokens: 8 },
    });
    expect(record.messages.some((m) => 'tokens' in m)).toBe(false);
  });
});

async function detokenizer() {
  const { getLlama } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false });
  const tiny = await llama.loadModel({ modelPath: defaultModelPath() });
  return { llama, tiny };
}
