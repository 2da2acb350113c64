import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { splitLines } from '../../src/core/line-splitter.js';
import { isTruncatedJson } from '../../src/trace/json-prefix.js';
import { readTraceLines, readTraces, type TraceLine } from '../../src/trace/reader.js';
import type { TraceRecord } from '../../src/trace/schema.js';

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
  base = JSON.parse((await readFile(FIXTURE, 'utf8')).split('\n')[0]!) as TraceRecord;
  dir = await mkdtemp(join(tmpdir(), 'assay-trace-reader-'));
});

function line(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...structuredClone(base), ...overrides });
}

async function collect(path: string): Promise<TraceLine[]> {
  const entries: TraceLine[] = [];
  for await (const entry of readTraceLines(path)) entries.push(entry);
  return entries;
}

async function fileWith(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('readTraceLines', () => {
  it('names the line number and the field path of a bad record', async () => {
    const bad = structuredClone(base);
    delete (bad.messages[3] as Record<string, unknown>)['tool_call_id'];
    const path = await fileWith('bad-line.jsonl', `${line()}\n${line()}\n${JSON.stringify(bad)}\n`);
    const entries = await collect(path);
    expect(entries.map((e) => e.line)).toEqual([1, 2, 3]);
    const third = entries[2]!;
    expect('error' in third && third.error).toBe(
      'messages.3.tool_call_id: expected string, received undefined',
    );
    expect('torn' in third && third.torn).toBe(false);
  });

  it('counts blank lines in line numbers but skips them', async () => {
    const path = await fileWith('blank.jsonl', `${line()}\n\n  \n${line({ reward: 'x' })}\n`);
    const entries = await collect(path);
    expect(entries).toHaveLength(2);
    expect(entries[1]).toMatchObject({
      line: 4,
      error: 'reward: expected number, received string',
    });
  });

  it('reports a last line without a newline that does not parse as torn', async () => {
    const path = await fileWith('torn-end.jsonl', `${line()}\n${line().slice(0, 300)}`);
    const entries = await collect(path);
    expect(entries[1]).toMatchObject({
      line: 2,
      torn: true,
      error: 'torn last line skipped (a crash mid-write?)',
    });
  });

  it('reads a complete last record that lacks only its newline', async () => {
    const path = await fileWith('no-newline.jsonl', `${line()}\n${line()}`);
    const entries = await collect(path);
    expect(entries.every((e) => 'record' in e)).toBe(true);
    expect(entries).toHaveLength(2);
  });

  it('treats a complete line of broken JSON as an error, not a torn write', async () => {
    const path = await fileWith('broken.jsonl', `${line().replace('"reward":1,', '"reward":,')}\n`);
    const [entry] = await collect(path);
    expect(entry).toMatchObject({ line: 1, torn: false });
    expect('error' in entry! && entry.error).toMatch(/^not valid JSON: /);
  });

  it('says a newer schema_version is newer than this assay supports', async () => {
    const path = await fileWith('v2.jsonl', `${line({ schema_version: 2 })}\n`);
    const [entry] = await collect(path);
    expect('error' in entry! && entry.error).toContain(
      'schema_version 2 is newer than this assay supports (1)',
    );
  });

  it('says a missing or foreign schema_version is not an assay record', async () => {
    const missing = structuredClone(base) as Partial<TraceRecord>;
    delete missing.schema_version;
    const path = await fileWith(
      'versions.jsonl',
      `${JSON.stringify(missing)}\n${line({ schema_version: 'trace/1' })}\n[1]\n`,
    );
    const entries = await collect(path);
    expect(entries.map((e) => 'error' in e && e.error)).toEqual([
      'schema_version: missing (is this an assay trace record?)',
      'schema_version "trace/1" is not supported (this assay reads 1)',
      'not a JSON object (got an array)',
    ]);
  });

  it('keeps fields it does not know', async () => {
    const path = await fileWith('extra.jsonl', `${line({ x_extra: [1, 2] })}\n`);
    const [entry] = await collect(path);
    expect('record' in entry! && entry.record).toMatchObject({ x_extra: [1, 2] });
  });

  it('reads CRLF line endings and a byte-order mark', async () => {
    const path = await fileWith('crlf.jsonl', `\uFEFF${line()}\r\n${line()}\r\n`);
    const entries = await collect(path);
    expect(entries.filter((e) => 'record' in e)).toHaveLength(2);
  });

  it('streams a file of 10,000 records and a 2 MB record without losing a line', async () => {
    const big = line({ final_answer: 'é'.repeat(1_000_000) });
    const small = line();
    const path = await fileWith(
      'large.jsonl',
      `${`${small}\n`.repeat(5_000)}${big}\n${`${small}\n`.repeat(5_000)}`,
    );
    let count = 0;
    let longest = 0;
    for await (const entry of readTraceLines(path)) {
      expect('record' in entry).toBe(true);
      if ('record' in entry) longest = Math.max(longest, entry.record.final_answer?.length ?? 0);
      count++;
    }
    expect(count).toBe(10_001);
    expect(longest).toBe(1_000_000);
  });

  it('stops with ABORTED when the signal fires', async () => {
    const path = await fileWith('abort.jsonl', `${line()}\n${line()}\n`);
    const controller = new AbortController();
    const seen: number[] = [];
    const reading = (async () => {
      for await (const entry of readTraceLines(path, { signal: controller.signal })) {
        seen.push(entry.line);
        controller.abort();
      }
    })();
    await expect(reading).rejects.toMatchObject({ code: 'ABORTED' });
    expect(seen).toEqual([1]);
  });

  it('throws a usage error naming a missing file', async () => {
    const path = join(dir, 'nope.jsonl');
    const error = await collect(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe('FILE_NOT_FOUND');
    expect((error as UsageError).message).toBe(`trace file not found: ${path}`);
  });

  it('throws a usage error naming a folder given as the file', async () => {
    await expect(collect(dir)).rejects.toThrow(`cannot read trace file ${dir}`);
  });
});

describe('readTraces', () => {
  it('returns the valid records and warns about a torn last line', async () => {
    const path = await fileWith(
      'warn.jsonl',
      `${line()}\n${line({ trace_id: 'second' })}\n${line().slice(0, 500)}`,
    );
    const warnings: string[] = [];
    const records = await readTraces(path, { onWarning: (w) => warnings.push(w) });
    expect(records.map((r) => r.trace_id)).toEqual([base.trace_id, 'second']);
    expect(warnings).toEqual([`${path}:3: torn last line skipped (a crash mid-write?)`]);
  });

  it('throws on an invalid line, naming the file and line', async () => {
    const path = await fileWith('throws.jsonl', `${line()}\n${line({ arm: 3 })}\n`);
    await expect(readTraces(path)).rejects.toThrow(
      `${path}:2: arm: expected string, received number`,
    );
  });
});

describe('splitLines', () => {
  it('pulls input only as far as the lines it has handed out', async () => {
    let produced = 0;
    async function* endless(): AsyncGenerator<Buffer> {
      for (;;) {
        produced++;
        yield Buffer.from('{"a":1}\n{"b":');
        produced++;
        yield Buffer.from('2}\n');
      }
    }
    const seen: string[] = [];
    for await (const raw of splitLines(endless())) {
      seen.push(raw.text);
      if (seen.length === 4) break;
    }
    expect(seen).toEqual(['{"a":1}', '{"b":2}', '{"a":1}', '{"b":2}']);
    expect(produced).toBe(4);
  });

  it('splits identically wherever the chunks break, multi-byte characters included', async () => {
    const text = '{"x":"αβγ"}\n{"y":"😀"}\r\n\n{"z":1';
    const bytes = Buffer.from(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      async function* chunks(): AsyncGenerator<Buffer> {
        yield bytes.subarray(0, cut);
        yield bytes.subarray(cut);
      }
      const lines = [];
      for await (const raw of splitLines(chunks())) lines.push(raw);
      expect(lines).toEqual([
        { text: '{"x":"αβγ"}', terminated: true },
        { text: '{"y":"😀"}', terminated: true },
        { text: '', terminated: true },
        { text: '{"z":1', terminated: false },
      ]);
    }
  });
});

describe('isTruncatedJson', () => {
  it.each([
    ['{"a":1,"b":"unfinished', true],
    ['{"a":[1,2', true],
    ['{"a":"brace } in a string', true],
    ['{"a":"escaped quote \\" still open', true],
    ['{', true],
    ['{"a":1}', false],
    ['{"a":,}', false],
    ['{"a":1}}{', false],
    ['not json', false],
    ['', false],
  ])('says %j is truncated: %s', (text, expected) => {
    expect(isTruncatedJson(text)).toBe(expected);
  });
});

describe('torn lines in the middle of a file', () => {
  it('treats a garbage line holding "{" between records as an error, not a torn write', async () => {
    const path = await fileWith(
      'garbage-middle.jsonl',
      `${line()}\nnot a record {"a": [1,\n${line()}\n`,
    );
    await expect(readTraces(path)).rejects.toThrow(`${path}:2: not valid JSON`);
    const entries = await collect(path);
    expect(entries[1]).toMatchObject({ line: 2, torn: false });
  });

  it('treats a truncated object that is not a trace record as an error in the middle', async () => {
    const path = await fileWith('object-middle.jsonl', `${line()}\n{"hello": "wor\n${line()}\n`);
    await expect(readTraces(path)).rejects.toThrow(`${path}:2: not valid JSON`);
  });

  it('still skips a record the writer cut short before a later writer appended', async () => {
    const torn = line().slice(0, 300);
    expect(torn.startsWith('{"schema_version":')).toBe(true);
    const path = await fileWith('torn-middle.jsonl', `${line()}\n${torn}\n${line()}\n`);
    const warnings: string[] = [];
    const records = await readTraces(path, { onWarning: (w) => warnings.push(w) });
    expect(records).toHaveLength(2);
    expect(warnings).toEqual([
      `${path}:2: torn line skipped (a crash cut this record short; later lines are intact)`,
    ]);
  });
});
