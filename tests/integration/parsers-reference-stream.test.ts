import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolSpec } from '../../src/core/provider.js';
import { createOpenAIProvider } from '../../src/model/openai-provider.js';
import { loadReferenceCases, mismatch, type ReferenceCase } from '../support/reference-cases.js';

/**
 * The reference cases again, each sent by a real HTTP server as SSE content deltas cut at
 * seeded random places (inside markers, inside multi-byte characters' neighbours, one character
 * at a time), read by the OpenAI-compatible provider as an episode would.
 */
const cases = loadReferenceCases();
const byId = new Map(cases.map((reference) => [reference.id, reference]));

/** mulberry32: a small seeded generator, so a failing split can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seedOf(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash >>> 0;
}

/** Cuts `text` into pieces of 1 to 8 code points. */
function randomChunks(text: string, seed: number): string[] {
  const next = random(seed);
  const points = [...text];
  const chunks: string[] = [];
  for (let i = 0; i < points.length; ) {
    const size = 1 + Math.floor(next() * 8);
    chunks.push(points.slice(i, i + size).join(''));
    i += size;
  }
  return chunks;
}

let server: Server;
let baseURL: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (part: Buffer) => {
      body += part.toString('utf8');
    });
    req.on('end', () => {
      const request = JSON.parse(body) as { messages: { content: string }[] };
      const [id = '', seed = '0'] = request.messages[0]?.content.split('#') ?? [];
      const reference = byId.get(id);
      if (reference === undefined) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (delta: object, finish: string | null) =>
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      res.write(chunk({ role: 'assistant', content: '' }, null));
      for (const piece of randomChunks(reference.text, Number(seed))) {
        res.write(chunk({ content: piece }, null));
      }
      res.end(`${chunk({}, 'stop')}data: [DONE]\n\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function toolSpecs(reference: ReferenceCase): ToolSpec[] {
  return reference.tools.map((name) => ({
    name,
    description: name,
    parameters: reference.schemas?.[name] ?? { type: 'object', properties: {} },
  }));
}

describe('reference cases streamed in random chunks through the provider', () => {
  it('cuts text into pieces that join back to it', () => {
    const text = 'a<|python_tag|>{"x": "é😀"}';
    const chunks = randomChunks(text, 7);
    expect(chunks.join('')).toBe(text);
    expect(chunks.length).toBeGreaterThan(3);
  });

  it.each(cases.map((reference) => [reference.id, reference] as const))(
    'reads %s in two seeded random splits as the whole-text test does',
    async (id, reference) => {
      const model = createOpenAIProvider({
        baseURL,
        model: 'm',
        toolFormat: reference.format,
        maxRetries: 0,
      });
      for (const round of [1, 2]) {
        const seed = seedOf(`${id}/${round}`);
        const step = await model.step({
          messages: [{ role: 'user', content: `${id}#${seed}` }],
          tools: toolSpecs(reference),
          sampling: {},
        });
        const result = {
          content: step.text,
          reasoning: step.reasoning,
          calls: step.toolCalls.map((call) => ({
            name: call.name,
            arguments: JSON.parse(call.arguments) as Record<string, unknown>,
          })),
        };
        const disagreement = mismatch(result, reference);
        if (reference.deviation === undefined) expect(disagreement, `seed ${seed}`).toBeNull();
        else expect(disagreement, `seed ${seed}`).not.toBeNull();
      }
    },
  );
});
