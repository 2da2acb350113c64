import type { ArmResults } from '../stats/results.js';
import { decimal, duration, percent, percentInterval } from './format.js';

/** Column heads of the accuracy table, after the arm's name. */
export const SCORE_HEADERS = [
  'accuracy',
  '95% CI (Wilson)',
  'scored / n',
  'infra errors',
  'raw accuracy',
  'pass@k',
  'maj@k',
] as const;

/** Column heads of the tool-use, tokens and latency table, after the arm's name. */
export const USAGE_HEADERS = [
  'tool calls / sample',
  'tool errors',
  'denied calls',
  'unrequested calls',
  'tokens in / out (mean)',
  'latency mean / p50 / p95',
] as const;

/** How one output format writes emphasis, escapes text and separates the k values in a cell. */
export interface CellStyle {
  strong(text: string): string;
  escape(text: string): string;
  lineBreak: string;
}

/** One arm's accuracy cells, in the order of SCORE_HEADERS. */
export function scoreCells(arm: ArmResults, style: CellStyle): string[] {
  return [
    style.strong(percent(arm.accuracy)),
    percentInterval(arm.accuracy_ci95),
    `${arm.scored} / ${arm.n}`,
    String(arm.infra_errors),
    percent(arm.raw_accuracy),
    atK('pass', arm.pass_at_k, style),
    atK('maj', arm.maj_at_k, style),
  ];
}

/** One arm's usage cells, in the order of USAGE_HEADERS. */
export function usageCells(arm: ArmResults): string[] {
  return [
    decimal(arm.tool_calls_mean),
    percent(arm.tool_error_rate),
    percent(arm.denial_rate),
    String(arm.unrequested_calls),
    `${decimal(arm.tokens.prompt_mean, 0)} / ${decimal(arm.tokens.completion_mean, 0)}`,
    `${duration(arm.latency_ms.mean)} / ${duration(arm.latency_ms.p50)} / ${duration(arm.latency_ms.p95)}`,
  ];
}

function atK(kind: string, values: Record<string, number>, style: CellStyle): string {
  const ks = Object.keys(values).sort((a, b) => Number(a) - Number(b));
  if (ks.length === 0) return '–';
  return ks.map((k) => `${kind}@${style.escape(k)} ${percent(values[k])}`).join(style.lineBreak);
}
