import type { BigNumber, Complex, Fraction, MathJsInstance, Unit } from 'mathjs';
import { fractionToDecimal, placePoint, SIGNIFICANT_DIGITS } from './decimal.js';

export interface FormatOptions {
  /** Show non-integer fractions as decimals: the expression itself was written in decimals. */
  preferDecimal: boolean;
}

/** Integers of the decimal pass with at most this many digits are shown in full. */
const FULL_INTEGER_DIGITS = 60;
/** Significant digits of floating-point values (complex numbers, `number()`). */
const FLOAT_DIGITS = 15;

/** Text for one result value, free of floating-point noise and exponent notation on integers. */
export function formatValue(math: MathJsInstance, value: unknown, options: FormatOptions): string {
  if (value === null) return 'null';
  if (value === undefined) return '';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatFloat(value);
  if (math.isFraction(value)) return formatFraction(value as Fraction, options.preferDecimal);
  if (math.isBigNumber(value)) return formatBigNumber(value as BigNumber);
  if (math.isComplex(value)) return formatComplex(value as Complex);
  if (math.isUnit(value)) return formatUnit(math, value as Unit);
  if (math.isMatrix(value)) return formatArray(math, value.toArray() as unknown[], options);
  if (Array.isArray(value)) return formatArray(math, value, options);
  if (typeof value === 'function') return 'a function (call it with arguments)';
  return math.format(value);
}

function formatArray(math: MathJsInstance, items: unknown[], options: FormatOptions): string {
  return `[${items.map((item) => formatValue(math, item, options)).join(', ')}]`;
}

function formatFraction(f: Fraction, preferDecimal: boolean): string {
  const sign = f.s < 0n && f.n !== 0n ? '-' : '';
  if (f.d === 1n) return `${sign}${f.n}`;
  if (preferDecimal) return fractionToDecimal(f.s * f.n, f.d);
  return `${sign}${f.n}/${f.d}`;
}

export function formatBigNumber(b: BigNumber): string {
  if (b.isNaN()) return 'NaN';
  if (!b.isFinite()) return b.isNegative() ? '-Infinity' : 'Infinity';
  if (b.isZero()) return '0';
  if (b.isInteger() && b.e < FULL_INTEGER_DIGITS) return b.toFixed(0);
  return fromExponential(b.toSignificantDigits(SIGNIFICANT_DIGITS).toExponential());
}

export function formatFloat(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  if (Number.isInteger(x) && Math.abs(x) < 1e21) return String(x);
  return fromExponential(x.toExponential(FLOAT_DIGITS - 1));
}

/** Rewrites "-1.2300e+5" in the notation `placePoint` chooses. */
function fromExponential(text: string): string {
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, lead, rest, exponent] = match;
  return (sign ?? '') + placePoint(`${lead}${rest ?? ''}`, Number(exponent));
}

function formatComplex(c: Complex): string {
  const scale = Math.max(Math.abs(c.re), Math.abs(c.im));
  // A part this much smaller than the other is rounding noise, as in e^(i*pi) = -1 + 1.2e-16i.
  const re = Math.abs(c.re) < scale * 1e-14 ? 0 : c.re;
  const im = Math.abs(c.im) < scale * 1e-14 ? 0 : c.im;
  if (im === 0) return formatFloat(re);
  const imText = `${Math.abs(im) === 1 ? '' : formatFloat(Math.abs(im))}i`;
  if (re === 0) return im < 0 ? `-${imText}` : imText;
  return `${formatFloat(re)} ${im < 0 ? '-' : '+'} ${imText}`;
}

function formatUnit(math: MathJsInstance, u: Unit): string {
  if (u.value === null || u.value === undefined) return u.formatUnits();
  const amount = u.toNumeric() as unknown;
  return `${formatValue(math, amount, { preferDecimal: true })} ${u.formatUnits()}`.trim();
}
