import type { ArmResults } from '../../stats/results.js';
import { percent, percentInterval, points, pointsInterval } from '../format.js';
import type { ArmPair } from '../report-data.js';
import { escapeHtml as esc, shorten } from './escape.js';

/** Width of every chart's coordinate system; the SVG scales to its container. */
const WIDTH = 760;
const LABEL_RIGHT = 170;
const AXIS_HEIGHT = 28;

interface Bar {
  label: string;
  arm: number;
  value: number | null;
  ci: readonly [number, number] | null;
  title: string;
}

/** Accuracy per arm: a bar per arm from 0 to the accuracy, whiskers over the 95% interval. */
export function accuracyChart(
  arms: readonly string[],
  results: Record<string, ArmResults>,
): string {
  const bars = arms.map((name, i) => armBar(name, i, results[name], name));
  return percentBars(
    'chart-accuracy',
    'Accuracy per arm',
    'Accuracy over scored samples in each arm, with the Wilson 95% interval as whiskers.',
    bars.map((bar) => ({ heading: null, bars: [bar] })),
  );
}

/** Per-tag accuracy: one group per tag, one bar per arm, same scale and colors as above. */
export function tagChart(
  arms: readonly string[],
  byTag: Record<string, { arms: Record<string, ArmResults> }>,
): string {
  const groups = Object.entries(byTag).map(([tag, group]) => ({
    heading: tag,
    bars: arms.map((name, i) => armBar(name, i, group.arms[name], `${tag}: ${name}`)),
  }));
  return percentBars(
    'chart-tags',
    'Accuracy per tag',
    'Accuracy per tag and arm, with Wilson 95% intervals as whiskers.',
    groups,
    arms,
  );
}

function armBar(name: string, index: number, arm: ArmResults | undefined, what: string): Bar {
  const value = arm?.accuracy ?? null;
  const ci = arm?.accuracy_ci95 ?? null;
  const scored = arm === undefined ? '' : ` (${arm.scored} scored)`;
  return {
    label: name,
    arm: index,
    value,
    ci,
    title: `${what}: ${percent(value)} ${percentInterval(ci)}${scored}`,
  };
}

function percentBars(
  id: string,
  title: string,
  description: string,
  groups: readonly { heading: string | null; bars: readonly Bar[] }[],
  legend: readonly string[] = [],
): string {
  const grouped = groups.some((g) => g.heading !== null);
  const barHeight = grouped ? 14 : 22;
  const rowHeight = grouped ? 20 : 38;
  const plotLeft = LABEL_RIGHT + 10;
  const plotRight = WIDTH - 110;
  const x = (v: number) => plotLeft + (plotRight - plotLeft) * Math.min(1, Math.max(0, v));
  const top = legend.length > 0 ? 30 : 8;
  const parts: string[] = [];
  let y = top;
  for (const group of groups) {
    if (group.heading !== null) {
      parts.push(
        `<text class="group-label" x="${LABEL_RIGHT}" y="${y + 14}" text-anchor="end"><title>${esc(group.heading)}</title>${esc(shorten(group.heading, 20))}</text>`,
      );
    }
    for (const bar of group.bars) {
      const mid = y + rowHeight / 2;
      const label = group.heading === null ? shorten(bar.label, 20) : '';
      parts.push(`<g><title>${esc(bar.title)}</title>`);
      if (label !== '') {
        parts.push(
          `<text class="label" x="${LABEL_RIGHT}" y="${mid + 5}" text-anchor="end">${esc(label)}</text>`,
        );
      }
      if (bar.value !== null) {
        const w = Math.max(1, x(bar.value) - plotLeft);
        parts.push(
          `<rect class="bar arm-${bar.arm % 6}" x="${plotLeft}" y="${mid - barHeight / 2}" width="${f(w)}" height="${barHeight}" rx="2"/>`,
        );
      }
      if (bar.ci !== null) parts.push(whisker(x(bar.ci[0]), x(bar.ci[1]), mid, barHeight / 2 + 3));
      parts.push(
        `<text class="value" x="${plotRight + 12}" y="${mid + 5}">${esc(bar.value === null ? 'no data' : percent(bar.value))}</text></g>`,
      );
      y += rowHeight;
    }
    if (grouped) y += 10;
  }
  const plotBottom = y;
  const grid: string[] = [];
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    grid.push(
      `<line class="grid" x1="${f(x(tick))}" x2="${f(x(tick))}" y1="${top - 4}" y2="${plotBottom}"/>`,
      `<text class="tick" x="${f(x(tick))}" y="${plotBottom + 18}" text-anchor="middle">${tick * 100}%</text>`,
    );
  }
  const legendItems = legend.map(
    (name, i) =>
      `<g transform="translate(${plotLeft + i * 150},6)"><rect class="bar arm-${i % 6}" width="12" height="12" rx="2"/><text class="tick" x="18" y="11">${esc(shorten(name, 18))}</text></g>`,
  );
  return svg(id, title, description, plotBottom + AXIS_HEIGHT, [...grid, ...legendItems, ...parts]);
}

/** Paired differences in points, each with its bootstrap interval, against a zero line. */
export function differenceChart(pairs: readonly ArmPair[]): string {
  const extremes = pairs.flatMap((p) => [p.paired.diff ?? 0, ...(p.paired.diff_ci95 ?? [])]);
  const span = niceSpan(Math.max(0.05, ...extremes.map(Math.abs)));
  const plotLeft = LABEL_RIGHT + 10;
  const plotRight = WIDTH - 230;
  const x = (v: number) => plotLeft + ((plotRight - plotLeft) * (v + span)) / (2 * span);
  const rowHeight = 40;
  const top = 8;
  const parts: string[] = [];
  let y = top;
  for (const { first, second, paired } of pairs) {
    const mid = y + rowHeight / 2;
    const label = `${first} − ${second}`;
    const text =
      paired.diff === null
        ? 'no paired tasks'
        : `${points(paired.diff)} pts ${pointsInterval(paired.diff_ci95)}`;
    const title = `${label}: ${text}, ${paired.n_pairs} paired tasks`;
    parts.push(`<g><title>${esc(title)}</title>`);
    parts.push(
      `<text class="label" x="${LABEL_RIGHT}" y="${mid + 5}" text-anchor="end">${esc(shorten(label, 22))}</text>`,
    );
    if (paired.diff_ci95 !== null) {
      parts.push(whisker(x(paired.diff_ci95[0]), x(paired.diff_ci95[1]), mid, 8, 'diff-ci'));
    }
    if (paired.diff !== null) {
      const sign = paired.diff > 0 ? 'positive' : paired.diff < 0 ? 'negative' : 'zero';
      parts.push(
        `<circle class="diff-point ${sign}" cx="${f(x(paired.diff))}" cy="${mid}" r="6"/>`,
      );
    }
    parts.push(`<text class="value" x="${plotRight + 14}" y="${mid + 5}">${esc(text)}</text></g>`);
    y += rowHeight;
  }
  const grid: string[] = [];
  for (const tick of [-span, -span / 2, 0, span / 2, span]) {
    const cls = tick === 0 ? 'zero' : 'grid';
    grid.push(
      `<line class="${cls}" x1="${f(x(tick))}" x2="${f(x(tick))}" y1="${top - 4}" y2="${y}"/>`,
      `<text class="tick" x="${f(x(tick))}" y="${y + 18}" text-anchor="middle">${points(tick, 0)}</text>`,
    );
  }
  grid.push(
    `<text class="tick" x="${f(x(0))}" y="${y + 36}" text-anchor="middle">percentage points (first arm − second)</text>`,
  );
  return svg(
    'chart-difference',
    'Paired difference in accuracy',
    'Per-task accuracy of the first arm minus the second, in percentage points, with the paired bootstrap 95% interval. Right of the zero line, the first arm did better.',
    y + AXIS_HEIGHT + 18,
    [...grid, ...parts],
  );
}

function whisker(x1: number, x2: number, y: number, half: number, cls = 'whisker'): string {
  return (
    `<path class="${cls}" d="M${f(x1)} ${y}H${f(x2)}M${f(x1)} ${f(y - half / 2)}V${f(y + half / 2)}` +
    `M${f(x2)} ${f(y - half / 2)}V${f(y + half / 2)}"/>`
  );
}

/** The smallest of a few round spans (in proportion units) that holds `value`. */
function niceSpan(value: number): number {
  for (const span of [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1]) if (value <= span) return span;
  return 1;
}

function svg(
  id: string,
  title: string,
  description: string,
  height: number,
  body: readonly string[],
): string {
  return (
    `<svg class="chart" viewBox="0 0 ${WIDTH} ${f(height)}" role="img" aria-labelledby="${id}-t ${id}-d">` +
    `<title id="${id}-t">${esc(title)}</title><desc id="${id}-d">${esc(description)}</desc>` +
    `${body.join('')}</svg>`
  );
}

/** Coordinates to two decimals keep the markup small. */
function f(value: number): string {
  return Number(value.toFixed(2)).toString();
}
