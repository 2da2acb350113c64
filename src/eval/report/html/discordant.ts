import { pairLabel } from '../format.js';
import { type ArmOfTask, type ReportModel, sampleVerdict } from '../report-data.js';
import { renderSample, verdictClass } from './conversation.js';
import { escapeHtml as esc } from './escape.js';
import { section } from './layout.js';

/**
 * Discordant tasks per comparison that get their conversations inlined; the rest are listed,
 * each arm linking to its samples in the sample browser. Inlined conversations are markup the
 * browser parses at open whether or not they are read: 200 tasks were 1.2 MB of a 2 MB
 * 10,000-sample report, and most of its main-thread time to the first frame (bench/report.ts).
 */
const MAX_DETAILED_TASKS = 20;

/** The tasks the arms disagree on, each opening onto every arm's conversations. */
export function discordantSection(model: ReportModel): string {
  if (model.pairs.length === 0) {
    return section('discordant', 'Tasks where the arms disagree', [
      '<p class="muted">Only one arm: nothing to compare.</p>',
    ]);
  }
  const parts: string[] = [
    '<p class="note">Open a task to read each arm’s conversation. Text from the model is shown as plain text.</p>',
  ];
  for (const { key, first, second } of model.pairs) {
    const tasks = model.discordant.get(key) ?? [];
    parts.push(
      `<h3>${esc(pairLabel(key, first, second))}: ${tasks.length} task${tasks.length === 1 ? '' : 's'}</h3>`,
    );
    if (tasks.length === 0) {
      parts.push('<p class="muted">None: both arms scored the same on every paired task.</p>');
      continue;
    }
    const rows = tasks.map((task, i) => {
      const cells = `<span class="task-id"><code>${esc(task.taskId)}</code></span>${task.arms.map(armCell).join('')}`;
      if (i >= MAX_DETAILED_TASKS) return `<div class="task-row">${cells}</div>`;
      const columns = task.arms.map(
        (arm) =>
          `<div class="arm-col"><h4>${esc(arm.arm)}</h4>${arm.samples.map((s) => renderSample(s, model.tracesFile)).join('') || '<p class="muted">no trace</p>'}</div>`,
      );
      return `<details><summary class="task-row">${cells}</summary><div class="conversations">${columns.join('')}</div></details>`;
    });
    parts.push(
      `<div class="tasks" role="table" aria-label="${esc(`Discordant tasks: ${pairLabel(key, first, second)}`)}" style="--cols: 2">`,
      `<div class="tasks-head" role="row"><span>task</span><span>${esc(first)}</span><span>${esc(second)}</span></div>`,
      ...rows,
      '</div>',
    );
    if (tasks.length > MAX_DETAILED_TASKS) {
      parts.push(
        `<p class="note">Conversations are shown for the first ${MAX_DETAILED_TASKS} tasks; for the rest, a verdict opens its sample in the sample browser below, and all are in <a href="${esc(model.tracesFile)}">${esc(model.tracesFile)}</a>.</p>`,
      );
    }
  }
  return section('discordant', 'Tasks where the arms disagree', parts);
}

function armCell(arm: ArmOfTask): string {
  const first = arm.samples[0]?.record.trace_id;
  // The sample browser's script opens `data-sample` links in place.
  const link = (badge: string) =>
    first === undefined
      ? badge
      : `<a href="#sample=${esc(encodeURIComponent(first))}" data-sample="${esc(first)}">${badge}</a>`;
  if (arm.samples.length === 1) {
    const v = sampleVerdict(arm.samples[0]!.record);
    return `<span>${link(`<span class="badge ${verdictClass(v)}">${esc(v)}</span>`)}</span>`;
  }
  const correct = arm.samples.filter((s) => sampleVerdict(s.record) === 'correct').length;
  const cls = arm.accuracy === 1 ? 'ok' : arm.accuracy === 0 ? 'bad' : 'warn';
  return `<span>${link(`<span class="badge ${cls}">${correct}/${arm.samples.length} correct</span>`)}</span>`;
}
