import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AssayError, InfraError } from '../../src/core/errors.js';
import type { ModelRequest, ModelStep, ToolSpec } from '../../src/core/provider.js';
import {
  createOpenAIProvider,
  type OpenAIProviderOptions,
} from '../../src/model/openai-provider.js';
import {
  calculatorScript,
  type Fault,
  type ScriptedServer,
  type ScriptReply,
  sequenceScript,
  startScriptedServer,
  type WireFormat,
} from '../support/scripted-server.js';

const calculator: ToolSpec = {
  name: 'calculator',
  description: 'Evaluates an arithmetic expression exactly.',
  parameters: {
    type: 'object',
    properties: { expression: { type: 'string' } },
    required: ['expression'],
  },
};
const search: ToolSpec = {
  name: 'search',
  description: 'Searches the corpus.',
  parameters: { type: 'object', properties: { q: { type: 'string' } } },
};

const PROMPT = 'What is 123456789 * 987654321?';

function ask(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return {
    messages: [{ role: 'user', content: PROMPT }],
    tools: [calculator, search],
    sampling: {},
    ...overrides,
  };
}

const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(
  script: ScriptReply[] | Parameters<typeof startScriptedServer>[0]['script'],
  options: { wire?: WireFormat; faults?: Fault[]; model?: string } = {},
) {
  const server = await startScriptedServer({
    script: Array.isArray(script) ? sequenceScript(script) : script,
    ...options,
  });
  servers.push(server);
  return server;
}

function provider(server: ScriptedServer, options: Partial<OpenAIProviderOptions> = {}) {
  return createOpenAIProvider({
    baseURL: server.url,
    model: 'scripted',
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
}

function callsOf(step: ModelStep) {
  return step.toolCalls.map((call) => [call.name, JSON.parse(call.arguments)]);
}

const TWO_CALLS: ScriptReply = {
  reasoning: 'Two tools are needed.',
  content: 'Working on it.',
  tool_calls: [
    { name: 'calculator', arguments: { expression: '123456789 * 987654321' } },
    { name: 'search', arguments: { q: 'café "quoted" 😀' } },
  ],
};

describe('OpenAI-compatible provider against each wire format', () => {
  const native: WireFormat[] = ['openai', 'ollama', 'vllm', 'llamacpp'];
  for (const wire of native) {
    for (const stream of [true, false]) {
      it(`normalizes two native calls from a ${wire} server (${stream ? 'streaming' : 'non-streaming'})`, async () => {
        const server = await serve([TWO_CALLS], { wire });
        const step = await provider(server, { stream }).step(ask());
        expect(callsOf(step)).toEqual([
          ['calculator', { expression: '123456789 * 987654321' }],
          ['search', { q: 'café "quoted" 😀' }],
        ]);
        expect(step.toolCallSource).toBe('native');
        expect(step.text).toBe('Working on it.');
        expect(step.reasoning).toBe('Two tools are needed.');
        expect(step.finishReason).toBe('tool_calls');
        expect(step.usage.prompt_tokens).toBeGreaterThan(0);
        expect(step.usage.completion_tokens).toBeGreaterThan(0);
        const ids = step.toolCalls.map((call) => call.id);
        expect(new Set(ids).size).toBe(2);
        expect(ids.every((id) => id.length > 0)).toBe(true);
      });
    }
  }

  for (const stream of [true, false]) {
    it(`parses Hermes tags a server left in the content (${stream ? 'streaming' : 'non-streaming'})`, async () => {
      const server = await serve([TWO_CALLS], { wire: 'hermes-text' });
      const step = await provider(server, { stream }).step(ask());
      expect(callsOf(step)).toEqual([
        ['calculator', { expression: '123456789 * 987654321' }],
        ['search', { q: 'café "quoted" 😀' }],
      ]);
      expect(step.toolCallSource).toBe('text');
      expect(step.dialect).toBe('hermes');
      expect(step.text).not.toContain('<tool_call>');
      expect(step.reasoning).toBe('Two tools are needed.');
    });
  }

  it('leaves tags in the text when the tool format is native', async () => {
    const server = await serve([TWO_CALLS], { wire: 'hermes-text' });
    const step = await provider(server, { toolFormat: 'native' }).step(ask());
    expect(step.toolCalls).toEqual([]);
    expect(step.toolCallSource).toBeNull();
    expect(step.text).toContain('<tool_call>');
  });

  it('lays each server out on the wire the way the real one does', async () => {
    const layouts: Record<string, unknown[]> = {};
    for (const wire of ['ollama', 'vllm', 'llamacpp'] as const) {
      const server = await serve([TWO_CALLS], { wire });
      const step = await provider(server).step(ask());
      layouts[wire] = (
        step.raw as { choices?: { delta?: { tool_calls?: unknown[] } }[] }[]
      ).flatMap((chunk) => chunk.choices?.[0]?.delta?.tool_calls ?? []);
    }
    // Ollama: every call whole, in a single chunk, ids like call_xxxxxxxx.
    expect(layouts['ollama']).toHaveLength(2);
    expect(layouts['ollama']?.[0]).toMatchObject({
      index: 0,
      id: expect.stringMatching(/^call_[a-z0-9]{8}$/),
      function: { name: 'calculator', arguments: '{"expression":"123456789 * 987654321"}' },
    });
    // vLLM: the name first, then the arguments in small pieces.
    expect(layouts['vllm']?.[0]).toMatchObject({ index: 0, function: { name: 'calculator' } });
    expect(layouts['vllm']?.[0]).not.toHaveProperty('function.arguments');
    expect((layouts['vllm'] ?? []).length).toBeGreaterThan(10);
    // llama.cpp: arguments before the name; the second call's arguments as an object.
    expect(layouts['llamacpp']?.[0]).toMatchObject({ function: { arguments: expect.any(String) } });
    expect(layouts['llamacpp']?.[0]).not.toHaveProperty('function.name');
    expect(layouts['llamacpp']?.[1]).toMatchObject({ function: { name: 'calculator' } });
    expect(layouts['llamacpp']).toContainEqual(
      expect.objectContaining({
        function: expect.objectContaining({ arguments: { q: 'café "quoted" 😀' } }),
      }),
    );
  });

  it('returns an empty step for an empty reply', async () => {
    const server = await serve([{}]);
    const step = await provider(server).step(ask());
    expect(step).toMatchObject({
      text: '',
      toolCalls: [],
      toolCallSource: null,
      finishReason: 'stop',
    });
  });

  it('tolerates finish_reason tool_calls with no calls', async () => {
    const server = await serve([{ content: 'done', finish_reason: 'tool_calls' }], {
      wire: 'vllm',
    });
    const step = await provider(server).step(ask());
    expect(step).toMatchObject({ text: 'done', toolCalls: [], finishReason: 'tool_calls' });
  });

  it('moves a leading think block out of the visible text', async () => {
    const server = await serve([{ content: '<think>\nplan\n</think>\n\nThe answer is 4.' }]);
    const step = await provider(server).step(ask({ tools: [] }));
    expect(step.text).toBe('The answer is 4.');
    expect(step.reasoning).toBe('plan');
  });
});

describe('the request the provider sends', () => {
  it('sends tools, sampling and history in the OpenAI shape', async () => {
    const server = await serve([{ content: 'ok' }]);
    await provider(server, { extraBody: { parallel_tool_calls: true } }).step(
      ask({
        sampling: { temperature: 0.2, top_p: 0.9, seed: 7, max_tokens: 64 },
        messages: [
          { role: 'system', content: 'Be exact.' },
          { role: 'user', content: PROMPT },
          {
            role: 'assistant',
            content: null,
            reasoning_content: 'secret plan',
            tool_calls: [
              {
                id: 'c1',
                type: 'function',
                function: { name: 'calculator', arguments: '{"expression":"1+1"}' },
              },
              {
                id: 'c2',
                type: 'function',
                function: { name: 'calculator', arguments: '{"expression":' },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'c1', name: 'calculator', content: '2', is_error: false },
          { role: 'tool', tool_call_id: 'c2', content: 'bad JSON', is_error: true },
        ],
      }),
    );
    const [request] = server.requests;
    expect(request).toMatchObject({
      model: 'scripted',
      stream: true,
      temperature: 0.2,
      top_p: 0.9,
      seed: 7,
      max_tokens: 64,
    });
    expect(request?.body['stream_options']).toEqual({ include_usage: true });
    expect(request?.body['parallel_tool_calls']).toBe(true);
    expect(request?.body['tools']).toEqual([
      { type: 'function', function: calculator },
      { type: 'function', function: search },
    ]);
    expect(request?.messages).toEqual([
      { role: 'system', content: 'Be exact.' },
      { role: 'user', content: PROMPT },
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          {
            id: 'c1',
            type: 'function',
            function: { name: 'calculator', arguments: '{"expression":"1+1"}' },
          },
          { id: 'c2', type: 'function', function: { name: 'calculator', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', name: 'calculator', content: '2' },
      { role: 'tool', tool_call_id: 'c2', content: 'bad JSON' },
    ]);
  });

  it('sends no tools and no sampling fields when there are none', async () => {
    const server = await serve([{ content: 'ok' }]);
    await provider(server, { stream: false }).step(ask({ tools: [] }));
    const body = server.requests[0]?.body ?? {};
    expect(Object.keys(body).sort()).toEqual(['messages', 'model', 'stream']);
  });

  it('describes tools in the system message in prompted mode and parses Hermes calls', async () => {
    const server = await serve([TWO_CALLS], { wire: 'hermes-text' });
    const step = await provider(server, { toolFormat: 'prompted' }).step(
      ask({
        messages: [
          { role: 'system', content: 'Be exact.' },
          { role: 'user', content: PROMPT },
        ],
      }),
    );
    const [request] = server.requests;
    expect(request?.body['tools']).toBeUndefined();
    expect(request?.messages).toHaveLength(2);
    expect(request?.messages[0]?.role).toBe('system');
    expect(request?.messages[0]?.content).toContain('Be exact.');
    expect(request?.messages[0]?.content).toContain('calculator');
    expect(step.toolCallSource).toBe('text');
    expect(callsOf(step)[0]).toEqual(['calculator', { expression: '123456789 * 987654321' }]);
  });

  it('answers the calculator task end to end with the calculator script', async () => {
    const server = await serve(calculatorScript(), { wire: 'ollama' });
    const model = provider(server);
    const first = await model.step(ask());
    const call = first.toolCalls[0]!;
    expect(JSON.parse(call.arguments)).toEqual({ expression: '123456789 * 987654321' });
    const second = await model.step(
      ask({
        messages: [
          { role: 'user', content: PROMPT },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: call.id,
                type: 'function',
                function: { name: call.name, arguments: call.arguments },
              },
            ],
          },
          { role: 'tool', tool_call_id: call.id, content: '121932631112635269' },
        ],
      }),
    );
    expect(second.text).toBe('121932631112635269');
    expect(second.toolCalls).toEqual([]);
  });
});

describe('faults and retries', () => {
  it('retries a 500 and then succeeds', async () => {
    const server = await serve([{ content: 'ok' }], { faults: [{ kind: 'status', status: 500 }] });
    const step = await provider(server).step(ask());
    expect(step.text).toBe('ok');
    expect(server.requests).toHaveLength(2);
  });

  it('waits the retry-after of a 429 before retrying', async () => {
    const server = await serve([{ content: 'ok' }], {
      faults: [{ kind: 'status', status: 429, retryAfter: 1 }],
    });
    const started = performance.now();
    const step = await provider(server).step(ask());
    expect(step.text).toBe('ok');
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    expect(server.requests).toHaveLength(2);
  });

  it('gives up after the retries with MODEL_HTTP_ERROR naming the URL, status and body', async () => {
    const server = await serve([{ content: 'ok' }], {
      faults: [
        {
          kind: 'status',
          status: 503,
          times: 3,
          body: '{"object":"error","message":"engine overloaded"}',
        },
      ],
    });
    const error = await provider(server, { maxRetries: 2 })
      .step(ask())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfraError);
    expect(error).toMatchObject({ code: 'MODEL_HTTP_ERROR', retryable: true });
    expect((error as Error).message).toContain(server.url);
    expect((error as Error).message).toContain('503');
    expect((error as Error).message).toContain('engine overloaded');
    expect(server.requests).toHaveLength(3);
  });

  it('fails at once on a 400 without retrying', async () => {
    const server = await serve([{ content: 'ok' }], {
      faults: [
        {
          kind: 'status',
          status: 400,
          body: '{"error":{"message":"qwen3 does not support tools"}}',
        },
      ],
    });
    const error = await provider(server)
      .step(ask())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MODEL_HTTP_ERROR', retryable: false });
    expect((error as Error).message).toContain('does not support tools');
    expect((error as Error).message).toContain('--tool-format prompted');
    expect(server.requests).toHaveLength(1);
  });

  it('names the model, the URL and how to list models on a 404', async () => {
    const server = await serve([{ content: 'ok' }], { model: 'qwen3:8b' });
    const error = await provider(server, { model: 'qwen3:4b' })
      .step(ask())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MODEL_HTTP_ERROR', retryable: false });
    const message = (error as Error).message;
    expect(message).toContain('"qwen3:4b"');
    expect(message).toContain(server.url);
    expect(message).toContain(`${server.url}/models`);
    expect(server.requests).toHaveLength(1);
  });

  for (const stream of [true, false]) {
    it(`retries a connection dropped mid-response and then succeeds (${stream ? 'streaming' : 'non-streaming'})`, async () => {
      const server = await serve([{ content: 'whole answer' }], {
        faults: [{ kind: 'drop-mid-stream' }],
      });
      const step = await provider(server, { stream }).step(ask());
      expect(step.text).toBe('whole answer');
      expect(server.requests).toHaveLength(2);
    });
  }

  it('ends with an InfraError when every attempt is dropped', async () => {
    const server = await serve([{ content: 'never' }], {
      faults: [{ kind: 'drop-mid-stream', times: 3 }],
    });
    const error = await provider(server, { maxRetries: 2 })
      .step(ask())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfraError);
    expect(error).toMatchObject({ code: 'MODEL_UNREACHABLE' });
    expect((error as Error).message).toContain(server.url);
    expect(server.requests).toHaveLength(3);
  });

  for (const stream of [true, false]) {
    it(`reports malformed JSON as MODEL_BAD_RESPONSE without retrying (${stream ? 'streaming' : 'non-streaming'})`, async () => {
      const server = await serve([{ content: 'ok' }], { faults: [{ kind: 'malformed-json' }] });
      const error = await provider(server, { stream })
        .step(ask())
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InfraError);
      expect(error).toMatchObject({ code: 'MODEL_BAD_RESPONSE' });
      expect(server.requests).toHaveLength(1);
    });
  }

  for (const stream of [true, false]) {
    it(`times out a stalled response with MODEL_TIMEOUT (${stream ? 'streaming' : 'non-streaming'})`, async () => {
      const server = await serve([{ content: 'late' }], {
        faults: [{ kind: 'stall', ms: 20_000 }],
      });
      const started = performance.now();
      const error = await provider(server, { stream, timeoutMs: 300 })
        .step(ask())
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InfraError);
      expect(error).toMatchObject({ code: 'MODEL_TIMEOUT' });
      expect((error as Error).message).toContain(server.url);
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(server.requests).toHaveLength(1);
    });
  }

  it('waits out a stall shorter than the timeout', async () => {
    const server = await serve([{ content: 'late but fine' }], {
      faults: [{ kind: 'stall', ms: 100 }],
    });
    const step = await provider(server, { timeoutMs: 2_000 }).step(ask());
    expect(step.text).toBe('late but fine');
  });

  it('reports a server that is down as MODEL_UNREACHABLE naming the URL', async () => {
    const port = await closedPort();
    const baseURL = `http://127.0.0.1:${port}/v1`;
    const model = createOpenAIProvider({
      baseURL,
      model: 'm',
      retry: { baseDelayMs: 5, maxDelayMs: 10 },
    });
    const error = await model.step(ask()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfraError);
    expect(error).toMatchObject({ code: 'MODEL_UNREACHABLE', exitCode: 3, errorClass: 'infra' });
    expect((error as Error).message).toContain(baseURL);
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('stops a retry wait promptly when the signal aborts', async () => {
    const server = await serve([{ content: 'ok' }], {
      faults: [{ kind: 'status', status: 429, retryAfter: 30 }],
    });
    const controller = new AbortController();
    const pending = provider(server).step(ask({ signal: controller.signal }));
    setTimeout(() => controller.abort(), 100);
    const outcome = await Promise.race([
      pending.catch((e: unknown) => e),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5_000)),
    ]);
    expect(outcome).toBeInstanceOf(AssayError);
    expect((outcome as AssayError).code).toBe('ABORTED');
    expect(server.requests).toHaveLength(1);
  });

  it('stops a stream promptly when the signal aborts mid-response', async () => {
    const server = await serve([{ content: 'late' }], { faults: [{ kind: 'stall', ms: 20_000 }] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await provider(server)
      .step(ask({ signal: controller.signal }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ABORTED' });
    expect(server.requests).toHaveLength(1);
  });
});

describe('odd responses', () => {
  it('reports an error event inside a stream as MODEL_HTTP_ERROR with its message', async () => {
    const url = await rawServer((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: {"error": {"message": "context length exceeded", "code": 400}}\n\n');
    });
    const error = await createOpenAIProvider({ baseURL: url, model: 'm' })
      .step(ask())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MODEL_HTTP_ERROR', retryable: false });
    expect((error as Error).message).toContain('context length exceeded');
  });

  it('reports a 200 that is not a chat completion as MODEL_BAD_RESPONSE', async () => {
    const url = await rawServer((res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>proxy login</html>');
    });
    const error = await createOpenAIProvider({ baseURL: url, model: 'm', stream: false })
      .step(ask())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MODEL_BAD_RESPONSE' });
    expect((error as Error).message).toContain('proxy login');
  });

  it('reads a plain JSON completion sent in answer to a streaming request', async () => {
    const server = await startScriptedServer({
      script: sequenceScript([TWO_CALLS]),
      wire: 'vllm',
      jsonForStream: true,
    });
    servers.push(server);
    const step = await provider(server, { stream: true }).step(ask());
    expect(server.requests[0]?.stream).toBe(true);
    expect(callsOf(step)).toEqual([
      ['calculator', { expression: '123456789 * 987654321' }],
      ['search', { q: 'café "quoted" 😀' }],
    ]);
    expect(step.text).toBe('Working on it.');
    expect(step.reasoning).toBe('Two tools are needed.');
    expect(step.finishReason).toBe('tool_calls');
    expect(step.usage.completion_tokens).toBeGreaterThan(0);
  });

  it('parses text tool calls from a plain JSON completion sent to a streaming request', async () => {
    const server = await startScriptedServer({
      script: sequenceScript([TWO_CALLS]),
      wire: 'hermes-text',
      jsonForStream: true,
    });
    servers.push(server);
    const step = await provider(server, { stream: true }).step(ask());
    expect(callsOf(step)).toEqual([
      ['calculator', { expression: '123456789 * 987654321' }],
      ['search', { q: 'café "quoted" 😀' }],
    ]);
    expect(step.toolCallSource).toBe('text');
  });

  it('reports a streaming answer that is JSON but not a completion as MODEL_BAD_RESPONSE', async () => {
    const url = await rawServer((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status": "queued"}');
    });
    const error = await createOpenAIProvider({ baseURL: url, model: 'm', maxRetries: 0 })
      .step(ask())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MODEL_BAD_RESPONSE' });
  });

  it('reports a stream with no chunks as MODEL_BAD_RESPONSE', async () => {
    const url = await rawServer((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: [DONE]\n\n');
    });
    const error = await createOpenAIProvider({ baseURL: url, model: 'm' })
      .step(ask())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MODEL_BAD_RESPONSE' });
  });

  it('sends its requests through the fetch it is given', async () => {
    const server = await serve([{ content: 'via custom fetch' }]);
    const seen: string[] = [];
    const model = provider(server, {
      fetch: (input, init) => {
        seen.push(String(input instanceof Request ? input.url : input));
        return fetch(input, init);
      },
    });
    expect((await model.step(ask())).text).toBe('via custom fetch');
    expect(seen).toEqual([`${server.url}/chat/completions`]);
  });
});

const rawServers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(
    rawServers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

/** A one-route server for responses the scripted server does not make. */
async function rawServer(handle: (res: ServerResponse) => void): Promise<string> {
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => handle(res));
  });
  rawServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v1`;
}

/** A port that was just open and is now closed, so nothing listens on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
