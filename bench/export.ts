/**
 * Export throughput: `exportRecords` for each format over N realistic records (the varied
 * shapes of the export tests: parallel calls, denials, nudges, reasoning, no-tools arm),
 * against the baseline of serializing the same records with `JSON.stringify`, which every
 * export does anyway to write its lines. Prints records/s and the ratio format/baseline.
 */
import { EXPORT_FORMATS, exportRecords } from '../src/eval/export/formats.js';
import type { TraceRecord } from '../src/trace/schema.js';
import { VARIED_TOOL_SPECS, variedRecords } from '../tests/support/varied-records.js';
import { type Figure, reportFigures } from './figures.js';

const N = Number(process.env['BENCH_EXPORT_RECORDS'] ?? 20_000);

function records(): TraceRecord[] {
  const shapes = variedRecords();
  return Array.from({ length: N }, (_, i) => {
    const shape = shapes[i % shapes.length]!;
    return { ...shape, trace_id: `bench-${i}`, sample_index: i, group_id: `g-${i % 500}` };
  });
}

function time(run: () => void): number {
  run(); // warm up
  const started = performance.now();
  run();
  return (performance.now() - started) / 1000;
}

const input = records();
const baseline = time(() => {
  for (const record of input) JSON.stringify(record);
});
console.log(`baseline JSON.stringify: ${(N / baseline).toFixed(0)} records/s`);
const figures: Figure[] = [];
for (const format of EXPORT_FORMATS.filter((f) => f !== 'tokens')) {
  const seconds = time(() => {
    const { rows } = exportRecords(input, { format, toolSpecs: VARIED_TOOL_SPECS });
    for (const row of rows) JSON.stringify(row);
  });
  console.log(
    `${format.padEnd(10)} ${(N / seconds).toFixed(0).padStart(8)} records/s  ${(seconds / baseline).toFixed(2)}× baseline`,
  );
  figures.push({
    name: `exportRecords, ${format}`,
    value: N / seconds,
    unit: 'records/s',
    baseline: N / baseline,
    baselineName: 'JSON.stringify',
  });
}
reportFigures('export', figures);
