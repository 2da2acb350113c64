import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AssayError, UsageError } from '../../src/core/errors.js';
import type { ModelRequest, ToolSpec } from '../../src/core/provider.js';
import { cpuLlama } from '../../src/model/llama-cpp/runtime.js';
import { sampleFirstAlone } from '../../src/model/llama-cpp/sampling-guard.js';
import { createLlamaCppProvider, defaultModelPath } from '../../src/model/llama-cpp-provider.js';

const calculatorSpec: ToolSpec = {
  name: 'calculator',
  description: 'Evaluates a math expression exactly.',
  parameters: {
    type: 'object',
    properties: { expression: { type: 'string' } },
    required: ['expression'],
    additionalProperties: false,
  },
};

const provider = createLlamaCppProvider({ modelPath: defaultModelPath(), threads: 1 });

afterAll(async () => {
  await provider.close?.();
});

function ask(prompt: string, extra: Partial<ModelRequest> = {}): ModelRequest {
  return {
    messages: [{ role: 'user', content: prompt }],
    tools: [calculatorSpec],
    sampling: { temperature: 0, seed: 1, max_tokens: 120 },
    ...extra,
  };
}

describe('createLlamaCppProvider', () => {
  it('names the provider and the model file, with no base URL', () => {
    expect(provider.info).toEqual({ provider: 'llama-cpp', name: 'model.gguf', base_url: null });
  });

  it('parses the tiny model calling the calculator into a tool call', async () => {
    const step = await provider.step(ask('What is 48213 * 99172?'));
    expect(step.toolCallSource).toBe('text');
    expect(step.dialect).toBe('hermes');
    expect(step.toolCalls).toHaveLength(1);
    expect(step.toolCalls[0]!.name).toBe('calculator');
    // The exact expression is the tiny model's skill, checked in tiny-model-calculator.test.ts.
    expect(Object.keys(JSON.parse(step.toolCalls[0]!.arguments))).toEqual(['expression']);
    expect(step.usage.prompt_tokens).toBeGreaterThan(20);
    expect(step.usage.completion_tokens).toBeGreaterThan(20);
    expect(step.finishReason).toBe('tool_calls');
  });

  it('gives the same text for the same seed when sampling at temperature 1', async () => {
    const request = ask('What is 777 + 12345?', {
      tools: [],
      sampling: { temperature: 1, seed: 42, max_tokens: 40 },
    });
    const first = await provider.step(request);
    const second = await provider.step(request);
    expect(second.text).toBe(first.text);
  });

  it('stops at max_tokens and reports finish reason length', async () => {
    const step = await provider.step(
      ask('What is 48213 * 99172?', { sampling: { temperature: 0, seed: 1, max_tokens: 5 } }),
    );
    expect(step.usage.completion_tokens).toBe(5);
    expect(step.finishReason).toBe('length');
  });

  it('serves concurrent steps on separate sequences with the same results as one at a time', async () => {
    const prompts = [
      'What is 111 * 222?',
      'Compute 98765 + 4321.',
      'What is 31^7?',
      'Calculate 5000 - 1234.',
    ];
    const alone = [];
    for (const p of prompts) alone.push((await provider.step(ask(p))).toolCalls[0]?.arguments);
    const together = await Promise.all(prompts.map((p) => provider.step(ask(p))));
    expect(together.map((s) => s.toolCalls[0]?.arguments)).toEqual(alone);
  });

  it("runs the first sampling after a decode alone, through node-llama-cpp's internals", async () => {
    // llama.cpp's lazy output reorder is not thread-safe (see sampling-guard.ts); the pinned
    // node-llama-cpp must still have the methods the provider wraps.
    const llama = await cpuLlama();
    const model = await llama.loadModel({ modelPath: defaultModelPath() });
    try {
      const context = await model.createContext({ contextSize: 256, sequences: 2, threads: 1 });
      expect(sampleFirstAlone(context)).toBe(true);
      const tokens = model.tokenize(
        '<|im_start|>user\nWhat is 111 * 222?<|im_end|>\n<|im_start|>assistant\n',
        true,
      );
      const runs = [context.getSequence(), context.getSequence()].map(async (sequence) => {
        const out = [];
        for await (const token of sequence.evaluate(tokens, { temperature: 0 })) {
          out.push(token);
          if (out.length >= 8) break;
        }
        return out;
      });
      const [a, b] = await Promise.all(runs);
      // Each sequence got its tokens through the wrapped decodeBatch and sampleToken.
      expect(a!.length).toBeGreaterThan(0);
      expect(b!.length).toBeGreaterThan(0);
      await context.dispose();
    } finally {
      await model.dispose();
    }
  });

  it('rejects with ABORTED when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await provider
      .step(ask('What is 1 + 1?', { signal: controller.signal }))
      .catch((e) => e);
    expect(error).toBeInstanceOf(AssayError);
    expect((error as AssayError).code).toBe('ABORTED');
  });

  it('constrains the tool call with a JSON-schema grammar when asked to', async () => {
    const constrained = createLlamaCppProvider({
      modelPath: defaultModelPath(),
      grammar: true,
      threads: 1,
    });
    try {
      const step = await constrained.step(ask('What is 48213 * 99172?'));
      expect(step.toolCalls).toHaveLength(1);
      expect(step.toolCalls[0]!.name).toBe('calculator');
      expect(Object.keys(JSON.parse(step.toolCalls[0]!.arguments))).toEqual(['expression']);
      expect((step.raw as { grammar: boolean }).grammar).toBe(true);
    } finally {
      await constrained.close?.();
    }
  });

  it('throws a UsageError naming the file when the model file is missing', () => {
    const missing = join(tmpdir(), 'no-such-model.gguf');
    expect(() => createLlamaCppProvider({ modelPath: missing })).toThrow(UsageError);
    expect(() => createLlamaCppProvider({ modelPath: missing })).toThrow(missing);
  });

  it('throws a UsageError naming the file when the file is not GGUF', () => {
    const dir = mkdtempSync(join(tmpdir(), 'assay-gguf-'));
    const file = join(dir, 'fake.gguf');
    writeFileSync(file, 'this is not a model, just some text that is long enough');
    expect(() => createLlamaCppProvider({ modelPath: file })).toThrow(
      /fake\.gguf is not a GGUF file/,
    );
  });

  it('reports a truncated GGUF file as a UsageError naming it on the first step', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'assay-gguf-'));
    const file = join(dir, 'cut.gguf');
    copyFileSync(defaultModelPath(), file);
    const { truncateSync } = await import('node:fs');
    truncateSync(file, 4096);
    const cut = createLlamaCppProvider({ modelPath: file });
    const error = await cut.step(ask('What is 1 + 1?')).catch((e) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect(String((error as Error).message)).toContain(file);
    await cut.close?.();
  });
});
