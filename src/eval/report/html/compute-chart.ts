import type { ArmResults } from '../../stats/results.js';
import { percent } from '../format.js';
import { escapeHtml as esc } from './escape.js';
import { section } from './layout.js';

const WIDTH = 760;
const HEIGHT = 320;
const LEFT = 56;
const RIGHT = 24;
const TOP = 16;
const BOTTOM = 44;
/** Arms whose mean tokens per task are within this factor count as compared at equal compute. */
export const EQUAL_COMPUTE_FACTOR = 1.25;

interface Point {
  arm: string;
  tokens: number;
  accuracy: number;
  ci: readonly [number, number] | null;
  calls: number | null;
  /** The arm's position in `--arms`: its color in every chart. */
  color: number;
  /** `vote` arms: the vote at k = 1, 2, 4, … K from the same samples. */
  curve: readonly { k: number; accuracy: number; tokens_per_task_mean: number }[];
}

/** The arms that have both an accuracy and a mean token count per task. */
export function computePoints(
  arms: readonly string[],
  results: Record<string, ArmResults>,
): Point[] {
  const points: Point[] = [];
  for (const arm of arms) {
    const r = results[arm];
    const tokens = r?.compute?.tokens_per_task_mean ?? null;
    if (!r || r.accuracy === null || tokens === null || tokens <= 0) continue;
    points.push({
      arm,
      tokens,
      accuracy: r.accuracy,
      ci: r.accuracy_ci95,
      calls: r.compute?.model_calls_per_task_mean ?? null,
      color: arms.indexOf(arm) % 6,
      curve: (r.vote_curve ?? []).filter((c) => c.tokens_per_task_mean > 0),
    });
  }
  return points;
}

/**
 * Pairs of arms whose mean tokens per task are within {@link EQUAL_COMPUTE_FACTOR} of each
 * other: only those differences say something about strategies at equal compute.
 */
export function equalComputePairs(points: readonly Point[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const a = points[i]!;
      const b = points[j]!;
      const ratio = Math.max(a.tokens, b.tokens) / Math.min(a.tokens, b.tokens);
      if (ratio <= EQUAL_COMPUTE_FACTOR) pairs.push([a.arm, b.arm]);
    }
  }
  return pairs;
}

/**
 * Accuracy against mean total tokens per task (log x-axis), one point per arm with its 95%
 * interval, `vote` arms also as a dashed curve at k = 1, 2, 4, … K, and a line naming the arms compared at roughly equal compute. Empty when no arm
 * has compute figures (results.json written before strategies).
 */
export function computeSection(
  arms: readonly string[],
  results: Record<string, ArmResults>,
): string {
  const points = computePoints(arms, results);
  if (points.length === 0) return '';
  const spends = points.flatMap((p) => [p.tokens, ...p.curve.map((c) => c.tokens_per_task_mean)]);
  const lo = Math.log10(Math.min(...spends));
  const hi = Math.log10(Math.max(...spends));
  // At least one decade wide, so a single arm or arms close together still get an axis.
  const x0 = Math.floor(lo);
  const x1 = Math.max(Math.ceil(hi), x0 + 1);
  const plotW = WIDTH - LEFT - RIGHT;
  const plotH = HEIGHT - TOP - BOTTOM;
  const x = (tokens: number) => LEFT + ((Math.log10(tokens) - x0) / (x1 - x0)) * plotW;
  const y = (accuracy: number) => TOP + (1 - accuracy) * plotH;
  const parts: string[] = [];
  for (let d = x0; d <= x1; d++) {
    const px = x(10 ** d).toFixed(1);
    parts.push(
      `<line x1="${px}" y1="${TOP}" x2="${px}" y2="${TOP + plotH}" class="grid"/>`,
      `<text x="${px}" y="${HEIGHT - BOTTOM + 16}" text-anchor="middle" class="tick">${(10 ** d).toLocaleString('en-US')}</text>`,
    );
  }
  for (const a of [0, 0.25, 0.5, 0.75, 1]) {
    const py = y(a).toFixed(1);
    parts.push(
      `<line x1="${LEFT}" y1="${py}" x2="${LEFT + plotW}" y2="${py}" class="grid"/>`,
      `<text x="${LEFT - 6}" y="${py}" text-anchor="end" dominant-baseline="middle" class="tick">${a * 100}%</text>`,
    );
  }
  parts.push(
    `<text x="${LEFT + plotW / 2}" y="${HEIGHT - 6}" text-anchor="middle">mean total tokens per task (log scale)</text>`,
  );
  for (const p of points) {
    if (p.curve.length > 1) {
      const path = p.curve
        .map((c) => `${x(c.tokens_per_task_mean).toFixed(1)},${y(c.accuracy).toFixed(1)}`)
        .join(' ');
      const ks = p.curve.map((c) => `k=${c.k}: ${percent(c.accuracy)}`).join(', ');
      parts.push(
        `<g class="vote-curve"><title>${esc(`${p.arm} voting over its first k samples: ${ks}`)}</title><polyline points="${path}" fill="none" stroke="var(--arm-${p.color})" stroke-width="1.5" stroke-dasharray="4 3"/></g>`,
      );
    }
    const px = x(p.tokens).toFixed(1);
    const title = `${p.arm}: ${percent(p.accuracy)} at ${Math.round(p.tokens)} tokens${p.calls === null ? '' : ` and ${p.calls.toFixed(1)} model calls`} per task`;
    const whisker = p.ci
      ? `<line x1="${px}" y1="${y(p.ci[0]).toFixed(1)}" x2="${px}" y2="${y(p.ci[1]).toFixed(1)}" class="whisker"/>`
      : '';
    parts.push(
      `<g><title>${esc(title)}</title>${whisker}<circle cx="${px}" cy="${y(p.accuracy).toFixed(1)}" r="5" class="arm-${p.color}"/><text x="${(x(p.tokens) + 8).toFixed(1)}" y="${(y(p.accuracy) - 8).toFixed(1)}">${esc(p.arm)}</text></g>`,
    );
  }
  const svg = `<svg id="chart-compute" class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Accuracy against mean tokens per task"><title>Accuracy against mean total tokens per task</title>${parts.join('')}</svg>`;
  const pairs = equalComputePairs(points);
  const line =
    pairs.length === 0
      ? `<p>No two arms spent roughly equal compute (mean tokens per task within ×${EQUAL_COMPUTE_FACTOR}): their differences mix strategy and spend.</p>`
      : `<p>Compared at roughly equal compute (mean tokens per task within ×${EQUAL_COMPUTE_FACTOR}): ${pairs.map(([a, b]) => `<code>${esc(a)}</code> and <code>${esc(b)}</code>`).join('; ')}.</p>`;
  return section('compute', 'Accuracy against compute', [svg, line]);
}
