import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLED_MODEL_TEMPERATURE } from '../../src/cli/model-options.js';
import { createLlamaCppProvider, defaultModelPath } from '../../src/model/llama-cpp-provider.js';

const model = createLlamaCppProvider({ modelPath: defaultModelPath(), threads: 1 });

afterAll(async () => {
  await model.close?.();
});

describe('the bundled model at its default temperature for several samples', () => {
  it('gives samples that differ across seeds, where greedy decoding repeats one', async () => {
    const ask = async (temperature: number, seed: number) =>
      (
        await model.step({
          messages: [{ role: 'user', content: 'Who wrote the corpus entry about the river Vell?' }],
          tools: [],
          sampling: { temperature, seed, max_tokens: 24 },
        })
      ).text;
    const seeds = [0, 1, 2, 3, 4, 5];
    const sampled = await Promise.all(seeds.map((s) => ask(BUNDLED_MODEL_TEMPERATURE, s)));
    const greedy = await Promise.all(seeds.map((s) => ask(0, s)));
    expect(new Set(greedy).size).toBe(1);
    expect(new Set(sampled).size).toBeGreaterThan(1);
  });
});
