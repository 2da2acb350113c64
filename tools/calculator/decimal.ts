/**
 * Decimal text for an exact fraction: every digit when the expansion ends within a bound,
 * otherwise rounded half-up to a number of significant digits. Plain notation for magnitudes
 * from 1e-7 to 1e21, scientific notation outside, like JavaScript's own numbers.
 */

/** Significant digits shown for a value that has no short exact decimal form. */
export const SIGNIFICANT_DIGITS = 20;
/** Significant digits a terminating decimal may have and still be shown in full. */
const MAX_EXACT_DIGITS = 60;

export function fractionToDecimal(numerator: bigint, denominator: bigint): string {
  const negative = numerator < 0n !== denominator < 0n && numerator !== 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  if (n === 0n) return '0';
  const exact = terminatingDigits(n, d);
  const digits = exact !== null && exact <= MAX_EXACT_DIGITS ? exact : SIGNIFICANT_DIGITS;
  const { mantissa, exponent } = roundToSignificant(n, d, digits);
  return (negative ? '-' : '') + placePoint(mantissa, exponent);
}

/** The significant digits of n/d when its decimal expansion ends, or null when it repeats. */
function terminatingDigits(n: bigint, d: bigint): number | null {
  let rest = d / gcd(n, d);
  let twos = 0;
  let fives = 0;
  while (rest % 2n === 0n) {
    rest /= 2n;
    twos++;
  }
  while (rest % 5n === 0n) {
    rest /= 5n;
    fives++;
  }
  if (rest !== 1n) return null;
  const scaled = (n * 10n ** BigInt(Math.max(twos, fives))) / d;
  return scaled.toString().replace(/0+$/, '').length || 1;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/**
 * n/d as mantissa × 10^(exponent - digits + 1): the mantissa has exactly `digits` digits and
 * `exponent` is the power of ten of the leading one.
 */
function roundToSignificant(
  n: bigint,
  d: bigint,
  digits: number,
): { mantissa: string; exponent: number } {
  let exponent = n.toString().length - d.toString().length;
  if (compareScaled(n, d, exponent) < 0) exponent--;
  const shift = digits - 1 - exponent;
  const num = shift >= 0 ? n * 10n ** BigInt(shift) : n;
  const den = shift >= 0 ? d : d * 10n ** BigInt(-shift);
  let q = num / den;
  if ((num % den) * 2n >= den) q += 1n;
  let mantissa = q.toString();
  if (mantissa.length > digits) {
    mantissa = mantissa.slice(0, digits);
    exponent++;
  }
  return { mantissa, exponent };
}

/** The sign of n/d - 10^exponent. */
function compareScaled(n: bigint, d: bigint, exponent: number): number {
  const left = exponent >= 0 ? n : n * 10n ** BigInt(-exponent);
  const right = exponent >= 0 ? d * 10n ** BigInt(exponent) : d;
  return left === right ? 0 : left < right ? -1 : 1;
}

/** Writes digits with the decimal point placed for the exponent of the first digit. */
export function placePoint(mantissa: string, exponent: number): string {
  const digits = mantissa.replace(/0+$/, '') || '0';
  if (exponent >= 21 || exponent < -7) {
    const rest = digits.slice(1);
    return `${digits[0]}${rest ? `.${rest}` : ''}e${exponent >= 0 ? '+' : ''}${exponent}`;
  }
  if (exponent < 0) return `0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = exponent + 1;
  if (digits.length <= whole) return digits + '0'.repeat(whole - digits.length);
  return `${digits.slice(0, whole)}.${digits.slice(whole)}`;
}
