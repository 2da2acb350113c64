import OpenAI, { APIError } from 'openai';
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions';
import type { ModelProvider, ModelRequest, ModelStep, ToolFormat } from '../core/provider.js';
import { readCompletionBody } from './completion-body.js';
import { assignCallIds, type CallIdGenerator, type CompletionResult } from './completion-result.js';
import { Deadline } from './deadline.js';
import { parseTextToolCalls } from './dialects/index.js';
import { reframeJsonAnswer } from './json-as-stream.js';
import { BadResponse, type ModelEndpoint, toModelError } from './model-errors.js';
import { buildChatBody } from './openai-request.js';
import { type RetryOptions, withRetry } from './retry.js';
import { sseChunks } from './sse-chunks.js';
import { StreamAccumulator } from './stream-accumulator.js';
import { moveThinking } from './think-tags.js';
import {
  backendOfModels,
  StreamedTokens,
  type TokenBackend,
  tokenRequestFields,
  tokensFromCompletion,
  tokensStream,
} from './token-ids.js';

export interface OpenAIProviderOptions {
  /** The server's OpenAI-compatible root, e.g. `http://127.0.0.1:11434/v1`. */
  baseURL: string;
  model: string;
  /** Local servers ignore it; a placeholder is sent when none is given. */
  apiKey?: string;
  /** Default `auto`: native calls, else calls parsed out of the text by any dialect. */
  toolFormat?: ToolFormat;
  /** Default true. */
  stream?: boolean;
  /**
   * Default 120000. Bounds the wait for the response headers, then (when streaming) each gap
   * between chunks; a non-streaming request must finish within it. Timeouts are not retried.
   */
  timeoutMs?: number;
  /** Retries after the first attempt for connection errors, 408/409/429 and 5xx. Default 3. */
  maxRetries?: number;
  fetch?: typeof fetch;
  /** Extra fields merged into every request body (e.g. `parallel_tool_calls`, `top_k`). */
  extraBody?: Record<string, unknown>;
  /**
   * Which server returns the token ids of `--record-tokens` turns, and so how to ask for them
   * and whether they can be streamed. Default: `owned_by` of the server's `GET /models`
   * (vLLM, SGLang and llama.cpp name themselves there); unknown servers are asked in every
   * back end's words, without streaming.
   */
  tokenBackend?: TokenBackend | null;
  /** Backoff tuning; mostly for tests. */
  retry?: Pick<
    RetryOptions,
    'baseDelayMs' | 'maxDelayMs' | 'maxRetryAfterMs' | 'random' | 'onRetry'
  >;
}

export const DEFAULT_API_KEY = 'assay-local';
/**
 * How many streamed chunks a step keeps as `raw` (for debugging; the trace does not record
 * them), besides the chunks that end the turn. A 2 MB answer comes in ~700,000 chunks: keeping
 * them all held hundreds of MB and made the collector a third of the reading time.
 */
export const RAW_CHUNKS_KEPT = 256;
export const DEFAULT_TIMEOUT_MS = 120_000;

/**
 * A model provider for any server that speaks the OpenAI chat-completions API (Ollama, vLLM,
 * llama.cpp, LM Studio, SGLang, OpenAI). The `openai` client runs with its own retries off:
 * assay retries whole attempts itself, so a stream that breaks halfway is retried like a
 * refused connection, and a stalled stream is caught by an idle timer the client lacks.
 */
export function createOpenAIProvider(options: OpenAIProviderOptions): ModelProvider {
  const baseURL = options.baseURL.replace(/\/+$/, '');
  const toolFormat = options.toolFormat ?? 'auto';
  const stream = options.stream ?? true;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const endpoint: ModelEndpoint = { baseURL, model: options.model, timeoutMs };
  const errorBodies = new WeakMap<Headers, string>();
  const client = new OpenAI({
    baseURL,
    apiKey: options.apiKey ?? DEFAULT_API_KEY,
    maxRetries: 0,
    // The client's own timeout only covers the headers; assay's deadline fires first.
    timeout: timeoutMs + 1_000,
    fetch: capturingErrorBodies(options.fetch ?? globalThis.fetch, errorBodies, stream),
    logLevel: 'off',
  });
  let generatedIds = 0;
  const generateId: CallIdGenerator = () => `call_${++generatedIds}`;
  let backend: Promise<TokenBackend | null> | undefined =
    options.tokenBackend === undefined ? undefined : Promise.resolve(options.tokenBackend);

  /**
   * Asks the server once what it is. A server that answers `GET /models` with an error is not
   * known; one that could not be reached is asked again on the next attempt.
   */
  function tokenBackend(signal: AbortSignal): Promise<TokenBackend | null> {
    backend ??= client.models
      .list({ signal })
      .asResponse()
      .then((response) => response.json())
      .then(backendOfModels, (error: unknown) => {
        if (!(error instanceof APIError && error.status !== undefined)) backend = undefined;
        return null;
      });
    return backend;
  }

  /**
   * Runs one request under the request timeout and the caller's signal, and turns whatever it
   * throws into a ModelError that names the endpoint and says whether the timeout fired.
   */
  async function withDeadline<T>(
    request: ModelRequest,
    run: (signal: AbortSignal, deadline: Deadline) => Promise<T>,
  ): Promise<T> {
    const deadline = new Deadline(timeoutMs);
    const signal = request.signal
      ? AbortSignal.any([request.signal, deadline.signal])
      : deadline.signal;
    try {
      return await run(signal, deadline);
    } catch (error) {
      const errorBody =
        error instanceof APIError && error.headers ? errorBodies.get(error.headers) : undefined;
      throw toModelError(error, endpoint, {
        callerSignal: request.signal,
        timedOut: deadline.fired,
        errorBody,
      });
    } finally {
      deadline.clear();
    }
  }

  function attempt(request: ModelRequest): Promise<ModelStep> {
    return withDeadline(request, async (signal, deadline) => {
      // The server returns ids only when asked, each in its own words; only vLLM streams them,
      // so a turn that records them from another server is sent whole.
      const recording = request.recordTokens === true;
      const server = recording ? await tokenBackend(signal) : null;
      const streaming = stream && (!recording || tokensStream(server));
      const body = buildChatBody(request, {
        model: options.model,
        toolFormat,
        stream: streaming,
        extraBody: {
          ...(recording ? tokenRequestFields(server) : {}),
          ...options.extraBody,
        },
      });
      const { result, raw, streamedTokens } = streaming
        ? await streamed(body, signal, deadline, recording)
        : { ...(await whole(body, signal)), streamedTokens: null };
      const step = toStep(result, raw, request);
      const tokens = !recording ? null : streaming ? streamedTokens : tokensFromCompletion(raw);
      return tokens === null ? step : { ...step, tokens };
    });
  }

  async function streamed(
    body: Record<string, unknown>,
    signal: AbortSignal,
    deadline: Deadline,
    recording: boolean,
  ) {
    // The client sends the request and maps error statuses; the body is read by `sseChunks`,
    // whose decoder is linear in the answer's length where the client's is not.
    const response = await client.chat.completions
      .create(body as unknown as ChatCompletionCreateParamsStreaming, { signal })
      .asResponse();
    deadline.touch();
    const events = sseChunks(response);
    const accumulator = new StreamAccumulator(generateId);
    const tokens = recording ? new StreamedTokens() : null;
    const raw: unknown[] = [];
    let dropped = 0;
    for await (const chunk of events) {
      deadline.touch();
      if (raw.length < RAW_CHUNKS_KEPT || endsTurn(chunk)) raw.push(chunk);
      else dropped++;
      accumulator.push(chunk);
      tokens?.push(chunk);
    }
    if (dropped > 0) raw.push({ assay_dropped_chunks: dropped });
    // The client's stream ends quietly when its request is aborted; that is not the end.
    if (signal.aborted) throw signal.reason;
    if (accumulator.choicesSeen === 0) {
      throw new BadResponse('the stream ended before any chunk with a choice');
    }
    return { result: accumulator.result(), raw, streamedTokens: tokens?.result() ?? null };
  }

  async function whole(body: Record<string, unknown>, signal: AbortSignal) {
    const raw: unknown = await client.chat.completions.create(
      body as unknown as ChatCompletionCreateParamsNonStreaming,
      { signal },
    );
    const result = readCompletionBody(raw, generateId);
    if (!result) throw new BadResponse(`expected a chat.completion object, got ${preview(raw)}`);
    return { result, raw };
  }

  function toStep(result: CompletionResult, raw: unknown, request: ModelRequest): ModelStep {
    const { text, reasoning } = moveThinking(result.content, result.reasoning);
    const step: ModelStep = {
      text,
      reasoning,
      toolCalls: result.toolCalls,
      toolCallSource: result.toolCalls.length > 0 ? 'native' : null,
      dialect: null,
      usage: result.usage ?? { prompt_tokens: 0, completion_tokens: 0 },
      finishReason: result.finishReason,
      raw,
    };
    if (step.toolCalls.length > 0 || toolFormat === 'native' || request.tools.length === 0) {
      return step;
    }
    const names = request.tools.map((tool) => tool.name);
    const schemas = Object.fromEntries(request.tools.map((tool) => [tool.name, tool.parameters]));
    const parsed = parseTextToolCalls(
      text,
      names,
      toolFormat === 'prompted' ? 'hermes' : toolFormat,
      {
        schemas,
      },
    );
    if (parsed.dialect === null) return step;
    const parsedStep: ModelStep = {
      ...step,
      text: parsed.text,
      reasoning: parsed.reasoning
        ? [step.reasoning, parsed.reasoning].filter(Boolean).join('\n')
        : step.reasoning,
      dialect: parsed.dialect,
    };
    if (parsed.rejected) parsedStep.rejected = parsed.rejected;
    if (parsed.calls.length === 0) return parsedStep;
    return {
      ...parsedStep,
      toolCalls: assignCallIds(
        parsed.calls.map((call) => ({ ...call, id: call.id || undefined })),
        generateId,
      ),
      toolCallSource: 'text',
    };
  }

  /**
   * One request with `n`, never streamed (the choices of a stream interleave). Each choice
   * becomes a step of its own; usage is split so each step counts the whole prompt and its
   * share of the completion tokens, as if it had been its own request: compute compares
   * the same whether the server takes `n` or not.
   */
  function attemptMany(request: ModelRequest, n: number): Promise<ModelStep[]> {
    return withDeadline(request, async (signal) => {
      const body = buildChatBody(request, {
        model: options.model,
        toolFormat,
        stream: false,
        extraBody: { ...options.extraBody, n },
      });
      const raw: unknown = await client.chat.completions.create(
        body as unknown as ChatCompletionCreateParamsNonStreaming,
        { signal },
      );
      const { choices, usage } = raw as { choices?: unknown; usage?: Record<string, unknown> };
      const list = (Array.isArray(choices) ? choices : [])
        .filter((c): c is Record<string, unknown> => typeof c === 'object' && c !== null)
        .sort((a, b) => Number(a['index'] ?? 0) - Number(b['index'] ?? 0))
        .slice(0, n);
      const completion = Number(usage?.['completion_tokens'] ?? 0);
      return list.map((choice, i) => {
        const share =
          Math.floor(completion / list.length) + (i === 0 ? completion % list.length : 0);
        const one = {
          ...(raw as object),
          choices: [{ ...choice, index: 0 }],
          ...(usage ? { usage: { ...usage, completion_tokens: share } } : {}),
        };
        const result = readCompletionBody(one, generateId);
        if (!result)
          throw new BadResponse(`expected a chat.completion object, got ${preview(raw)}`);
        return toStep(result, one, request);
      });
    });
  }

  const retrying = <T>(request: ModelRequest, run: () => Promise<T>) =>
    withRetry(run, {
      ...options.retry,
      ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
      ...(request.signal ? { signal: request.signal } : {}),
    });

  return {
    info: { provider: 'openai-compatible', name: options.model, base_url: baseURL },
    step(request) {
      return retrying(request, () => attempt(request));
    },
    stepMany(request, n) {
      return retrying(request, () => attemptMany(request, n));
    },
  };
}

/**
 * Reads the body of every error response before the client does, keyed by the headers object
 * the client hands to its error: servers put the useful part (vLLM's `message`, a proxy's HTML)
 * in fields the client drops. When streaming, a plain JSON answer is re-framed as one event.
 */
function capturingErrorBodies(
  inner: typeof fetch,
  bodies: WeakMap<Headers, string>,
  stream: boolean,
): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (response.ok) return stream && asksToStream(init) ? reframeJsonAnswer(response) : response;
    const text = await response.text().catch(() => '');
    const copy = new Response(text, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
    bodies.set(copy.headers, text);
    return copy;
  };
}

/**
 * Whether this request asked for a stream: a provider that streams still sends some turns
 * whole (those that record token ids). The key can only appear unescaped as a key of the body.
 */
function asksToStream(init: RequestInit | undefined): boolean {
  return typeof init?.body === 'string' && /"stream":\s*true/.test(init.body);
}

/** A chunk with a finish reason or usage: the end of a turn, always kept in `raw`. */
function endsTurn(chunk: unknown): boolean {
  if (typeof chunk !== 'object' || chunk === null) return false;
  const { choices, usage } = chunk as { choices?: unknown; usage?: unknown };
  if (usage !== undefined && usage !== null) return true;
  if (!Array.isArray(choices)) return false;
  return choices.some(
    (choice) => typeof choice === 'object' && choice !== null && choice.finish_reason != null,
  );
}

function preview(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat || '(empty)';
}
