import type { ToolSpec } from '../../core/provider.js';
import type { TraceRecord } from '../../trace/schema.js';
import { type ExportContext, exportContext } from './context.js';
import { toOpenRlhf } from './openrlhf.js';
import { type SelectionCounts, type SelectOptions, selectRecords } from './select.js';
import { toShareGpt } from './sharegpt.js';
import { toTrl } from './trl.js';
import { toVerifiers } from './verifiers-format.js';

export const EXPORT_FORMATS = ['trl', 'verifiers', 'openrlhf', 'sharegpt'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const WRITERS: Record<
  ExportFormat,
  (record: TraceRecord, ctx: ExportContext) => Record<string, unknown>
> = {
  trl: toTrl,
  verifiers: toVerifiers,
  openrlhf: toOpenRlhf,
  sharegpt: toShareGpt,
};

export interface ExportOptions extends SelectOptions {
  format: ExportFormat;
  /** Schemas of the tools the traces name; without them tools are exported by name. */
  toolSpecs?: Iterable<ToolSpec>;
}

/** Selects the exportable records and converts each to one row of the chosen format. */
export function exportRecords(
  records: readonly TraceRecord[],
  options: ExportOptions,
): { rows: Record<string, unknown>[]; counts: SelectionCounts } {
  const { records: selected, counts } = selectRecords(records, options);
  const ctx = exportContext(options.toolSpecs);
  const write = WRITERS[options.format];
  return { rows: selected.map((record) => write(record, ctx)), counts };
}

export function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}
