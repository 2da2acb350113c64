import { describe, expect, it } from 'vitest';
import { greedyWarning } from '../../src/cli/eval-action.js';
import { BUNDLED_MODEL_TEMPERATURE, modelFromOptions } from '../../src/cli/model-options.js';

describe('sampling defaults', () => {
  it('gives the bundled model a temperature above 0 for several samples, so that they differ', async () => {
    const { provider, sampling } = await modelFromOptions({}, {}, { samples: 4 });
    try {
      expect(BUNDLED_MODEL_TEMPERATURE).toBeGreaterThan(0);
      expect(sampling.temperature).toBe(BUNDLED_MODEL_TEMPERATURE);
      expect(sampling.top_p).toBe(1);
    } finally {
      await provider.close?.();
    }
  });

  it('records greedy decoding as temperature 0, not null, for one sample of the bundled model', async () => {
    const { provider, sampling } = await modelFromOptions({}, {});
    await provider.close?.();
    expect(sampling.temperature).toBe(0);
  });

  it('keeps a temperature given on the command line for the bundled model', async () => {
    const { provider, sampling } = await modelFromOptions({ temperature: '0' }, {}, { samples: 4 });
    await provider.close?.();
    expect(sampling.temperature).toBe(0);
  });

  it('leaves a server model at its own default, recorded as null', async () => {
    const { sampling } = await modelFromOptions(
      { model: 'm', baseUrl: 'http://127.0.0.1:9/v1' },
      {},
    );
    expect(sampling.temperature).toBeUndefined();
  });

  it('warns when several samples are asked for at temperature 0', () => {
    expect(greedyWarning(4, 0)).toMatch(/^--samples 4 with --temperature 0 \(greedy\)/);
    expect(greedyWarning(1, 0)).toBeNull();
    expect(greedyWarning(4, 0.7)).toBeNull();
    expect(greedyWarning(4, undefined)).toBeNull();
  });
});
