/**
 * The figures a benchmark reports, in a form `bench/run-all.ts` can put in one table. Each
 * bench still prints its own lines for people; `reportFigures` adds the machine-readable copy:
 * one JSON object a line, appended to the file named by ASSAY_BENCH_FIGURES when it is set.
 */
import { appendFileSync } from 'node:fs';

/** A limit on a figure: on its value, or on its ratio to the baseline. */
export interface Target {
  on: 'value' | 'ratio';
  op: '<=' | '>=';
  limit: number;
}

export interface Figure {
  /** What was measured, e.g. "assay --help, median wall". */
  name: string;
  value: number;
  unit: string;
  /** The same quantity for the bench's baseline, measured in the same process and unit. */
  baseline?: number;
  /** What the baseline is, e.g. "node -e 0". */
  baselineName?: string;
  target?: Target;
}

export interface FigureLine extends Figure {
  bench: string;
}

/** The environment variable naming the file that collects figures. */
export const FIGURES_ENV = 'ASSAY_BENCH_FIGURES';

/** Records the figures of one bench run (a no-op unless ASSAY_BENCH_FIGURES names a file). */
export function reportFigures(bench: string, figures: readonly Figure[]): void {
  const file = process.env[FIGURES_ENV];
  if (!file) return;
  const lines = figures.map((figure) => `${JSON.stringify({ bench, ...figure })}\n`);
  appendFileSync(file, lines.join(''));
}

/** value / baseline, or undefined without a usable baseline. */
export function ratioOf(figure: Figure): number | undefined {
  if (figure.baseline === undefined || figure.baseline === 0) return undefined;
  return figure.value / figure.baseline;
}

/** Whether the figure meets its target; undefined when it has none (or no ratio to judge). */
export function targetMet(figure: Figure): boolean | undefined {
  const { target } = figure;
  if (target === undefined) return undefined;
  const measured = target.on === 'value' ? figure.value : ratioOf(figure);
  if (measured === undefined) return undefined;
  return target.op === '<=' ? measured <= target.limit : measured >= target.limit;
}

/** "≤ 150 ms" or "≤ 1.15×": the target as the table shows it. */
export function describeTarget(figure: Figure): string {
  const { target } = figure;
  if (target === undefined) return '—';
  const op = target.op === '<=' ? '≤' : '≥';
  return target.on === 'ratio'
    ? `${op} ${target.limit}×`
    : `${op} ${formatNumber(target.limit)} ${figure.unit}`;
}

/** Three significant digits at most, thousands grouped: 0.123, 4.17, 1,234. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', {
    minimumFractionDigits: 0,
    maximumFractionDigits: digits,
  });
}
