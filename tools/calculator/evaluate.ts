import type { BigNumber, MathNode } from 'mathjs';
import { errorMessage } from '../../src/core/errors.js';
import {
  CHECK_PRECISION,
  DECIMAL_PRECISION,
  type Engine,
  type EngineKind,
  getEngine,
} from './engines.js';
import { formatValue } from './format.js';
import { inspectExpression } from './inspect.js';
import { evaluateTree } from './interpreter.js';
import {
  type CalcFailureKind,
  type CalculatorLimits,
  calcFailureKind,
  DEFAULT_CALCULATOR_LIMITS,
} from './limits.js';
import { expandExponentLiterals, hasDecimalLiteral, normalizeExpression } from './normalize.js';

export type CalculationErrorCode =
  | 'EMPTY_EXPRESSION'
  | 'EXPRESSION_TOO_LONG'
  | 'SYNTAX_ERROR'
  | 'UNSUPPORTED'
  | 'LIMIT_EXCEEDED'
  | 'TIMEOUT'
  | 'EVALUATION_ERROR';

export type Calculation =
  | {
      ok: true;
      /** The expression after normalization, as evaluated. */
      expression: string;
      /** The result text, one line per visible statement. */
      result: string;
      /**
       * True when integer and fraction arithmetic computed the result; a repeating decimal in
       * the text is still rounded to 20 significant digits. False for 64-digit decimal results.
       */
      exact: boolean;
    }
  | { ok: false; expression: string; code: CalculationErrorCode; message: string };

/**
 * Evaluates an expression: first with exact rationals (big integers and fractions), and when
 * that cannot express the result (roots, logarithms, trigonometry, constants like pi) or
 * would exceed the digit limit, with 64-digit decimals. Never throws for a bad expression.
 */
export function calculate(
  raw: string,
  limits: Readonly<CalculatorLimits> = DEFAULT_CALCULATOR_LIMITS,
): Calculation {
  if (raw.length > limits.maxExpressionLength) {
    return failure(
      `${raw.slice(0, 80)}…`,
      'EXPRESSION_TOO_LONG',
      `the expression is ${raw.length} characters long; the limit is ${limits.maxExpressionLength}`,
    );
  }
  const expression = normalizeExpression(raw);
  if (expression === '') return failure(expression, 'EMPTY_EXPRESSION', 'the expression is empty');
  try {
    return evaluateNormalized(expression, limits);
  } catch (error) {
    // Formatting or mathjs internals failing on an odd value still answer the model.
    return failure(expression, 'EVALUATION_ERROR', describe(error));
  }
}

function evaluateNormalized(expression: string, limits: Readonly<CalculatorLimits>): Calculation {
  const exactEngine = getEngine('exact');
  const started = performance.now();
  const preferDecimal = hasDecimalLiteral(expression);

  // The exact pass gets half the time: past it, decimals can still answer.
  const exactText = expandExponentLiterals(expression, limits.maxDigits);
  const exact = runPass(exactEngine, exactText, limits, started + limits.timeoutMs / 2);
  if (exact.ok) {
    const result = exact.values
      .map((v) => formatValue(exactEngine.math, v, { preferDecimal }))
      .join('\n');
    return { ok: true, expression, result, exact: true };
  }
  if (exact.kind === 'limit' || exact.kind === 'unsupported') {
    return failure(expression, codeOf(exact.kind), exact.message);
  }

  // Built only when the exact pass cannot answer: an instance costs about 0.4 s of CPU.
  const { engine, deadline } = engineWithin(
    'decimal',
    DECIMAL_PRECISION,
    started + limits.timeoutMs,
  );
  const decimal = runPass(engine, expression, limits, deadline);
  if (!decimal.ok) {
    const code = decimal.syntax
      ? 'SYNTAX_ERROR'
      : decimal.kind
        ? codeOf(decimal.kind)
        : 'EVALUATION_ERROR';
    return failure(expression, code, decimal.message);
  }
  const values = decimal.values.map((v, index) =>
    isSmallDecimal(engine, v) ? denoise(v as BigNumber, index, expression, limits, deadline) : v,
  );
  const result = values.map((v) => formatValue(engine.math, v, { preferDecimal: true })).join('\n');
  return { ok: true, expression, result, exact: false };
}

/**
 * The shared engine of a kind, with the deadline moved on by the time building it took: the
 * first expression that needs an engine is not charged for building it.
 */
function engineWithin(
  kind: EngineKind,
  precision: number,
  deadline: number,
): { engine: Engine; deadline: number } {
  const building = performance.now();
  const engine = getEngine(kind, precision);
  return { engine, deadline: deadline + (performance.now() - building) };
}

type PassResult =
  | { ok: true; values: unknown[] }
  | { ok: false; kind: CalcFailureKind | null; syntax: boolean; message: string };

function runPass(
  engine: Engine,
  text: string,
  limits: Readonly<CalculatorLimits>,
  deadline: number,
): PassResult {
  let tree: MathNode;
  try {
    tree = engine.parse(text);
  } catch (error) {
    return {
      ok: false,
      kind: engine.kind === 'exact' ? 'inexact' : null,
      syntax: true,
      message: describe(error),
    };
  }
  try {
    engine.meter.start(limits, deadline);
    const facts = inspectExpression(tree, engine, limits.maxNodes);
    if (engine.kind === 'exact' && facts.usesReal) {
      return { ok: false, kind: 'inexact', syntax: false, message: 'not exact' };
    }
    return { ok: true, values: evaluateTree(tree, engine) };
  } catch (error) {
    return { ok: false, kind: calcFailureKind(error), syntax: false, message: describe(error) };
  }
}

/** mathjs messages, made plainer where a model tends to misread them. */
function describe(error: unknown): string {
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return 'the expression is nested too deeply';
  }
  const message = errorMessage(error);
  if (/^Undefined symbol/.test(message)) {
    return `${message} (assign variables first, like x = 3; x^2, or check the spelling of a unit)`;
  }
  return message;
}

function isSmallDecimal(engine: Engine, value: unknown): boolean {
  if (!engine.math.isBigNumber(value)) return false;
  const b = value as BigNumber;
  return !b.isZero() && b.isFinite() && b.abs().lt(1e-10);
}

/**
 * A tiny decimal result is either a real small number or what is left of a cancellation like
 * sin(pi). Evaluating again at twice the precision tells them apart: noise shrinks with the
 * precision, a real value stays put.
 */
function denoise(
  value: BigNumber,
  index: number,
  expression: string,
  limits: Readonly<CalculatorLimits>,
  deadline: number,
): unknown {
  const { engine: check, deadline: checkDeadline } = engineWithin(
    'decimal',
    CHECK_PRECISION,
    deadline,
  );
  const again = runPass(check, expression, limits, checkDeadline);
  if (!again.ok) return value;
  const other = again.values[index];
  if (!check.math.isBigNumber(other)) return value;
  const difference = value.minus(other as BigNumber).abs();
  return difference.gt(value.abs().times(1e-10)) ? check.math.bignumber(0) : value;
}

function codeOf(kind: CalcFailureKind): CalculationErrorCode {
  if (kind === 'limit') return 'LIMIT_EXCEEDED';
  if (kind === 'timeout') return 'TIMEOUT';
  if (kind === 'unsupported') return 'UNSUPPORTED';
  return 'EVALUATION_ERROR';
}

function failure(expression: string, code: CalculationErrorCode, message: string): Calculation {
  return { ok: false, expression, code, message };
}
