import type { TraceRecord } from '../../trace/schema.js';
import type { RunManifest } from '../run/manifest.js';
import type { ArmResults, EvalResults, GroupResults } from '../stats/results.js';
import {
  type CellStyle,
  SCORE_HEADERS,
  scoreCells,
  USAGE_HEADERS,
  usageCells,
} from './arm-table.js';
import {
  pairLabel,
  percent,
  percentInterval,
  points,
  pointsInterval,
  pValue,
  samplingText,
  verdict,
} from './format.js';
import {
  type ArmOfTask,
  buildReportModel,
  type ReportModel,
  type ReportOptions,
  type SampleRef,
  sampleVerdict,
} from './report-data.js';

/** `report.md`: the run, per-arm, paired and per-tag tables, the tasks the arms disagree on. */
export function renderMarkdown(
  results: EvalResults,
  manifest: RunManifest,
  records: readonly TraceRecord[],
  options: ReportOptions = {},
): string {
  const model = buildReportModel(results, manifest, records, options);
  const sections = [
    runSection(model),
    armSection(model),
    pairedSection(model),
    tagSection(model),
    discordantSection(model),
    samplesSection(model),
    infraSection(model),
  ];
  return `${sections.join('\n\n')}\n`;
}

function runSection({ manifest, results, endedAt, sampling }: ReportModel): string {
  const m = manifest.model;
  const arms = manifest.arms
    .map(
      (a) =>
        `${code(a.name)} (${a.tools.length === 0 ? 'no tools' : a.tools.map(code).join(', ')})`,
    )
    .join('; ');
  return [
    `# Eval report: ${cell(m.name)} on ${cell(manifest.suite.path)}`,
    '',
    `- Run: ${code(manifest.run_id)}, started ${cell(manifest.created_at)}, ended ${endedAt === null ? 'with no episode recorded' : `${cell(endedAt)} (last episode)`}`,
    `- Model: ${code(m.name)} (${cell(m.provider)}${m.base_url === null ? '' : `, ${cell(m.base_url)}`})`,
    `- Suite: ${code(manifest.suite.path)}, ${manifest.suite.tasks} tasks, sha256 \`${manifest.suite.sha256.slice(0, 12)}\``,
    `- Samples per task and arm: ${manifest.samples} (seed ${manifest.seed})`,
    `- Sampling: ${cell(manifest.sampling === undefined ? usedSampling(sampling) : samplingText(manifest.sampling))}`,
    `- Arms: ${arms}`,
    `- Results computed: ${cell(results.created_at)}`,
  ].join('\n');
}

function armSection(model: ReportModel): string {
  return ['## Accuracy per arm', '', ...armTable(model.arms, model.results)].join('\n');
}

const MD_CELLS: CellStyle = {
  strong: (text) => `**${text}**`,
  escape: (text) => text,
  lineBreak: ', ',
};

function armTable(arms: readonly string[], group: GroupResults): string[] {
  const present = arms.filter((name) => group.arms[name] !== undefined);
  const scores = present.map((name) =>
    row([code(name), ...scoreCells(group.arms[name]!, MD_CELLS)]),
  );
  const usage = present.map((name) => row([code(name), ...usageCells(group.arms[name]!)]));
  return [
    row(['arm', ...SCORE_HEADERS]),
    divider(SCORE_HEADERS.length + 1),
    ...scores,
    '',
    row(['arm', ...USAGE_HEADERS]),
    divider(USAGE_HEADERS.length + 1),
    ...usage,
  ];
}

function pairedSection({ pairs }: ReportModel): string {
  if (pairs.length === 0) return '## Paired differences\n\nOnly one arm: nothing to compare.';
  const lines = [
    '## Paired differences',
    '',
    'Per-task accuracy of the first arm minus the second, over tasks scored in both. The interval is a paired bootstrap over tasks; the p-value is McNemar’s exact test on tasks where the arms differ (b: first arm better, c: second better).',
    '',
    row(['comparison', 'paired tasks', 'difference', '95% CI', 'b / c', 'McNemar p', 'verdict']),
    divider(7),
  ];
  for (const { first, second, key, paired } of pairs) {
    lines.push(
      row([
        cell(pairLabel(key, first, second)),
        String(paired.n_pairs),
        `**${points(paired.diff)} pts**`,
        pointsInterval(paired.diff_ci95),
        `${paired.mcnemar.b} / ${paired.mcnemar.c}`,
        pValue(paired.mcnemar.p_value),
        verdict(paired.mcnemar.p_value, paired.n_pairs, paired.discordant.length),
      ]),
    );
  }
  return lines.join('\n');
}

function tagSection({ results, arms, pairs }: ReportModel): string {
  const tags = Object.keys(results.by_tag);
  if (tags.length === 0) return '## By tag\n\nThe suite has no tags.';
  const pair = pairs[0];
  const header = ['tag', ...arms.map((a) => `${code(a)}`)];
  if (pair) header.push(cell(pairLabel(pair.key, pair.first, pair.second)), 'McNemar p');
  const lines = ['## By tag', '', row(header), divider(header.length)];
  for (const tag of tags) {
    const group = results.by_tag[tag]!;
    const cells = [cell(tag), ...arms.map((a) => tagArmCell(group.arms[a]))];
    if (pair) {
      const paired = group.paired[pair.key];
      cells.push(
        paired ? `${points(paired.diff)} ${pointsInterval(paired.diff_ci95)}` : '–',
        paired ? pValue(paired.mcnemar.p_value) : '–',
      );
    }
    lines.push(row(cells));
  }
  return lines.join('\n');
}

function tagArmCell(arm: ArmResults | undefined): string {
  if (arm === undefined) return '–';
  return `${percent(arm.accuracy)} ${percentInterval(arm.accuracy_ci95)} (n ${arm.scored})`;
}

function discordantSection(model: ReportModel): string {
  const lines = ['## Tasks where the arms disagree'];
  if (model.pairs.length === 0) return `${lines[0]}\n\nOnly one arm: nothing to compare.`;
  for (const { key, first, second } of model.pairs) {
    const tasks = model.discordant.get(key) ?? [];
    lines.push('', `### ${cell(pairLabel(key, first, second))}: ${tasks.length} tasks`, '');
    if (tasks.length === 0) {
      lines.push('None: both arms scored the same on every paired task.');
      continue;
    }
    lines.push(row(['task', `${code(first)}`, `${code(second)}`, 'traces']), divider(4));
    for (const task of tasks) {
      const refs = task.arms.flatMap((a) => a.samples).map((s) => traceLink(s, model.tracesFile));
      lines.push(row([`${code(task.taskId)}`, ...task.arms.map(armOfTaskCell), refs.join(', ')]));
    }
  }
  return lines.join('\n');
}

/** Rows shown in `report.md`; `results.json` lists every sample. */
const MAX_SAMPLE_ROWS = 500;

function samplesSection({ results }: ReportModel): string {
  const lines = ['## Samples: what the verifier read and why'];
  const samples = results.samples;
  if (samples === undefined)
    return `${lines[0]}\n\nThis run's results predate per-sample rows: run \`assay eval rescore\` to add them.`;
  lines.push('', row(['task', 'arm#sample', 'verdict', 'extracted', 'explanation']), divider(5));
  for (const sample of samples.slice(0, MAX_SAMPLE_ROWS)) {
    lines.push(
      row([
        code(sample.task_id),
        cell(`${sample.arm}#${sample.sample_index}`),
        sample.verdict,
        sample.extracted === null ? '–' : code(clip(sample.extracted)),
        sample.explanation === null ? '–' : cell(clip(sample.explanation)),
      ]),
    );
  }
  if (samples.length > MAX_SAMPLE_ROWS)
    lines.push(
      '',
      `${samples.length - MAX_SAMPLE_ROWS} more samples are listed in \`results.json\`.`,
    );
  return lines.join('\n');
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

function armOfTaskCell(arm: ArmOfTask): string {
  if (arm.samples.length === 1) return sampleVerdict(arm.samples[0]!.record);
  const correct = arm.samples.filter((s) => sampleVerdict(s.record) === 'correct').length;
  const infra = arm.samples.filter((s) => sampleVerdict(s.record) === 'infra error').length;
  const extra = infra > 0 ? `, ${infra} infra` : '';
  return `${correct}/${arm.samples.length} correct${extra}`;
}

function traceLink(sample: SampleRef, file: string): string {
  const label = `${sample.record.arm ?? ''}#${sample.record.sample_index}`;
  if (sample.line === null) return `${cell(label)} ${code(sample.record.trace_id)}`;
  return `[${cell(label)}](${file}#L${sample.line} "line ${sample.line}")`;
}

function infraSection({ infra }: ReportModel): string {
  const lines = ['## Infrastructure errors', ''];
  const any = infra.some((a) => a.finalErrors > 0 || a.retried > 0);
  if (!any)
    return `${lines.join('\n')}None: every sample ran to an answer the verifier could judge or a model-side end.`;
  lines.push(
    'Samples whose last attempt ended in an infrastructure error (model server down, sandbox failure) are **excluded from accuracy**, not counted as wrong; `raw accuracy` above counts them as wrong, for contrast. Retried attempts were replaced by a later attempt.',
    '',
    row(['arm', 'excluded samples', 'retried attempts', 'error codes']),
    divider(4),
  );
  for (const arm of infra) {
    const codes = arm.codes.map(([c, n]) => `${code(c)} × ${n}`).join(', ') || '–';
    lines.push(row([`${code(arm.arm)}`, String(arm.finalErrors), String(arm.retried), codes]));
  }
  return lines.join('\n');
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function divider(columns: number): string {
  return row(Array.from({ length: columns }, () => '---'));
}

/**
 * Text from traces and suites made inert in a Markdown table: HTML metacharacters become
 * entities (many viewers render raw HTML), pipes and newlines cannot break the table.
 */
export function cell(text: string): string {
  return text
    .replace(/([\\`*_[\]])/g, '\\$1')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ');
}

/**
 * Names and ids as code spans when they hold nothing a code span would mangle; anything else
 * (backticks, pipes, markup, line breaks) goes out as escaped text instead, losing nothing.
 */
function code(text: string): string {
  return /^[^`|<>&\r\n\\]*$/.test(text) ? `\`${text}\`` : cell(text);
}

/** What the episodes used, for a run whose manifest does not record what was asked for. */
function usedSampling(sampling: ReportModel['sampling']): string {
  const text = sampling
    .map(
      (u) =>
        `temperature ${u.temperature ?? 'default'}, top_p ${u.top_p ?? 'default'}, max_tokens ${u.max_tokens ?? 'default'} (${u.samples} sample${u.samples === 1 ? '' : 's'})`,
    )
    .join('; ');
  return text || 'not recorded';
}
