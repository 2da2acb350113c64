import type { ToolSpec } from '../../core/provider.js';
import type { TraceRecord } from '../../trace/schema.js';
import { type ExportContext, exportContext } from './context.js';
import type { ExportFormat } from './format-names.js';
import { toOpenRlhf } from './openrlhf.js';
import { type SelectionCounts, type SelectOptions, selectRecords } from './select.js';
import { toShareGpt } from './sharegpt.js';
import { toTokens } from './tokens.js';
import { toTrl, toTrlGrpo } from './trl.js';
import { toVerifiers } from './verifiers-format.js';

export { EXPORT_FORMATS, type ExportFormat, isExportFormat } from './format-names.js';

type Writer = (record: TraceRecord, ctx: ExportContext) => Record<string, unknown> | null;

const WRITERS: Record<ExportFormat, Writer> = {
  trl: toTrl,
  'trl-grpo': toTrlGrpo,
  verifiers: toVerifiers,
  openrlhf: toOpenRlhf,
  sharegpt: toShareGpt,
  tokens: (record) => toTokens(record),
};

export interface ExportOptions extends SelectOptions {
  format: ExportFormat;
  /** Schemas of the tools the traces name; a tool without one gets an empty schema. */
  toolSpecs?: Iterable<ToolSpec>;
}

export interface ExportCounts extends SelectionCounts {
  /** Selected records the format could not write (`tokens`: no token ids, or turns that do not extend each other). */
  unwritable: number;
  /** `trl-grpo`: selected samples folded into the one prompt row of their group. */
  folded: number;
}

/** Selects the exportable records and converts each to one row of the chosen format. */
export function exportRecords(
  records: readonly TraceRecord[],
  options: ExportOptions,
): { rows: Record<string, unknown>[]; counts: ExportCounts } {
  const { records: selected, counts } = selectRecords(records, options);
  const ctx = exportContext(options.toolSpecs);
  const write = WRITERS[options.format];
  const rows: Record<string, unknown>[] = [];
  const groups = new Set<string>();
  let unwritable = 0;
  let folded = 0;
  for (const record of selected) {
    // A GRPO prompt row stands for its whole group: one per task, arm and run.
    if (options.format === 'trl-grpo') {
      const key = record.group_id ?? record.trace_id;
      if (groups.has(key)) {
        folded++;
        continue;
      }
      groups.add(key);
    }
    const row = write(record, ctx);
    if (row === null) unwritable++;
    else rows.push(row);
  }
  return { rows, counts: { ...counts, unwritable, folded } };
}
