/**
 * Trace write throughput: `TraceWriter` (validation, queue, group commit, fdatasync) against
 * plain `fs.promises.appendFile` of the same lines, with and without flushing to disk,
 * one appender at a time and 32 at once. Records are realistic ~4 KB calculator episodes.
 * Prints MB/s, records/s and the ratio writer/appendFile for each case.
 */
import { readFileSync } from 'node:fs';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTraceRecord } from '../src/trace/parse-record.js';
import type { TraceRecord } from '../src/trace/schema.js';
import { TraceWriter } from '../src/trace/writer.js';
import { reportFigures } from './figures.js';

const SYNCED_RECORDS = Number(process.env['BENCH_SYNCED_RECORDS'] ?? 400);
const UNSYNCED_RECORDS = Number(process.env['BENCH_UNSYNCED_RECORDS'] ?? 4000);
const CONCURRENCY = 32;
const RECORD_BYTES = 4096;

const fixture = join(import.meta.dirname, '..', 'tests', 'fixtures', 'traces', 'v1', 'valid');
const base = JSON.parse(
  readFileSync(join(fixture, 'calculator-completed.jsonl'), 'utf8').split('\n')[1]!,
) as TraceRecord;

/** A record padded to about 4 KB with a realistic reasoning text, unique per index. */
function makeRecord(i: number): TraceRecord {
  const record = structuredClone(base);
  record.trace_id = `bench-${i}`;
  record.sample_index = i;
  const size = JSON.stringify(record).length;
  const filler = 'Check the product digit by digit before answering. ';
  const reasoning = filler.repeat(Math.ceil((RECORD_BYTES - size) / filler.length));
  record.messages.splice(2, 1, {
    ...record.messages[2]!,
    reasoning_content: reasoning.slice(0, Math.max(0, RECORD_BYTES - size - 40)),
  } as TraceRecord['messages'][number]);
  return record;
}

interface Result {
  seconds: number;
  bytes: number;
  records: number;
}

/** Runs `append` over `records`, with `lanes` loops taking the next record in turn. */
async function drive<T>(
  records: T[],
  lanes: number,
  append: (r: T) => Promise<void>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < records.length) await append(records[next++]!);
    }),
  );
  return (performance.now() - started) / 1000;
}

async function writerRun(
  dir: string,
  records: TraceRecord[],
  lanes: number,
  fsync: boolean,
): Promise<Result> {
  const path = join(dir, `writer-${fsync}-${lanes}.jsonl`);
  const writer = await TraceWriter.open(path, { fsync });
  const seconds = await drive(records, lanes, async (r) => {
    await writer.append(r);
  });
  await writer.close();
  return { seconds, bytes: bytesOf(records), records: records.length };
}

async function appendFileRun(
  dir: string,
  records: TraceRecord[],
  lanes: number,
  flush: boolean,
): Promise<Result> {
  const path = join(dir, `baseline-${flush}-${lanes}.jsonl`);
  const lines = records.map((r) => `${JSON.stringify(r)}\n`);
  const seconds = await drive(lines, lanes, (line) => appendFile(path, line, { flush }));
  return { seconds, bytes: bytesOf(records), records: records.length };
}

function bytesOf(records: TraceRecord[]): number {
  return records.reduce((sum, r) => sum + Buffer.byteLength(JSON.stringify(r)) + 1, 0);
}

function describe(label: string, r: Result): string {
  const mbs = r.bytes / r.seconds / 1e6;
  const rps = r.records / r.seconds;
  return `${label.padEnd(44)} ${mbs.toFixed(2).padStart(8)} MB/s ${rps.toFixed(0).padStart(8)} records/s`;
}

const dir = await mkdtemp(join(tmpdir(), 'assay-bench-trace-'));
try {
  const sample = makeRecord(0);
  console.log(`record size: ${Buffer.byteLength(JSON.stringify(sample))} bytes; folder: ${dir}`);

  // Where the writer's CPU time goes: serialize, parse back and validate one record.
  const validateRounds = 2000;
  for (let i = 0; i < validateRounds; i++) checkTraceRecord(JSON.parse(JSON.stringify(sample)));
  const started = performance.now();
  for (let i = 0; i < validateRounds; i++) checkTraceRecord(JSON.parse(JSON.stringify(sample)));
  console.log(
    `serialize + validate one record: ${(((performance.now() - started) / validateRounds) * 1000).toFixed(1)} µs\n`,
  );

  for (const fsync of [false, true]) {
    const count = fsync ? SYNCED_RECORDS : UNSYNCED_RECORDS;
    const records = Array.from({ length: count }, (_, i) => makeRecord(i));
    for (const lanes of [1, CONCURRENCY]) {
      const label = `fsync=${fsync} appenders=${lanes}`;
      // Warm up both paths once so the first case does not pay for module and disk warm-up.
      await writerRun(dir, records.slice(0, 20), lanes, fsync);
      await appendFileRun(dir, records.slice(0, 20), lanes, fsync);
      const baseline = await appendFileRun(dir, records, lanes, fsync);
      const ours = await writerRun(dir, records, lanes, fsync);
      console.log(describe(`fs.appendFile  ${label}`, baseline));
      console.log(describe(`TraceWriter    ${label}`, ours));
      console.log(
        `ratio writer/appendFile throughput ${label}: ${(baseline.seconds / ours.seconds).toFixed(2)}x\n`,
      );
      reportFigures('trace-write', [
        {
          name: `TraceWriter records, ${label}`,
          value: ours.records / ours.seconds,
          unit: 'records/s',
          baseline: baseline.records / baseline.seconds,
          baselineName: 'fs.appendFile',
        },
      ]);
    }
  }
  await hostileRecord(dir);
} finally {
  await rm(dir, { recursive: true, force: true });
}

/**
 * The oversized episode of issue 11: a 50 MB answer (kept twice), 50 MB of tool arguments
 * (as text and parsed) and a 6 MB tool result. Prints the line the writer wrote, against the
 * line the record makes uncapped (what was written before the caps), and the time taken.
 */
async function hostileRecord(dir: string): Promise<void> {
  const MB = 1 << 20;
  const answer = 'A'.repeat(50 * MB);
  const argumentText = JSON.stringify({ expression: '1+'.repeat(25 * MB) });
  const record = structuredClone(base);
  record.trace_id = 'bench-hostile';
  record.final_answer = answer;
  record.messages.push({ role: 'assistant', content: answer });
  record.messages.push({
    role: 'assistant',
    content: null,
    tool_calls: [
      { id: 'c9', type: 'function', function: { name: 'calculator', arguments: argumentText } },
    ],
  });
  record.tool_calls.push({
    id: 'c9',
    step: 9,
    name: 'calculator',
    arguments: JSON.parse(argumentText) as unknown,
    policy: null,
    result: { ok: true, content: '2'.repeat(6 * MB) },
    duration_ms: 1,
  });
  const uncapped = Buffer.byteLength(JSON.stringify(record)) + 1;
  const path = join(dir, 'hostile.jsonl');
  const writer = await TraceWriter.open(path, { fsync: true });
  const started = performance.now();
  await writer.append(record);
  const seconds = (performance.now() - started) / 1000;
  await writer.close();
  const written = readFileSync(path).length;
  console.log(
    `hostile episode: uncapped line ${(uncapped / MB).toFixed(1)} MiB -> written ${(written / MB).toFixed(2)} MiB (cap 16 MiB), ${seconds.toFixed(2)} s incl. artifacts`,
  );
}
