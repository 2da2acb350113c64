import { readFile, rename, writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { isPlainObject, safeJsonParse } from '../core/json.js';
import type { ToolSpec } from '../core/provider.js';
import { EXPORT_FORMATS, isExportFormat } from '../eval/export/format-names.js';
import type { ExportCounts } from '../eval/export/formats.js';
import type { GroupFilter, OnlyFilter } from '../eval/export/select.js';
import type { SetExit } from './commands.js';

const ONLY: readonly OnlyFilter[] = ['all', 'passed', 'failed'];
const GROUPS: readonly GroupFilter[] = ['all', 'with-variance'];

/**
 * `assay traces export FILE --format …`: training data from a trace file. It joins the
 * `traces` group when `traces-command.ts` registered it first, and creates the group if not.
 */
export function registerExportCommand(program: Command, setExit: SetExit): void {
  let traces = program.commands.find((c) => c.name() === 'traces');
  if (traces === undefined) {
    traces = new Command('traces').description('check and convert JSONL trace files');
    program.addCommand(traces);
  }
  traces
    .command('export')
    .description('write scored traces as training data (JSONL); infra errors are never exported')
    .argument('<file>', 'a JSONL trace file')
    .requiredOption('--format <format>', `one of ${EXPORT_FORMATS.join(', ')}`)
    .option('--only <which>', 'all, passed (reward >= 0.5) or failed', 'all')
    .option('--groups <which>', 'all, or with-variance (GRPO groups whose rewards differ)', 'all')
    .option('--tool-specs <file>', 'JSON list of tool schemas ({name, description, parameters})')
    .option('--out <file>', 'write here instead of stdout')
    .action(async (file: string, raw: Record<string, unknown>) => {
      setExit(await exportCommand(file, raw));
    });
}

async function exportCommand(file: string, raw: Record<string, unknown>): Promise<number> {
  const format = String(raw['format']);
  if (!isExportFormat(format)) {
    throw new UsageError(
      'USAGE',
      `--format: unknown format "${format}"; use ${EXPORT_FORMATS.join(', ')}`,
    );
  }
  const only = choice('--only', raw['only'], ONLY);
  const groups = choice('--groups', raw['groups'], GROUPS);
  const toolSpecs =
    typeof raw['toolSpecs'] === 'string' ? await readToolSpecs(raw['toolSpecs']) : [];
  // Loaded here: the exporters and the trace schema are of no use to `--help`.
  const { exportRecords } = await import('../eval/export/formats.js');
  const { readTraces } = await import('../trace/reader.js');
  const records = await readTraces(file, {
    onWarning: (message) => process.stderr.write(`assay: warning: ${message}\n`),
  });
  // Records carry the schemas they advertised; a --tool-specs file overrides them by name.
  const recorded = records.flatMap((r) =>
    Array.isArray(r['tool_specs']) ? (r['tool_specs'] as ToolSpec[]) : [],
  );
  const { rows, counts } = exportRecords(records, {
    format,
    only,
    groups,
    toolSpecs: [...recorded, ...toolSpecs],
  });
  const text = rows.map((row) => `${JSON.stringify(row)}\n`).join('');
  const out = typeof raw['out'] === 'string' ? raw['out'] : undefined;
  if (out === undefined) {
    process.stdout.write(text);
  } else {
    const temporary = `${out}.${process.pid}.tmp`;
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, out);
  }
  process.stderr.write(`${summary(counts, out)}\n`);
  if (groups === 'with-variance' && counts.selected === 0 && counts.filtered > 0) {
    process.stderr.write(
      'assay: warning: --groups with-variance kept nothing: in every group (task, arm, run) all samples got the same reward. Sample more than once per task with a temperature above 0 (see sampling.temperature in the traces)\n',
    );
  }
  return 0;
}

/** `exported 6 of 10 records to out.jsonl (skipped 3 without a reward: 2 infra errors, 1 unscored; 1 filtered)`. */
function summary(counts: ExportCounts, out: string | undefined): string {
  const skipped: string[] = [];
  const noReward = counts.infra_errors + counts.unscored;
  if (noReward > 0) {
    skipped.push(
      `skipped ${noReward} without a reward: ${counts.infra_errors} infra error${counts.infra_errors === 1 ? '' : 's'}, ${counts.unscored} unscored`,
    );
  }
  if (counts.no_completion > 0) skipped.push(`${counts.no_completion} without a model turn`);
  if (counts.filtered > 0) skipped.push(`${counts.filtered} filtered by --only/--groups`);
  if (counts.folded > 0) skipped.push(`${counts.folded} folded into their group's prompt row`);
  if (counts.unwritable > 0) {
    skipped.push(
      `${counts.unwritable} without usable token ids (record with --record-tokens; see "tokens" in docs/exports.md)`,
    );
  }
  const where = out === undefined ? '' : ` to ${out}`;
  const tail = skipped.length === 0 ? '' : ` (${skipped.join('; ')})`;
  const rows = counts.selected - counts.folded - counts.unwritable;
  return `exported ${rows} of ${counts.records} records${where}${tail}`;
}

function choice<T extends string>(flag: string, value: unknown, allowed: readonly T[]): T {
  const text = String(value);
  if (!(allowed as readonly string[]).includes(text)) {
    throw new UsageError('USAGE', `${flag}: must be one of ${allowed.join(', ')} (got "${text}")`);
  }
  return text as T;
}

/** Reads `[{name, description, parameters}]` or OpenAI tools (`[{type: "function", function}]`). */
async function readToolSpecs(path: string): Promise<ToolSpec[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError('FILE_NOT_FOUND', `--tool-specs: cannot read ${path}`, { cause: error });
  }
  const parsed = safeJsonParse(text);
  if (!parsed.ok || !Array.isArray(parsed.value)) {
    throw new UsageError(
      'INPUT_INVALID',
      `--tool-specs: ${path} is not a JSON list of tool schemas`,
    );
  }
  return parsed.value.map((entry, i) => {
    const spec =
      isPlainObject(entry) && isPlainObject(entry['function']) ? entry['function'] : entry;
    if (!isPlainObject(spec) || typeof spec['name'] !== 'string') {
      throw new UsageError('INPUT_INVALID', `--tool-specs: ${path}: entry ${i} has no "name"`);
    }
    return {
      name: spec['name'],
      description: typeof spec['description'] === 'string' ? spec['description'] : '',
      parameters: isPlainObject(spec['parameters'])
        ? spec['parameters']
        : { type: 'object', properties: {} },
    };
  });
}
