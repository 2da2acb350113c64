import { describeTarget, type FigureLine, formatNumber, ratioOf, targetMet } from './figures.js';

/** A bench that produced no figures, and why (no Docker engine, a crash, a timeout). */
export interface NotRun {
  bench: string;
  reason: string;
}

const HEADERS = ['bench', 'figure', 'value', 'baseline', 'ratio', 'target', 'met'] as const;

/**
 * The one table `npm run bench` ends with: a row per figure, then a row per bench that did not
 * report, so that a missing figure is never mistaken for a met one.
 */
export function renderFigureTable(
  figures: readonly FigureLine[],
  notRun: readonly NotRun[] = [],
): string {
  const rows: string[][] = figures.map((figure) => {
    const ratio = ratioOf(figure);
    const met = targetMet(figure);
    const baseline =
      figure.baseline === undefined
        ? '—'
        : `${formatNumber(figure.baseline)} ${figure.unit}${figure.baselineName ? ` (${figure.baselineName})` : ''}`;
    return [
      figure.bench,
      figure.name,
      `${formatNumber(figure.value)} ${figure.unit}`,
      baseline,
      ratio === undefined ? '—' : `${ratio.toFixed(2)}×`,
      describeTarget(figure),
      met === undefined ? '—' : met ? 'yes' : 'NO',
    ];
  });
  for (const { bench, reason } of notRun)
    rows.push([bench, `not run: ${reason}`, '', '', '', '', '']);
  const widths = HEADERS.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => row[i]!.length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i >= 2 && i <= 4 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(HEADERS), rule, ...rows.map(line)].join('\n');
}

/** How many figures have a target, and how many of those met it. */
export function tally(figures: readonly FigureLine[]): { targets: number; met: number } {
  let targets = 0;
  let met = 0;
  for (const figure of figures) {
    const result = targetMet(figure);
    if (result === undefined) continue;
    targets++;
    if (result) met++;
  }
  return { targets, met };
}
