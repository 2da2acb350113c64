import { basename } from 'node:path';
import type { RunManifest } from '../run/manifest.js';
import type { EvalResults } from '../stats/results.js';
import {
  decimal,
  pairLabel,
  percent,
  percentInterval,
  points,
  pointsInterval,
  pValue,
  verdict,
} from './format.js';

/**
 * The one-screen plain-text summary printed after a run: accuracy per arm with its interval,
 * the paired differences with McNemar's p, and a warning when infra errors were left out.
 */
export function renderSummary(results: EvalResults, manifest: RunManifest): string {
  const arms = manifest.arms.map((a) => a.name).filter((name) => Object.hasOwn(results.arms, name));
  for (const name of Object.keys(results.arms)) if (!arms.includes(name)) arms.push(name);
  const samples = manifest.samples === 1 ? '1 sample' : `${manifest.samples} samples`;
  const lines = [
    `model ${manifest.model.name} · suite ${basename(manifest.suite.path)} (${manifest.suite.tasks} tasks) · ${samples} per task · run ${manifest.run_id}`,
    '',
  ];
  const width = Math.max(3, ...arms.map((a) => a.length));
  const rows = [['arm', 'accuracy', '95% CI', 'scored', 'infra errors', 'tool calls']];
  for (const name of arms) {
    const arm = results.arms[name]!;
    rows.push([
      name,
      percent(arm.accuracy),
      percentInterval(arm.accuracy_ci95),
      `${arm.scored}/${arm.n}`,
      String(arm.infra_errors),
      decimal(arm.tool_calls_mean),
    ]);
  }
  lines.push(...table(rows, width));
  const pairs = Object.entries(results.paired);
  if (pairs.length > 0) lines.push('');
  for (const [key, paired] of pairs) {
    const diff = paired.diff === null ? '–' : `${points(paired.diff)} pts`;
    const discordant = paired.discordant.length;
    lines.push(
      `${pairLabel(key)}: ${diff} ${pointsInterval(paired.diff_ci95)}, McNemar p = ${pValue(paired.mcnemar.p_value)} (${verdict(paired.mcnemar.p_value, paired.n_pairs, discordant)}); ${discordant} of ${paired.n_pairs} paired tasks differ`,
    );
  }
  const infra = arms.filter((name) => results.arms[name]!.infra_errors > 0);
  if (infra.length > 0) {
    const total = infra.reduce((sum, name) => sum + results.arms[name]!.infra_errors, 0);
    const each = infra.map((name) => `${name} ${results.arms[name]!.infra_errors}`).join(', ');
    lines.push(
      '',
      `warning: ${total} sample${total === 1 ? '' : 's'} ended in infrastructure errors (${each}); they are excluded from accuracy, not counted as wrong`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Left-aligned first column, the rest right-aligned, two spaces apart. */
function table(rows: readonly string[][], firstWidth: number): string[] {
  const widths = rows[0]!.map((_, col) =>
    Math.max(...rows.map((row) => row[col]!.length), col === 0 ? firstWidth : 0),
  );
  return rows.map((row) =>
    row
      .map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!)))
      .join('  ')
      .trimEnd(),
  );
}
