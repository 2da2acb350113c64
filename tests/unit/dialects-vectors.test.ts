import { describe, expect, it } from 'vitest';
import type { ToolFormat } from '../../src/core/provider.js';
import { parseTextToolCalls } from '../../src/model/dialects/index.js';
import {
  DEEPSEEK_VECTORS,
  type DialectVector,
  HARMONY_VECTORS,
  HERMES_VECTORS,
  LLAMA_VECTORS,
  MISTRAL_VECTORS,
  OTHER_VECTORS,
  PYTHONIC_VECTORS,
} from '../fixtures/dialects/vectors.js';

function expectVector(vector: DialectVector, format: ToolFormat): void {
  const options = vector.schemas === undefined ? {} : { schemas: vector.schemas };
  const result = parseTextToolCalls(vector.text, vector.tools, format, options);
  expect(result.calls.map((call) => [call.name, JSON.parse(call.arguments)])).toEqual(vector.calls);
  if (vector.rest !== undefined) expect(result.text).toBe(vector.rest);
  expect((result.rejected ?? []).map((rejected) => rejected.name)).toEqual(vector.rejected ?? []);
  if (vector.reasoning !== undefined) expect(result.reasoning).toBe(vector.reasoning);
  if (vector.dialect !== undefined) expect(result.dialect).toBe(vector.dialect);
  for (const call of result.calls) expect(call.id).toMatch(/^call_[0-9a-f]{24}$/);
}

const GROUPS: [string, DialectVector[], ToolFormat | null][] = [
  ['Hermes and Qwen', HERMES_VECTORS, 'hermes'],
  ['Llama 3.x JSON', LLAMA_VECTORS, 'llama'],
  ['pythonic', PYTHONIC_VECTORS, 'pythonic'],
  ['Mistral', MISTRAL_VECTORS, 'mistral'],
  ['gpt-oss harmony', HARMONY_VECTORS, 'harmony'],
  ['DeepSeek', DEEPSEEK_VECTORS, null],
  ['other conventions', OTHER_VECTORS, null],
];

for (const [group, vectors, format] of GROUPS) {
  describe(`${group} text tool calls`, () => {
    it.each(vectors)('auto-detection handles $id: $about', (vector) => {
      expectVector(vector, vector.format ?? 'auto');
    });
    if (format !== null) {
      it.each(vectors)(`the forced ${format} format handles $id: $about`, (vector) => {
        expectVector(vector, format);
      });
    }
  });
}
