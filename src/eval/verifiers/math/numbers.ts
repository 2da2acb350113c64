/** A number written out literally: `42`, `-3.5`, `.5`, `1e-3`, `50%`. */
export interface NumberLiteral {
  /** Set when the literal is an integer, kept exact however many digits it has. */
  integer: bigint | null;
  value: number;
  percent: boolean;
}

const LITERAL = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?(%?)$/;

export function parseNumberLiteral(text: string): NumberLiteral | null {
  const match = LITERAL.exec(text);
  if (match === null) return null;
  const [, sign = '', digits = '', exponent, percent = ''] = match;
  const isInteger = exponent === undefined && /^\d+$/.test(digits);
  return {
    integer: isInteger ? BigInt(`${sign}${digits}`) : null,
    value: Number(`${sign}${digits}${exponent === undefined ? '' : `e${exponent}`}`),
    percent: percent === '%',
  };
}

/** Relative closeness; equal infinities count as close, NaN never does. */
export function close(a: number, b: number, tolerance: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  const diff = Math.abs(a - b);
  return diff <= tolerance * Math.max(Math.abs(a), Math.abs(b)) || diff <= 1e-12;
}

/**
 * The values a number can stand for: `50%` is read as 50 (the question asked for a percent)
 * and as 0.5 (the quantity); a number without `%` has only its own value.
 */
export function percentReadings(value: number, percent: boolean): number[] {
  return percent ? [value, value / 100] : [value];
}
