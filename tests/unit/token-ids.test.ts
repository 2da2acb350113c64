import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  backendOfModels,
  StreamedTokens,
  tokenRequestFields,
  tokensExtend,
  tokensFromCompletion,
  tokensStream,
} from '../../src/model/token-ids.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(__dirname, '../fixtures/token-wire', name), 'utf8')) as {
    request: Record<string, unknown>;
    response?: unknown;
    chunks?: unknown[];
    expected: unknown;
  };

describe('token ids in each server’s wire shape (tests/fixtures/token-wire)', () => {
  it.each([
    ['vllm', 'vllm.json'],
    ['sglang', 'sglang.json'],
    ['llamacpp', 'llamacpp.json'],
  ] as const)('reads %s’s whole response and asks in its words', (backend, file) => {
    const { request, response, expected } = fixture(file);
    expect(tokensFromCompletion(response)).toEqual(expected);
    expect(tokenRequestFields(backend)).toEqual(request);
  });

  it('reads vLLM’s streamed chunks: the prompt on the first, ids and logprobs on each', () => {
    const { chunks, expected, request } = fixture('vllm-stream.json');
    const tokens = new StreamedTokens();
    for (const chunk of chunks!) tokens.push(chunk);
    expect(tokens.result()).toEqual(expected);
    expect(tokensStream('vllm')).toBe(true);
    expect({ ...tokenRequestFields('vllm'), stream: true }).toEqual(request);
  });

  it('streams ids only from vLLM, and asks an unknown server in every back end’s words', () => {
    expect(tokensStream('sglang')).toBe(false);
    expect(tokensStream('llamacpp')).toBe(false);
    expect(tokensStream(null)).toBe(false);
    expect(tokenRequestFields(null)).toEqual({
      return_token_ids: true,
      logprobs: true,
      return_prompt_token_ids: true,
      return_meta_info: true,
      top_logprobs: 1,
    });
  });

  it('reads SGLang’s dict-form entries and falls back to output_ids without logprobs', () => {
    const choice = (meta: unknown) => ({
      choices: [{ message: {}, prompt_token_ids: [1], meta_info: meta }],
    });
    expect(
      tokensFromCompletion(choice({ output_token_logprobs: [{ logprob: -0.5, token_id: 7 }] })),
    ).toEqual({ prompt_ids: [1], completion_ids: [7], logprobs: [-0.5] });
    expect(tokensFromCompletion(choice({ output_ids: [7, 8] }))).toEqual({
      prompt_ids: [1],
      completion_ids: [7, 8],
      logprobs: null,
    });
    expect(tokensFromCompletion(choice({ output_token_logprobs: [[-0.5, 'x', null]] }))).toBeNull();
  });

  it('records no logprobs where a streamed chunk with ids lacks them', () => {
    const tokens = new StreamedTokens();
    tokens.push({ prompt_token_ids: [1, 2], choices: [{ index: 0, delta: {}, token_ids: [3] }] });
    tokens.push({
      choices: [{ index: 0, delta: {}, token_ids: [4], logprobs: { content: [{ logprob: -1 }] } }],
    });
    expect(tokens.result()).toEqual({ prompt_ids: [1, 2], completion_ids: [3, 4], logprobs: null });
    expect(new StreamedTokens().result()).toBeNull();
  });

  it('records no ids for a streamed turn whose ids do not add up to its usage', () => {
    const tokens = new StreamedTokens();
    tokens.push({ prompt_token_ids: [1], choices: [{ index: 0, delta: {}, token_ids: [3, 4] }] });
    tokens.push({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 3 } });
    expect(tokens.result()).toBeNull();
    const whole = new StreamedTokens();
    whole.push({ prompt_token_ids: [1], choices: [{ index: 0, delta: {}, token_ids: [3, 4, 5] }] });
    whole.push({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 3 } });
    expect(whole.result()?.completion_ids).toEqual([3, 4, 5]);
  });

  it('names the back end from `owned_by` of GET /models, and nothing else', () => {
    for (const owner of ['vllm', 'sglang', 'llamacpp'] as const) {
      expect(backendOfModels({ object: 'list', data: [{ id: 'm', owned_by: owner }] })).toBe(owner);
    }
    expect(backendOfModels({ data: [{ id: 'm', owned_by: 'library' }] })).toBeNull();
    expect(backendOfModels({ data: [] })).toBeNull();
    expect(backendOfModels('<html>')).toBeNull();
  });

  it('cannot tell whether turns extend each other when a turn has no prompt ids', () => {
    const turn = (prompt: number[] | null, completion: number[]) => ({
      prompt_ids: prompt,
      completion_ids: completion,
      logprobs: null,
    });
    expect(tokensExtend([turn([1], [2]), turn([1, 2, 3], [4])])).toBe(true);
    expect(tokensExtend([turn([1], [2]), turn([1, 3], [4])])).toBe(false);
    expect(tokensExtend([turn(null, [2]), turn(null, [4])])).toBeNull();
  });
});
