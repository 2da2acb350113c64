import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sleep } from '../core/abort.js';
import { errorMessage } from '../core/errors.js';
import { isPlainObject, safeJsonParse } from '../core/json.js';
import type { ChatMessage } from '../core/messages.js';
import { sendFault } from './faults.js';
import { sendError, sendJson, sseHeaders } from './http-replies.js';
import {
  estimateTokens,
  type Fault,
  type Script,
  type ScriptReply,
  type ScriptRequest,
  type ScriptTool,
  type WireFormat,
} from './script.js';
import { streamedWithTokens, tokenRefusal, wholeWithTokens } from './token-wires.js';
import { renderChunks, renderCompletion } from './wire-formats.js';

export interface ScriptedServerOptions {
  script: Script;
  /** Which real server to imitate on the wire. Default `openai`. */
  wire?: WireFormat;
  /** Faults for the first requests, in order; see {@link Fault}. */
  faults?: readonly Fault[];
  /**
   * The one model the server knows: other names get a 404 like Ollama's. When unset, any
   * model name is accepted and `GET /v1/models` lists `scripted`.
   */
  model?: string;
  /**
   * Answer `stream: true` requests with a plain JSON `chat.completion` (content-type
   * `application/json`), as some servers and proxies do. Default false.
   */
  jsonForStream?: boolean;
  /**
   * What a non-streaming request with `n` > 1 gets: `honour` (n choices, the script called
   * once per choice, as OpenAI and vLLM do), `ignore` (one choice, as Ollama does) or
   * `reject` (a 400). Default `honour`, except `ignore` for the `ollama` wire.
   */
  n?: 'honour' | 'ignore' | 'reject';
}

export interface ScriptedServer {
  /** The OpenAI-compatible base URL, `http://127.0.0.1:PORT/v1`. */
  readonly url: string;
  /** Every chat request received, faulted ones included, in arrival order. */
  readonly requests: ScriptRequest[];
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const OWNERS: Partial<Record<WireFormat, string>> = {
  vllm: 'vllm',
  sglang: 'sglang',
  llamacpp: 'llamacpp',
  ollama: 'library',
};

/**
 * Starts an OpenAI-compatible server on 127.0.0.1 (a free port) whose replies come from
 * `script`, laid out on the wire like Ollama, vLLM, SGLang, llama.cpp or a server that leaves Hermes
 * tags in the text, with optional faults. It serves `POST /v1/chat/completions` (streaming
 * and not) and `GET /v1/models`. For tests, examples and benchmarks; never for real traffic.
 *
 * @example
 * await using server = await startScriptedServer({ script: calculatorScript(), wire: 'ollama' });
 * const model = createOpenAIProvider({ baseURL: server.url, model: 'scripted' });
 */
export async function startScriptedServer(options: ScriptedServerOptions): Promise<ScriptedServer> {
  const wire = options.wire ?? 'openai';
  const faults = (options.faults ?? []).flatMap((fault) =>
    Array.from({ length: fault.times ?? 1 }, () => fault),
  );
  const requests: ScriptRequest[] = [];
  const closing = new AbortController();

  async function chat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parsed = safeJsonParse(await readBody(req));
    if (!parsed.ok || !isPlainObject(parsed.value)) {
      sendError(
        res,
        400,
        `the request body is not a JSON object${parsed.ok ? '' : `: ${parsed.error}`}`,
      );
      return;
    }
    const request = toScriptRequest(parsed.value);
    const ordinal = requests.length;
    requests.push(request);
    const fault = faults[ordinal];
    if (fault?.kind === 'stall') {
      res.writeHead(200, {
        'content-type': request.stream ? 'text/event-stream' : 'application/json',
      });
      res.flushHeaders();
      const gone = AbortSignal.any([closing.signal, closedSignal(res)]);
      const stalled = await sleep(fault.ms, gone).then(
        () => true,
        () => false,
      );
      if (!stalled || res.destroyed) return;
    } else if (fault) {
      sendFault(res, fault, request.stream);
      return;
    }
    if (options.model !== undefined && request.model !== options.model) {
      sendError(
        res,
        404,
        `model "${request.model}" not found, try pulling it first`,
        'not_found_error',
      );
      return;
    }
    const refusal = tokenRefusal(wire, request.body);
    if (refusal !== null) {
      sendError(res, 400, refusal, 'invalid_request_error');
      return;
    }
    const n = typeof request.body['n'] === 'number' ? request.body['n'] : 1;
    const nMode = options.n ?? (wire === 'ollama' ? 'ignore' : 'honour');
    if (n > 1 && nMode === 'reject') {
      sendError(res, 400, "'n' is not supported", 'invalid_request_error');
      return;
    }
    const choices = n > 1 && nMode === 'honour' && !request.stream ? Math.min(n, 128) : 1;
    let replies: ScriptReply[];
    try {
      replies = await Promise.all(
        Array.from({ length: choices }, (_, choice) =>
          options.script(choices > 1 ? { ...request, choice } : request),
        ),
      );
    } catch (error) {
      sendError(res, 500, `script failed: ${errorMessage(error)}`);
      return;
    }
    const reply = replies[0]!;
    const context = {
      wire,
      model: request.model,
      seed: ordinal + 1,
      promptTokens: estimateTokens(JSON.stringify(request.messages)),
    };
    if (request.stream && options.jsonForStream !== true) {
      if (!res.headersSent) res.writeHead(200, sseHeaders());
      // One write: the client's SSE parser sees the same events, and the loop benchmarks
      // measure the client rather than a packet per token.
      const chunks = renderChunks(reply, context);
      const withIds =
        wire === 'vllm'
          ? streamedWithTokens(
              chunks,
              renderCompletion(reply, context),
              request.messages,
              request.body,
            )
          : chunks;
      const events = withIds.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`);
      res.end(`${events.join('')}data: [DONE]\n\n`);
    } else {
      const completion = withChoices(renderCompletion(reply, context), replies, context);
      // Token ids and logprobs, when asked for in the imitated server's words.
      const body = JSON.stringify(
        wholeWithTokens(wire, completion, request.messages, request.body),
      );
      if (!res.headersSent) res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    }
  }

  function models(res: ServerResponse): void {
    const data = [
      {
        id: options.model ?? 'scripted',
        object: 'model',
        created: 1_700_000_000,
        // vLLM, SGLang and llama.cpp name themselves here; assay reads it to ask for token ids.
        owned_by: OWNERS[wire] ?? 'assay',
      },
    ];
    sendJson(res, 200, { object: 'list', data });
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const route =
      req.method === 'POST' && path === '/v1/chat/completions'
        ? chat(req, res)
        : req.method === 'GET' && path === '/v1/models'
          ? Promise.resolve(models(res))
          : Promise.resolve(sendError(res, 404, `no route for ${req.method} ${path}`));
    route.catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else sendError(res, 500, errorMessage(error));
    });
  });
  await listen(server);
  const { port } = server.address() as AddressInfo;

  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= new Promise<void>((resolve) => {
      closing.abort();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A completion with one choice per reply (`n`): one prompt, every choice's completion. */
function withChoices(
  first: Record<string, unknown>,
  replies: readonly ScriptReply[],
  context: Parameters<typeof renderCompletion>[1],
): Record<string, unknown> {
  if (replies.length === 1) return first;
  const rendered = replies.map((reply) => renderCompletion(reply, context));
  const completion = rendered.reduce(
    (sum, r) => sum + Number((r['usage'] as { completion_tokens: number }).completion_tokens),
    0,
  );
  return {
    ...first,
    choices: rendered.map((r, index) => ({ ...(r['choices'] as object[])[0], index })),
    usage: {
      prompt_tokens: context.promptTokens,
      completion_tokens: completion,
      total_tokens: context.promptTokens + completion,
    },
  };
}

function toScriptRequest(body: Record<string, unknown>): ScriptRequest {
  const request: ScriptRequest = {
    model: typeof body['model'] === 'string' ? body['model'] : '',
    messages: Array.isArray(body['messages']) ? (body['messages'] as ChatMessage[]) : [],
    tools: Array.isArray(body['tools']) ? body['tools'].flatMap(toScriptTool) : [],
    stream: body['stream'] === true,
    body,
  };
  for (const key of ['temperature', 'top_p', 'seed', 'max_tokens'] as const) {
    const value = body[key];
    if (typeof value === 'number') request[key] = value;
  }
  return request;
}

function toScriptTool(entry: unknown): ScriptTool[] {
  if (!isPlainObject(entry) || !isPlainObject(entry['function'])) return [];
  const fn = entry['function'];
  if (typeof fn['name'] !== 'string') return [];
  const tool: ScriptTool = { name: fn['name'] };
  if (typeof fn['description'] === 'string') tool.description = fn['description'];
  if (isPlainObject(fn['parameters'])) tool.parameters = fn['parameters'];
  return [tool];
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req) {
    size += (part as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body over ${MAX_BODY_BYTES} bytes`);
    parts.push(part as Buffer);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Aborts when the client goes away, so a stall does not outlive its request. */
function closedSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => controller.abort());
  return controller.signal;
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
