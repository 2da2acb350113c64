import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getLlama, type Llama, type LlamaModel } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModelPath } from '../../src/model/llama-cpp-provider.js';

// The bundled model was written by examples/tiny-model/gguf_writer.py; these tests read it back
// with llama.cpp itself, so they check the writer, not a copy of its logic.
let llama: Llama;
let model: LlamaModel;

beforeAll(async () => {
  llama = await getLlama({ gpu: false, build: 'never', progressLogs: false });
  model = await llama.loadModel({ modelPath: defaultModelPath() });
});

afterAll(async () => {
  await model?.dispose();
});

describe('the GGUF written by the tiny model writer', () => {
  it('starts with the GGUF magic and format version 3', () => {
    const head = readFileSync(defaultModelPath()).subarray(0, 8);
    expect(head.subarray(0, 4).toString('latin1')).toBe('GGUF');
    expect(head.readUInt32LE(4)).toBe(3);
  });

  it('loads in llama.cpp as a llama model with the written hyperparameters', () => {
    const meta = model.fileInfo.metadata as unknown as {
      general: { architecture: string; name: string };
      llama: Record<string, unknown>;
    };
    expect(meta.general.architecture).toBe('llama');
    expect(meta.general.name).toBe('assay-tiny');
    expect(meta.llama['block_count']).toBe(3);
    expect(meta.llama['embedding_length']).toBe(64);
    expect(meta.llama['feed_forward_length']).toBe(172);
    expect(meta.llama['context_length']).toBe(2048);
    expect((meta.llama['attention'] as Record<string, unknown>)['head_count']).toBe(2);
    expect(model.trainContextSize).toBe(2048);
  });

  it('declares a SentencePiece-style vocabulary with byte fallback and ChatML control tokens', () => {
    const tok = (
      model.fileInfo.metadata as unknown as {
        tokenizer: { ggml: Record<string, unknown>; chat_template: string };
      }
    ).tokenizer;
    const tokens = tok.ggml['tokens'] as string[];
    const types = tok.ggml['token_type'] as number[];
    expect(tok.ggml['model']).toBe('llama');
    expect(tokens.slice(0, 5)).toEqual(['<unk>', '<s>', '</s>', '<|im_start|>', '<|im_end|>']);
    expect(tokens[5]).toBe('<0x00>');
    expect(tokens[5 + 255]).toBe('<0xFF>');
    expect(types[5]).toBe(6);
    expect(types[3]).toBe(3);
    expect(model.tokens.bos).toBe(1);
    expect(model.tokens.eos).toBe(4);
    expect(tok.chat_template).toContain('assay:compact-tools');
  });

  it('round-trips ASCII, non-ASCII text and emoji through tokenize and detokenize', () => {
    for (const text of [
      'What is 123456789 * 987654321?',
      '  two  spaces\nand a tab\t!',
      'Kessendal, Grauberg — Ærø, Zürich, 東京, emoji 🙂',
    ]) {
      const tokens = model.tokenize(text, false);
      expect(model.detokenize(tokens)).toBe(text);
    }
  });

  it('maps characters to single tokens and unknown characters to their UTF-8 bytes', () => {
    expect(model.tokenize('abc', false)).toHaveLength(3);
    // U+6771 is three UTF-8 bytes and not in the vocabulary: three byte tokens.
    const bytes = model.tokenize('東', false);
    expect(bytes).toHaveLength(3);
    expect(bytes.map((t) => model.detokenize([t], true))).toHaveLength(3);
  });

  it('parses ChatML control tokens only when asked to', () => {
    expect(model.tokenize('<|im_start|>user\n', true)[0]).toBe(3);
    expect(model.tokenize('<|im_start|>', false).length).toBeGreaterThan(1);
  });

  it('is small enough to ship in the package', () => {
    const size = readFileSync(join(defaultModelPath())).length;
    expect(size).toBeLessThanOrEqual(20 * 1024 * 1024);
  });
});
