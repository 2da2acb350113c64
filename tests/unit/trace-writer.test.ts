import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AssayError, InfraError, UsageError } from '../../src/core/errors.js';
import { readTraceLines, readTraces } from '../../src/trace/reader.js';
import type { TraceRecord } from '../../src/trace/schema.js';
import { TraceWriter } from '../../src/trace/writer.js';

const FIXTURE = join(
  import.meta.dirname,
  '..',
  'fixtures',
  'traces',
  'v1',
  'valid',
  'calculator-completed.jsonl',
);

let base: TraceRecord;
let dir: string;

beforeAll(async () => {
  const first = (await readFile(FIXTURE, 'utf8')).split('\n')[0]!;
  base = JSON.parse(first) as TraceRecord;
  dir = await mkdtemp(join(tmpdir(), 'assay-trace-writer-'));
});

afterEach(() => {
  vi.restoreAllMocks();
});

function record(n: number): TraceRecord {
  return { ...structuredClone(base), trace_id: `trace-${n}`, sample_index: n };
}

async function lines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

describe('TraceWriter', () => {
  it('writes 200 concurrent appends as 200 intact lines', async () => {
    const path = join(dir, 'concurrent.jsonl');
    await using writer = await TraceWriter.open(path);
    await Promise.all(Array.from({ length: 200 }, (_, i) => writer.append(record(i))));
    const written = await lines(path);
    expect(written).toHaveLength(200);
    const ids = written.map((l) => (JSON.parse(l) as TraceRecord).trace_id);
    expect(new Set(ids)).toEqual(new Set(Array.from({ length: 200 }, (_, i) => `trace-${i}`)));
  });

  it('keeps lines intact when two writers in one process append to the same file', async () => {
    const path = join(dir, 'two-writers.jsonl');
    const a = await TraceWriter.open(path, { fsync: false });
    const b = await TraceWriter.open(path, { fsync: false });
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => [
        a.append(record(i)),
        b.append(record(1000 + i)),
      ]).flat(),
    );
    await Promise.all([a.close(), b.close()]);
    const records = await readTraces(path);
    expect(records).toHaveLength(200);
  });

  it('creates the folders above the trace file', async () => {
    const path = join(dir, 'deep', 'er', 'traces.jsonl');
    await using writer = await TraceWriter.open(path);
    await writer.append(record(1));
    expect(await lines(path)).toHaveLength(1);
  });

  it('starts a new line after a torn last line, so the reader keeps every complete record', async () => {
    const path = join(dir, 'torn.jsonl');
    const complete = `${JSON.stringify(record(1))}\n`;
    const torn = JSON.stringify(record(2)).slice(0, 700);
    await writeFile(path, complete + torn);
    await using writer = await TraceWriter.open(path);
    await writer.append(record(3));
    const warnings: string[] = [];
    const records = await readTraces(path, { onWarning: (w) => warnings.push(w) });
    expect(records.map((r) => r.trace_id)).toEqual(['trace-1', 'trace-3']);
    expect(warnings).toEqual([
      `${path}:2: torn line skipped (a crash cut this record short; later lines are intact)`,
    ]);
  });

  it('adds no blank line when the file already ends with a newline', async () => {
    const path = join(dir, 'clean.jsonl');
    await writeFile(path, `${JSON.stringify(record(1))}\n`);
    await using writer = await TraceWriter.open(path);
    await writer.append(record(2));
    expect(await lines(path)).toHaveLength(2);
  });

  it('fsyncs every record before append resolves, and skips it when fsync is off', async () => {
    const probe = await open(join(dir, 'probe'), 'w');
    const prototype = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const datasync = vi.spyOn(prototype, 'datasync');

    const synced = await TraceWriter.open(join(dir, 'synced.jsonl'));
    for (let i = 0; i < 3; i++) await synced.append(record(i));
    await synced.close();
    expect(datasync).toHaveBeenCalledTimes(3);

    datasync.mockClear();
    const unsynced = await TraceWriter.open(join(dir, 'unsynced.jsonl'), { fsync: false });
    for (let i = 0; i < 3; i++) await unsynced.append(record(i));
    await unsynced.close();
    expect(datasync).not.toHaveBeenCalled();
    expect(await lines(join(dir, 'unsynced.jsonl'))).toHaveLength(3);
  });

  it('lets appends that queue up during a sync share the next write and fsync', async () => {
    const probe = await open(join(dir, 'probe-batch'), 'w');
    const prototype = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const datasync = vi.spyOn(prototype, 'datasync');
    const path = join(dir, 'group-commit.jsonl');
    const writer = await TraceWriter.open(path);
    await Promise.all(Array.from({ length: 50 }, (_, i) => writer.append(record(i))));
    await writer.close();
    // The first append is written alone; the 49 queued behind its fsync go out together.
    expect(datasync).toHaveBeenCalledTimes(2);
    expect((await readTraces(path)).map((r) => r.sample_index)).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
  });

  it('rejects a record that does not match the schema, naming the field, and writes nothing', async () => {
    const path = join(dir, 'invalid.jsonl');
    await using writer = await TraceWriter.open(path);
    const bad = record(1);
    (bad.messages[3] as Record<string, unknown>)['tool_call_id'] = 7;
    const error = await writer.append(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AssayError);
    expect((error as AssayError).code).toBe('TRACE_INVALID');
    expect((error as AssayError).message).toContain('messages.3.tool_call_id: expected string');
    await writer.append(record(2));
    expect(await lines(path)).toHaveLength(1);
  });

  it('rejects a record whose values do not survive JSON', async () => {
    await using writer = await TraceWriter.open(join(dir, 'bigint.jsonl'));
    const bad = record(1);
    bad.tool_calls[0]!.arguments = { n: 10n };
    await expect(writer.append(bad)).rejects.toMatchObject({ code: 'TRACE_INVALID' });
  });

  it('refuses appends after close, and close is idempotent', async () => {
    const writer = await TraceWriter.open(join(dir, 'closed.jsonl'));
    await writer.close();
    await writer.close();
    await expect(writer.append(record(1))).rejects.toThrow(/closed/);
  });

  it('finishes queued appends before closing', async () => {
    const path = join(dir, 'drain.jsonl');
    const writer = await TraceWriter.open(path);
    const pending = Array.from({ length: 20 }, (_, i) => writer.append(record(i)));
    await writer.close();
    await Promise.all(pending);
    expect(await lines(path)).toHaveLength(20);
  });

  it('names the path when the trace file cannot be opened', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    const path = join(file, 'traces.jsonl');
    const error = await TraceWriter.open(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toContain(path);
  });

  it.runIf(existsSync('/dev/full'))(
    'reports a failed write as an infra error naming the file',
    async () => {
      await using writer = await TraceWriter.open('/dev/full', { fsync: false });
      const error = await writer.append(record(1)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InfraError);
      expect((error as InfraError).code).toBe('TRACE_WRITE_FAILED');
      expect((error as InfraError).message).toContain('/dev/full');
    },
  );

  it('writes lines the streaming reader reads back unchanged, extra fields included', async () => {
    const path = join(dir, 'roundtrip.jsonl');
    const withExtra = { ...record(5), x_note: { kept: true } };
    await using writer = await TraceWriter.open(path);
    await writer.append(withExtra);
    const entries = [];
    for await (const entry of readTraceLines(path)) entries.push(entry);
    expect(entries).toEqual([{ line: 1, record: withExtra }]);
  });
});
