import { createHash } from 'node:crypto';
import { mkdtemp, open, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TRACE_FIELD_MAX_CHARS, TRACE_LINE_MAX_BYTES } from '../../src/trace/caps.js';
import { readTraceLines, readTraces, TRACE_READ_MAX_LINE_BYTES } from '../../src/trace/reader.js';
import type { TraceRecord } from '../../src/trace/schema.js';
import { TraceWriter } from '../../src/trace/writer.js';
import { evalRecord, toolCall } from '../support/eval-records.js';

const MB = 1 << 20;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'assay-trace-caps-'));
});

interface Caps {
  field_max_chars: number;
  fields: { path: string; chars: number; artifact?: string }[];
  dropped?: { messages: number; tool_calls: number };
}

/** The attacks of issue 11: a 50 MB answer (kept twice), 50 MB tool arguments, a 6 MB result. */
function hugeRecord(): TraceRecord {
  const answer = 'A'.repeat(50 * MB);
  const argumentText = JSON.stringify({ expression: '1+'.repeat(25 * MB) });
  const call = toolCall('calculator', true);
  return {
    ...evalRecord({ task: 'huge', finalAnswer: answer, toolCalls: [call] }),
    messages: [
      { role: 'user', content: 'What is 1+1?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: call.id,
            type: 'function',
            function: { name: 'calculator', arguments: argumentText },
          },
        ],
      },
      { role: 'tool', tool_call_id: call.id, content: '2'.repeat(6 * MB) },
      { role: 'assistant', content: answer },
    ],
    tool_calls: [
      {
        ...call,
        arguments: JSON.parse(argumentText) as unknown,
        result: { ok: true, content: '2'.repeat(6 * MB) },
      },
    ],
  };
}

async function onlyLine(path: string): Promise<string> {
  const text = await readFile(path, 'utf8');
  const lines = text.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('trace caps', { timeout: 120_000 }, () => {
  it('writes a 50 MB answer and 50 MB tool arguments as one line under the cap, keeping the full text aside', async () => {
    const path = join(dir, 'huge.jsonl');
    await using writer = await TraceWriter.open(path, { fsync: false });
    const written = await writer.append(hugeRecord());
    const line = await onlyLine(path);
    expect(Buffer.byteLength(line) + 1).toBeLessThanOrEqual(TRACE_LINE_MAX_BYTES);
    const [read] = await readTraces(path);
    expect(read).toEqual(written);
    expect(read!.final_answer!.length).toBeLessThan(TRACE_FIELD_MAX_CHARS + 200);
    expect(read!.final_answer).toMatch(
      /\[… assay trace cap: \d+ of 52428800 characters omitted; full text in huge\.artifacts\/[0-9a-f]{64}\.txt …\]$/,
    );
    const caps = read!['trace_caps'] as Caps;
    expect(caps.fields.map((f) => f.path).sort()).toEqual([
      'final_answer',
      'messages.1.tool_calls.0.function.arguments',
      'messages.2.content',
      'messages.3.content',
      'tool_calls.0.arguments',
      'tool_calls.0.result.content',
    ]);
    // The full text of a cut field is kept as an artifact, named by its hash in the marker.
    const kept = caps.fields.find((f) => f.path === 'final_answer')!;
    expect(kept.chars).toBe(50 * MB);
    const full = await readFile(join(dirname(path), kept.artifact!));
    expect(full.length).toBe(50 * MB);
    const sha = createHash('sha256').update(full).digest('hex');
    expect(kept.artifact).toBe(`huge.artifacts/${sha}.txt`);
    expect(read!.final_answer).toContain(kept.artifact);
  });

  it('stores free-form arguments that are huge without any long string as capped JSON text', async () => {
    const path = join(dir, 'numbers.jsonl');
    await using writer = await TraceWriter.open(path, { fsync: false, fieldArtifacts: false });
    const call = { ...toolCall('calculator', true), arguments: { values: Array(3 * MB).fill(7) } };
    const written = await writer.append(evalRecord({ task: 'numbers', toolCalls: [call] }));
    const args = written.tool_calls[0]!.arguments;
    expect(typeof args).toBe('string');
    expect(args as string).toMatch(/^\{"values":\[7,7,7/);
    expect(args as string).toMatch(/characters omitted …\]$/);
    expect((await stat(path)).size).toBeLessThan(2 * MB);
  });

  it("caps a tool result's structured data and a multi-megabyte error message", async () => {
    const path = join(dir, 'data.jsonl');
    await using writer = await TraceWriter.open(path, { fsync: false, fieldArtifacts: false });
    const call = {
      ...toolCall('javascript', false),
      result: {
        ok: false,
        content: 'Error: boom',
        error: { code: 'JS_ERROR', message: `Error: ${'m'.repeat(3 * MB)}` },
        data: { value: Array(2 * MB).fill(1.5) },
      },
    };
    const written = await writer.append(evalRecord({ task: 'data', toolCalls: [call] }));
    const result = written.tool_calls[0]!.result;
    expect(result.error?.message).toMatch(
      /^Error: m+\n\[… assay trace cap: \d+ of 3145735 characters omitted …\]$/,
    );
    expect(result['data']).toMatch(/^\{"value":\[1\.5,1\.5/);
    expect((await stat(path)).size).toBeLessThan(3 * MB);
  });

  it('drops the transcript, saying so, when thousands of capped messages still overflow the line', async () => {
    const path = join(dir, 'many.jsonl');
    await using writer = await TraceWriter.open(path, { fsync: false });
    const chatter = Array.from({ length: 6000 }, (_, i) => ({
      role: 'user' as const,
      content: `${i}:${'x'.repeat(8000)}`,
    }));
    const base = evalRecord({ task: 'many', reward: 1 });
    const written = await writer.append({ ...base, messages: chatter });
    const line = await onlyLine(path);
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(TRACE_LINE_MAX_BYTES);
    expect(written.messages).toEqual([]);
    expect((written['trace_caps'] as Caps).dropped).toEqual({ messages: 6000, tool_calls: 0 });
    expect(written.reward).toBe(1);
    expect(written.trace_id).toBe(base.trace_id);
  });

  it('leaves a record whose fields fit exactly as it was', async () => {
    const path = join(dir, 'small.jsonl');
    await using writer = await TraceWriter.open(path, { fsync: false });
    const record = evalRecord({ task: 'small' });
    expect(await writer.append(record)).toEqual(record);
    expect(JSON.parse(await onlyLine(path))).toEqual(record);
  });
});

describe('reading back a line past the read limit', { timeout: 120_000 }, () => {
  it('skips a 70 MB line with a warning naming it and reads the lines around it', async () => {
    const path = join(dir, 'old-huge.jsonl');
    const before = JSON.stringify(evalRecord({ task: 'before' }));
    const after = JSON.stringify(evalRecord({ task: 'after' }));
    const huge = JSON.stringify(evalRecord({ task: 'huge', finalAnswer: 'B'.repeat(70 * MB) }));
    expect(huge.length).toBeGreaterThan(TRACE_READ_MAX_LINE_BYTES);
    const handle = await open(path, 'w');
    await handle.writeFile(`${before}\n${huge}\n${after}\n`);
    await handle.close();
    const warnings: string[] = [];
    const records = await readTraces(path, { onWarning: (m) => warnings.push(m) });
    expect(records.map((r) => r.task_id)).toEqual(['before', 'after']);
    expect(warnings).toEqual([
      `${path}:2: line of ${huge.length} bytes is longer than the ${TRACE_READ_MAX_LINE_BYTES} bytes a trace line may hold; skipped`,
    ]);
    const entries = [];
    for await (const entry of readTraceLines(path)) entries.push(entry);
    expect(entries[1]).toMatchObject({ line: 2, oversized: true, torn: false });
  });
});
