import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runEpisode } from '../../src/agent/episode.js';
import { defineTool } from '../../src/core/tool.js';
import { exportRecords } from '../../src/eval/export/formats.js';
import { createOpenAIProvider } from '../../src/model/openai-provider.js';
import { toWireMessage } from '../../src/model/openai-request.js';
import type { TokenBackend } from '../../src/model/token-ids.js';
import { allowListedPolicy } from '../../src/policy/builtin.js';
import { decodeByteIds, IM_END, IM_START, renderPrompt } from '../../src/testing/byte-tokens.js';
import type { WireFormat } from '../../src/testing/script.js';
import { type TraceRecord, traceRecordSchema } from '../../src/trace/schema.js';
import {
  type ScriptReply,
  sequenceScript,
  startScriptedServer,
} from '../support/scripted-server.js';

const echo = defineTool({
  name: 'echo',
  description: 'echoes its text',
  inputSchema: z.strictObject({ text: z.string() }),
  async run(args) {
    return { ok: true, content: `echo: ${args.text}` };
  },
});

async function episode(
  replies: ScriptReply[],
  recordTokens = true,
  wire: WireFormat = 'vllm',
  stream = true,
  tokenBackend?: TokenBackend | null,
) {
  await using server = await startScriptedServer({ script: sequenceScript(replies), wire });
  const model = createOpenAIProvider({
    baseURL: server.url,
    model: 'm',
    maxRetries: 0,
    stream,
    ...(tokenBackend === undefined ? {} : { tokenBackend }),
  });
  const record = await runEpisode({
    model,
    prompt: 'say hi',
    tools: { echo },
    policy: allowListedPolicy(['echo']),
    recordTokens,
  });
  return { record, requests: [...server.requests] };
}

const scored = (record: TraceRecord): TraceRecord => ({
  ...record,
  task_id: 't',
  arm: 'tools',
  group_id: 'g',
  reward: 1,
});

const TWO_CALLS: ScriptReply[] = [
  { tool_calls: [{ name: 'echo', arguments: { text: 'hi' } }] },
  { content: 'Calling again.', tool_calls: [{ name: 'echo', arguments: { text: 'there' } }] },
  { content: 'The tool said hi there.' },
];

describe('--record-tokens against a server that returns token ids (vLLM wire shape)', () => {
  it('streams, asking for ids, and records each turn’s prompt, completion and logprobs from the chunks', async () => {
    const { record, requests } = await episode(TWO_CALLS);
    expect(traceRecordSchema.safeParse(record).success).toBe(true);
    for (const request of requests) {
      expect(request.body).toMatchObject({ return_token_ids: true, logprobs: true, stream: true });
    }
    const assistants = record.messages.filter((m) => m.role === 'assistant');
    expect(assistants).toHaveLength(3);
    for (const message of assistants) {
      const tokens = message.role === 'assistant' ? message.tokens : undefined;
      expect(tokens?.prompt_ids?.length).toBeGreaterThan(0);
      expect(tokens?.logprobs).toHaveLength(tokens?.completion_ids.length ?? -1);
    }
    expect(record['tokens_consistent']).toBe(true);
  });

  it.each([
    ['vLLM, streamed', 'vllm', true],
    ['vLLM, whole', 'vllm', false],
    ['SGLang (whole: it refuses prompt ids when streaming)', 'sglang', true],
  ] as const)(
    'exports a tokens row whose ids decode back to the conversation, the mask on model tokens only (%s)',
    async (_, wire, stream) => {
      const { record, requests } = await episode(TWO_CALLS, true, wire, stream);
      if (wire === 'sglang') {
        expect(requests[0]!.body).toMatchObject({
          return_prompt_token_ids: true,
          return_meta_info: true,
          logprobs: true,
          stream: false,
        });
      }
      expect(requests[0]!.body['stream']).toBe(wire === 'vllm' && stream);
      const { rows } = exportRecords([scored(record)], { format: 'tokens' });
      expect(rows).toHaveLength(1);
      const row = rows[0] as Record<string, number[]>;
      const ids = [...row['prompt_ids']!, ...row['completion_ids']!];
      const conversation = renderPrompt(record.messages.map((m) => toWireMessage(m as never)));
      const header = `${IM_START}assistant\n`;
      expect(decodeByteIds(ids)).toBe(conversation.slice(0, -header.length));
      expect(decodeByteIds(row['prompt_ids']!)).toBe(`${IM_START}user\nsay hi${IM_END}\n${header}`);

      // The masked spans are exactly what the model wrote, turn by turn.
      const mask = row['completion_mask']!;
      const spans: string[] = [];
      let current: number[] = [];
      mask.forEach((bit, i) => {
        if (bit === 1) current.push(row['completion_ids']![i]!);
        else if (current.length > 0) {
          spans.push(decodeByteIds(current));
          current = [];
        }
      });
      if (current.length > 0) spans.push(decodeByteIds(current));
      expect(spans).toEqual([
        `<tool_call>{"name": "echo", "arguments": {"text":"hi"}}</tool_call>${IM_END}\n`,
        `Calling again.\n<tool_call>{"name": "echo", "arguments": {"text":"there"}}</tool_call>${IM_END}\n`,
        `The tool said hi there.${IM_END}\n`,
      ]);
      const logprobs = row['completion_logprobs']!;
      expect(logprobs.every((lp, i) => (mask[i] === 1 ? lp < 0 : lp === 0))).toBe(true);
      expect(decodeByteIds(row['completion_ids']!.filter((_, i) => mask[i] === 0))).toContain(
        'echo: hi',
      );
    },
  );

  it('flags an episode whose history the template re-rendered, and the export says why it skipped it', async () => {
    const { record } = await episode([
      { reasoning: 'Use the tool.', tool_calls: [{ name: 'echo', arguments: { text: 'hi' } }] },
      { content: 'Done.' },
    ]);
    expect(record['tokens_consistent']).toBe(false);
    const { rows, counts } = exportRecords([scored(record)], { format: 'tokens' });
    expect(rows).toHaveLength(0);
    expect(counts.unwritable).toBe(1);
  });

  it('records no token fields without the flag', async () => {
    const { record, requests } = await episode(TWO_CALLS, false);
    expect(requests[0]!.body['return_token_ids']).toBeUndefined();
    expect(record.messages.some((m) => 'tokens' in m)).toBe(false);
    expect(record).not.toHaveProperty('tokens_consistent');
  });
});

describe('--record-tokens against llama.cpp’s server (ids in logprobs, no prompt ids)', () => {
  it('records the sampled ids and logprobs, leaves the prompt ids null and the export says it cannot write the row', async () => {
    const { record, requests } = await episode(TWO_CALLS, true, 'llamacpp');
    expect(traceRecordSchema.safeParse(record).success).toBe(true);
    for (const request of requests) {
      expect(request.body).toMatchObject({ logprobs: true, top_logprobs: 1, stream: false });
      expect(request.body['return_token_ids']).toBeUndefined();
    }
    const turns = record.messages.flatMap((m) =>
      m.role === 'assistant' && m.tokens ? [m.tokens] : [],
    );
    expect(turns).toHaveLength(3);
    expect(turns.map((t) => t.prompt_ids)).toEqual([null, null, null]);
    expect(decodeByteIds(turns[2]!.completion_ids)).toBe(`The tool said hi there.${IM_END}\n`);
    for (const turn of turns) {
      expect(turn.logprobs).toHaveLength(turn.completion_ids.length);
      expect(turn.logprobs!.every((lp) => Number.isFinite(lp) && lp <= 0)).toBe(true);
    }
    // Whether the turns extend each other cannot be told without prompt ids.
    expect(record).not.toHaveProperty('tokens_consistent');
    const { rows, counts } = exportRecords([scored(record)], { format: 'tokens' });
    expect(rows).toHaveLength(0);
    expect(counts.unwritable).toBe(1);
  });
});

describe('--record-tokens against a server of unknown kind', () => {
  it('asks in every back end’s words without streaming, and records nothing when none came back', async () => {
    const { record, requests } = await episode(TWO_CALLS, true, 'openai');
    expect(requests[0]!.body).toMatchObject({
      return_token_ids: true,
      return_prompt_token_ids: true,
      return_meta_info: true,
      logprobs: true,
      stream: false,
    });
    expect(record.messages.some((m) => 'tokens' in m)).toBe(false);
    expect(record).not.toHaveProperty('tokens_consistent');
  });
});

describe('--record-tokens with the back end named in the provider options', () => {
  it('asks in that back end’s words instead of asking the server what it is', async () => {
    const { record, requests } = await episode(TWO_CALLS, true, 'sglang', true, 'sglang');
    expect(requests[0]!.body).toMatchObject({ return_prompt_token_ids: true, stream: false });
    expect(requests[0]!.body['return_token_ids']).toBeUndefined();
    expect(record['tokens_consistent']).toBe(true);
    // Null says "unknown": a vLLM server then gets every back end's fields, not streamed.
    const unknown = await episode(TWO_CALLS, true, 'vllm', true, null);
    expect(unknown.requests[0]!.body).toMatchObject({ return_token_ids: true, stream: false });
    expect(unknown.record['tokens_consistent']).toBe(true);
  });
});

describe('the scripted server imitates each back end’s refusals', () => {
  it.each([
    ['sglang', { return_prompt_token_ids: true }, 'return_prompt_token_ids'],
    ['llamacpp', { logprobs: true, tools: [] }, 'logprobs is not supported with tools + stream'],
  ] as const)('%s refuses ids on a stream', async (wire, fields, message) => {
    await using server = await startScriptedServer({ script: sequenceScript(TWO_CALLS), wire });
    const response = await fetch(`${server.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'm',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
        ...fields,
      }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
      message,
    );
  });
});
