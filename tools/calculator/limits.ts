import { AssayError } from '../../src/core/errors.js';

/** Bounds on what one calculator call may cost. */
export interface CalculatorLimits {
  /** Characters of the expression as the model sent it. */
  maxExpressionLength: number;
  /** Nodes of the parsed expression tree. */
  maxNodes: number;
  /** Digits of an exact number, and the decimal exponent of an approximate one. */
  maxDigits: number;
  /** Elements of a matrix or range. */
  maxElements: number;
  /** Side of a square matrix given to det or inv. */
  maxMatrixSide: number;
  /** Digits of an integer given to isPrime. */
  maxPrimeDigits: number;
  /** Wall-clock time of one evaluation. */
  timeoutMs: number;
}

export const DEFAULT_CALCULATOR_LIMITS: Readonly<CalculatorLimits> = Object.freeze({
  maxExpressionLength: 1_000,
  maxNodes: 1_000,
  maxDigits: 10_000,
  maxElements: 10_000,
  maxMatrixSide: 50,
  maxPrimeDigits: 300,
  timeoutMs: 2_000,
});

/**
 * Why an evaluation stopped: `inexact` and `overflow` make the exact pass hand over to the
 * decimal pass; the others are final and reach the model as the error.
 */
export type CalcFailureKind = 'inexact' | 'overflow' | 'limit' | 'unsupported' | 'timeout';

/** Thrown inside the evaluator only; the tool turns it into an `ok: false` result. */
export function calcFailure(kind: CalcFailureKind, message: string): AssayError {
  return new AssayError('INPUT_INVALID', message, { details: { calc: kind } });
}

/** The failure kind of an error thrown by `calcFailure`, or null for any other error. */
export function calcFailureKind(error: unknown): CalcFailureKind | null {
  if (!(error instanceof AssayError)) return null;
  const kind = error.details['calc'];
  return typeof kind === 'string' ? (kind as CalcFailureKind) : null;
}
