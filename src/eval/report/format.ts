/** Significance level the reports use to call a paired difference significant. */
export const ALPHA = 0.05;

const DASH = '–';

/** `0.734` → `73.4%`; null → `–`. */
export function percent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return `${(value * 100).toFixed(digits)}%`;
}

/** A difference of proportions in percentage points, always signed: `+23.0`, `−4.5`, `0.0`. */
export function points(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  const text = (Math.abs(value) * 100).toFixed(digits);
  if (Number(text) === 0) return (0).toFixed(digits);
  return `${value < 0 ? '−' : '+'}${text}`;
}

/** `[61.2%, 82.0%]`, or `–` when there is no interval. */
export function percentInterval(ci: readonly [number, number] | null | undefined): string {
  return ci ? `[${percent(ci[0])}, ${percent(ci[1])}]` : DASH;
}

/** `[+12.1, +33.9]`, or `–` when there is no interval. */
export function pointsInterval(ci: readonly [number, number] | null | undefined): string {
  return ci ? `[${points(ci[0])}, ${points(ci[1])}]` : DASH;
}

/** p-values to two significant digits, tiny ones in exponent form: `0.0021`, `3.1e-7`. */
export function pValue(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return DASH;
  if (p >= 1) return '1';
  if (p < 0.0001) return p.toExponential(1);
  return Number(p.toPrecision(2)).toString();
}

/** A plain number with at most `digits` decimals, or `–`. */
export function decimal(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return Number(value.toFixed(digits)).toString();
}

/** Milliseconds as `850 ms` or `12.3 s`. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return DASH;
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

/** `tools_vs_no-tools` → `tools − no-tools`. */
export function pairLabel(key: string, first?: string, second?: string): string {
  if (first !== undefined && second !== undefined) return `${first} − ${second}`;
  const at = key.indexOf('_vs_');
  return at < 0 ? key : `${key.slice(0, at)} − ${key.slice(at + 4)}`;
}

/**
 * One honest sentence about a paired comparison: the significance verdict from McNemar's
 * exact test, and whether the bootstrap interval excludes zero when the two disagree.
 */
export function verdict(p: number | null | undefined, nPairs: number, discordant: number): string {
  if (nPairs === 0) return 'no task was scored in both arms';
  if (discordant === 0) return 'no task differs between the arms';
  if (p === null || p === undefined) return 'no test';
  return p < ALPHA ? `significant at ${ALPHA}` : `not significant at ${ALPHA}`;
}

/** `temperature 0.7, top_p default, max_tokens 512`; runs from before assay recorded it say so. */
export function samplingText(
  sampling:
    | { temperature: number | null; top_p: number | null; max_tokens: number | null }
    | undefined,
): string {
  if (sampling === undefined) return 'not recorded (a run from an older assay)';
  const part = (name: string, value: number | null) =>
    `${name} ${value === null ? "the model's default" : String(value)}`;
  const greedy = sampling.temperature === 0 ? ' (greedy: samples of a task repeat)' : '';
  return `${[part('temperature', sampling.temperature), part('top_p', sampling.top_p), part('max_tokens', sampling.max_tokens)].join(', ')}${greedy}`;
}
