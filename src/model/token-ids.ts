import { isPlainObject } from '../core/json.js';
import type { StepTokens } from '../core/provider.js';

/**
 * The servers whose token ids assay reads, each asked in its own words and answering in its
 * own shape (the shapes are written down in tests/fixtures/token-wire/):
 * - vLLM: `return_token_ids` → `prompt_token_ids` on the body (on the first chunk when
 *   streaming), `token_ids` on the choice (per chunk when streaming), `logprobs.content`.
 * - SGLang (≥ 0.5.13): `return_prompt_token_ids` + `return_meta_info` → `prompt_token_ids` and
 *   `meta_info.output_token_logprobs` (`[logprob, id, text]`) on the choice; not when streaming.
 * - llama.cpp server: `logprobs` → `logprobs.content[]` with each token's `id`. It never
 *   returns the prompt's ids on `/v1/chat/completions`, so `prompt_ids` stays null.
 */
export type TokenBackend = 'vllm' | 'sglang' | 'llamacpp';

const VLLM = { return_token_ids: true, logprobs: true } as const;
const SGLANG = { logprobs: true, return_prompt_token_ids: true, return_meta_info: true } as const;
// llama.cpp computes `top_logprobs` alternatives (default 20) for every token; one is enough.
const LLAMACPP = { logprobs: true, top_logprobs: 1 } as const;

/** The request fields that make `backend` return ids; all of them when it is not known. */
export function tokenRequestFields(backend: TokenBackend | null): Record<string, unknown> {
  if (backend === 'vllm') return { ...VLLM };
  if (backend === 'sglang') return { ...SGLANG };
  if (backend === 'llamacpp') return { ...LLAMACPP };
  // Servers ignore fields they do not know; each answers in its own shape, read below.
  return { ...VLLM, ...SGLANG, ...LLAMACPP };
}

/** Only vLLM streams the ids; SGLang refuses, llama.cpp refuses logprobs with tools. */
export function tokensStream(backend: TokenBackend | null): boolean {
  return backend === 'vllm';
}

/** The back end named by `GET /models` (`owned_by` of the first model), or null. */
export function backendOfModels(body: unknown): TokenBackend | null {
  if (!isPlainObject(body) || !Array.isArray(body['data'])) return null;
  const first = body['data'][0];
  const owner = isPlainObject(first) ? first['owned_by'] : undefined;
  return owner === 'vllm' || owner === 'sglang' || owner === 'llamacpp' ? owner : null;
}

const isIds = (value: unknown): value is number[] =>
  Array.isArray(value) && value.every((v) => Number.isInteger(v) && (v as number) >= 0);

/**
 * Token ids from a non-streaming `chat.completion` body, in whichever of the shapes above it
 * came. Null when the server sent no completion ids (it does not support any of them).
 */
export function tokensFromCompletion(body: unknown): StepTokens | null {
  if (!isPlainObject(body) || !Array.isArray(body['choices'])) return null;
  const choice = body['choices'][0];
  if (!isPlainObject(choice)) return null;
  const promptField = body['prompt_token_ids'] ?? choice['prompt_token_ids'];
  const prompt = isIds(promptField) ? promptField : null;
  const entries = logprobEntries(choice['logprobs']);
  if (isIds(choice['token_ids'])) {
    const completion = choice['token_ids'];
    return {
      prompt_ids: prompt,
      completion_ids: completion,
      logprobs: logprobsOf(entries, completion.length),
    };
  }
  const sglang = fromMetaInfo(choice['meta_info']);
  if (sglang) return { prompt_ids: prompt, ...sglang };
  const llamacpp = fromLogprobIds(entries);
  if (llamacpp) return { prompt_ids: prompt, ...llamacpp };
  return null;
}

/** SGLang's `meta_info`: `output_token_logprobs` as `[logprob, id, text]` or `{logprob, token_id}`. */
function fromMetaInfo(meta: unknown): Omit<StepTokens, 'prompt_ids'> | null {
  if (!isPlainObject(meta)) return null;
  const entries = meta['output_token_logprobs'];
  if (Array.isArray(entries) && entries.length > 0) {
    const ids: number[] = [];
    const logprobs: number[] = [];
    for (const entry of entries) {
      const [lp, id] = Array.isArray(entry)
        ? [entry[0], entry[1]]
        : isPlainObject(entry)
          ? [entry['logprob'], entry['token_id'] ?? entry['id']]
          : [undefined, undefined];
      if (!Number.isInteger(id) || (id as number) < 0) return null;
      ids.push(id as number);
      logprobs.push(typeof lp === 'number' ? lp : Number.NaN);
    }
    return { completion_ids: ids, logprobs: logprobs.every(Number.isFinite) ? logprobs : null };
  }
  const outputIds = meta['output_ids'];
  return isIds(outputIds) ? { completion_ids: outputIds, logprobs: null } : null;
}

/** llama.cpp's `logprobs.content[]`, whose entries carry the sampled token's `id`. */
function fromLogprobIds(entries: unknown[] | null): Omit<StepTokens, 'prompt_ids'> | null {
  if (entries === null || entries.length === 0) return null;
  const ids = entries.map((entry) => (isPlainObject(entry) ? entry['id'] : undefined));
  if (!isIds(ids)) return null;
  return { completion_ids: ids, logprobs: logprobsOf(entries, ids.length) };
}

function logprobEntries(logprobs: unknown): unknown[] | null {
  if (!isPlainObject(logprobs) || !Array.isArray(logprobs['content'])) return null;
  return logprobs['content'];
}

function logprobsOf(entries: unknown[] | null, count: number): number[] | null {
  if (entries === null) return null;
  const values = entries.map((entry) =>
    isPlainObject(entry) && typeof entry['logprob'] === 'number' ? entry['logprob'] : Number.NaN,
  );
  return values.length === count && values.every(Number.isFinite) ? values : null;
}

/**
 * Collects token ids from streamed `chat.completion.chunk`s in vLLM's shape: the prompt's ids on
 * a chunk (the first), the sampled ids and their logprobs on each choice of index 0.
 */
export class StreamedTokens {
  private prompt: number[] | null = null;
  private readonly completion: number[] = [];
  private readonly logprobs: unknown[] = [];
  private sawIds = false;
  private logprobsMissing = false;
  private sampled: number | null = null;

  push(chunk: unknown): void {
    if (!isPlainObject(chunk)) return;
    const usage = chunk['usage'];
    if (isPlainObject(usage) && Number.isInteger(usage['completion_tokens'])) {
      this.sampled = usage['completion_tokens'] as number;
    }
    if (this.prompt === null && isIds(chunk['prompt_token_ids'])) {
      this.prompt = chunk['prompt_token_ids'];
    }
    if (!Array.isArray(chunk['choices'])) return;
    const choice = chunk['choices'].find((c) => isPlainObject(c) && (c['index'] ?? 0) === 0);
    if (!isPlainObject(choice)) return;
    if (this.prompt === null && isIds(choice['prompt_token_ids'])) {
      this.prompt = choice['prompt_token_ids'];
    }
    const ids = choice['token_ids'];
    if (!isIds(ids)) return;
    this.sawIds = true;
    this.completion.push(...ids);
    const entries = logprobEntries(choice['logprobs']);
    if (entries === null) this.logprobsMissing ||= ids.length > 0;
    else this.logprobs.push(...entries);
  }

  /**
   * Null when no chunk carried ids, or when they do not add up to the usage's completion
   * tokens: vLLM skips the chunk of a step whose text its tool parser held back, and that
   * step's ids with it; a turn with ids missing must not pass for the whole turn.
   */
  result(): StepTokens | null {
    if (!this.sawIds) return null;
    if (this.sampled !== null && this.sampled !== this.completion.length) return null;
    return {
      prompt_ids: this.prompt,
      completion_ids: this.completion,
      logprobs: this.logprobsMissing ? null : logprobsOf(this.logprobs, this.completion.length),
    };
  }
}

/**
 * True when every turn's prompt starts with the previous turn's prompt and completion, so the
 * last turn's prompt + completion is the whole episode as the model saw and wrote it. A chat
 * template that re-renders history differently (drops reasoning, re-formats a tool call)
 * breaks this; such an episode cannot be trained on as one sequence. Null when a turn has no
 * prompt ids (llama.cpp's server does not return them), so it cannot be told.
 */
export function tokensExtend(turns: readonly StepTokens[]): boolean | null {
  if (turns.some((turn) => turn.prompt_ids === null)) return null;
  for (let i = 1; i < turns.length; i++) {
    const previous = [...turns[i - 1]!.prompt_ids!, ...turns[i - 1]!.completion_ids];
    const prompt = turns[i]!.prompt_ids!;
    if (prompt.length < previous.length) return false;
    for (let j = 0; j < previous.length; j++) if (prompt[j] !== previous[j]) return false;
  }
  return true;
}
