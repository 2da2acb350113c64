import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendOrReplace } from '../../src/eval/run/append-record.js';
import { readTraces } from '../../src/trace/reader.js';
import { TraceWriter } from '../../src/trace/writer.js';
import { evalRecord, toolCall } from '../support/eval-records.js';

describe('appending an eval record', () => {
  it('writes a harness error record for the same job when the record cannot be written', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'assay-append-')), 'traces.jsonl');
    await using writer = await TraceWriter.open(path, { fsync: false });
    const bad = evalRecord({ task: 't1', toolCalls: [toolCall('calculator', true)] });
    bad.tool_calls[0]!.arguments = { n: 10n };
    await appendOrReplace(writer, { ...bad, tags: ['math'] });
    await appendOrReplace(writer, evalRecord({ task: 't2' }));
    const [replaced, next] = await readTraces(path);
    expect(replaced).toMatchObject({
      trace_id: bad.trace_id,
      task_id: 't1',
      arm: bad.arm,
      sample_index: 0,
      tags: ['math'],
      messages: [],
      tool_calls: [],
      reward: null,
      outcome: { status: 'error', stop_reason: 'trace_invalid' },
      error: { class: 'harness', code: 'TRACE_INVALID' },
    });
    expect(replaced!.error!.message).toContain('BigInt');
    expect(next?.task_id).toBe('t2');
  });

  it('lets any other error through, such as a closed writer', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'assay-append-')), 'traces.jsonl');
    const writer = await TraceWriter.open(path, { fsync: false });
    await writer.close();
    await expect(appendOrReplace(writer, evalRecord({ task: 't1' }))).rejects.toThrow(/closed/);
    expect(await readFile(path, 'utf8')).toBe('');
  });
});
