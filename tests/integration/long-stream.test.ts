import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelRequest } from '../../src/core/provider.js';
import { createOpenAIProvider, RAW_CHUNKS_KEPT } from '../../src/model/openai-provider.js';
import { type ScriptedServer, startScriptedServer } from '../support/scripted-server.js';

const request: ModelRequest = {
  messages: [{ role: 'user', content: 'Write at length.' }],
  tools: [],
  sampling: {},
};

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function scripted(content: string): Promise<ScriptedServer> {
  const server = await startScriptedServer({ script: () => ({ content }) });
  closers.push(() => server.close());
  return server;
}

/** A server that sends `body` as an event stream, `size` bytes per write. */
async function trickling(body: string, size: number): Promise<string> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const bytes = Buffer.from(body);
      for (let at = 0; at < bytes.length; at += size) {
        res.write(bytes.subarray(at, at + size));
        // Let each write leave as its own read on the client side.
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
    });
  });
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v1`;
}

describe('long streamed answers', () => {
  it('reads a long answer in small deltas whole and keeps a bounded raw chunk list', async () => {
    const answer = 'The quick brown fox jumps over the lazy dog. '.repeat(1_500); // ~67 KB
    const server = await scripted(answer);
    const step = await createOpenAIProvider({ baseURL: server.url, model: 'scripted' }).step(
      request,
    );
    expect(step.text).toBe(answer);
    expect(step.finishReason).toBe('stop');
    expect(step.usage.completion_tokens).toBeGreaterThan(0);
    const raw = step.raw as Record<string, unknown>[];
    // The first chunks, the finish and usage chunks, and how many were left out.
    expect(raw.length).toBeLessThanOrEqual(RAW_CHUNKS_KEPT + 3);
    const dropped = raw.at(-1)?.['assay_dropped_chunks'];
    expect(dropped).toBeGreaterThan(10_000);
    expect(raw.some((chunk) => chunk['usage'])).toBe(true);
  });

  it('reads an event stream cut into 7-byte writes with CRLF line ends', async () => {
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\r\n\r\n`;
    const words = ['héllo', ' 世界', ' 🦊', ' done'];
    const body = `: hi\r\n\r\n${words.map((word) => chunk({ content: word })).join('')}${chunk({}, 'stop')}data: [DONE]\r\n\r\n`;
    const baseURL = await trickling(body, 7);
    const step = await createOpenAIProvider({ baseURL, model: 'm' }).step(request);
    expect(step.text).toBe('héllo 世界 🦊 done');
    expect(step.finishReason).toBe('stop');
  });
});
