import { checkBudget } from './budget.js';
import { latexToExpression } from './expression.js';
import { compact } from './normalize.js';
import { close, parseNumberLiteral, percentReadings } from './numbers.js';
import { compileSides, sameAtPoints } from './points.js';
import {
  type Chain,
  canonicalInequality,
  chainToInterval,
  isEquality,
  isVariable,
  parseChain,
  reduceEquality,
} from './relations.js';
import { compileSafe } from './safe-eval.js';
import { parseShape, type Shape, splitTopLevel } from './shape.js';

export interface CompareOptions {
  /** Relative tolerance for numbers that are not both integers. */
  tolerance: number;
}

/** How the two answers were found equal (or the last method tried when they were not). */
export type CompareMethod =
  | 'text'
  | 'number'
  | 'integer'
  | 'expression'
  | 'equation'
  | 'relation'
  | 'structure';

export interface Comparison {
  equal: boolean;
  method: CompareMethod;
}

/** Longer lists are compared as text only, which keeps the pairwise matching cheap. */
const MAX_ITEMS = 64;

/** Compares two normalized answers: structure first, then each element as a value. */
export function compareAnswers(
  answer: string,
  expected: string,
  options: CompareOptions,
): Comparison {
  if (compact(answer) === compact(expected)) return { equal: true, method: 'text' };
  checkBudget();
  const exactA = beforeApproximation(answer);
  const exactB = beforeApproximation(expected);
  if (exactA !== answer || exactB !== expected) return compareAnswers(exactA, exactB, options);
  const a = parseShape(asInterval(definition(answer, expected)));
  const b = parseShape(asInterval(definition(expected, answer)));
  if (a.kind === 'scalar' && b.kind === 'scalar') return compareScalars(a.text, b.text, options);
  return { equal: shapesEqual(a, b, options), method: 'structure' };
}

function shapesEqual(a: Shape, b: Shape, options: CompareOptions): boolean {
  if (a.kind === 'scalar' && b.kind === 'scalar')
    return compareScalars(a.text, b.text, options).equal;
  if (a.kind === 'tuple' && b.kind === 'tuple') {
    return a.open === b.open && a.close === b.close && ordered(a.items, b.items, options);
  }
  if (a.kind === 'tuple' && b.kind === 'collection')
    return a.open === '(' && ordered(a.items, b.items, options);
  if (a.kind === 'collection' && b.kind === 'tuple')
    return b.open === '(' && ordered(a.items, b.items, options);
  if (a.kind === 'collection' && b.kind === 'collection')
    return unordered(a.items, b.items, options);
  if (a.kind === 'union' && b.kind === 'union') return unordered(a.parts, b.parts, options);
  if (a.kind === 'matrix' && b.kind === 'matrix') {
    return (
      a.rows.length === b.rows.length && a.rows.every((row, i) => ordered(row, b.rows[i]!, options))
    );
  }
  const vectorA = a.kind === 'matrix' ? asVector(a.rows) : null;
  const vectorB = b.kind === 'matrix' ? asVector(b.rows) : null;
  if (vectorA !== null && b.kind === 'tuple') return ordered(vectorA, b.items, options);
  if (vectorB !== null && a.kind === 'tuple') return ordered(a.items, vectorB, options);
  return false;
}

function ordered(a: readonly Shape[], b: readonly Shape[], options: CompareOptions): boolean {
  return (
    a.length === b.length &&
    a.length <= MAX_ITEMS &&
    a.every((item, i) => shapesEqual(item, b[i]!, options))
  );
}

/** Multiset equality: every item of `a` pairs with a distinct equal item of `b`. */
function unordered(a: readonly Shape[], b: readonly Shape[], options: CompareOptions): boolean {
  if (a.length !== b.length || a.length > MAX_ITEMS) return false;
  const used = new Array<boolean>(b.length).fill(false);
  return a.every((item) => {
    checkBudget();
    const j = b.findIndex((other, k) => !used[k] && shapesEqual(item, other, options));
    if (j === -1) return false;
    used[j] = true;
    return true;
  });
}

function asVector(rows: Shape[][]): Shape[] | null {
  if (rows.every((row) => row.length === 1)) return rows.map((row) => row[0]!);
  if (rows.length === 1) return rows[0]!;
  return null;
}

/** Compares two single values: text, literal numbers, equations, then expressions. */
export function compareScalars(a: string, b: string, options: CompareOptions): Comparison {
  const ca = compact(a);
  const cb = compact(b);
  if (ca === cb) return { equal: true, method: 'text' };
  if (/^[a-zA-Z][a-zA-Z ]+$/.test(a) && /^[a-zA-Z][a-zA-Z ]+$/.test(b)) {
    return {
      equal: a.toLowerCase().replace(/\s+/g, ' ') === b.toLowerCase().replace(/\s+/g, ' '),
      method: 'text',
    };
  }
  const letterA = /^\(([A-Za-z])\)$/.exec(ca)?.[1] ?? ca;
  const letterB = /^\(([A-Za-z])\)$/.exec(cb)?.[1] ?? cb;
  if (letterA.length === 1 && letterB.length === 1 && /[A-Za-z]/.test(letterA)) {
    return { equal: letterA === letterB, method: 'text' };
  }
  // A choice letter against an option written out: `C` and `C. x = 42`.
  const optionA = /^\(?([A-J])\)?[.:]\s/.exec(a)?.[1];
  const optionB = /^\(?([A-J])\)?[.:]\s/.exec(b)?.[1];
  if (
    (optionA !== undefined && /^[A-J]$/.test(letterB)) ||
    (optionB !== undefined && /^[A-J]$/.test(letterA))
  )
    return { equal: (optionA ?? letterA) === (optionB ?? letterB), method: 'text' };
  const literalA = parseNumberLiteral(ca);
  const literalB = parseNumberLiteral(cb);
  if (
    literalA?.integer != null &&
    literalB?.integer != null &&
    !literalA.percent &&
    !literalB.percent
  ) {
    return { equal: literalA.integer === literalB.integer, method: 'integer' };
  }
  if (literalA !== null && literalB !== null) {
    return {
      equal: readingsMatch(
        literalA.value,
        literalA.percent,
        literalB.value,
        literalB.percent,
        options.tolerance,
      ),
      method: 'number',
    };
  }
  const equations = compareRelations(a, b, options);
  if (equations !== null) return equations;
  return compareExpressions(a, b, options);
}

/**
 * `a` is the answer, `b` the reference. A reference in percent accepts the number itself or
 * its fraction (`28%` takes `28` and `0.28`); an answer in percent is its fraction, so
 * `4 4/9%` is not `40/9`, except against a whole number.
 */
function readingsMatch(
  a: number,
  aPercent: boolean,
  b: number,
  bPercent: boolean,
  tolerance: number,
): boolean {
  const readingsB = percentReadings(b, bPercent && !aPercent);
  // A whole-number reference without the sign (GSM8K's `50` for "what percent") takes `50%`.
  const readingsA = aPercent && !bPercent ? (Number.isInteger(b) ? [a, a / 100] : [a / 100]) : [a];
  return readingsA.some((x) => readingsB.some((y) => close(x, y, tolerance)));
}

/**
 * Equations, chains and inequalities. A value matches an equation that defines it (`x = 11`,
 * `(p,q) = (3,2)`, `x = 5+5+1 = 11`) or a chain of constants ending in it; two equations
 * match when their sides' differences are proportional (`x + y = 1` and `2 - 2x = 2y`);
 * inequalities match when they state the same bound (`x \leq 5` and `5 \geq x`); an inequality
 * never matches a bare value. Null when neither side is a relation.
 */
function compareRelations(a: string, b: string, options: CompareOptions): Comparison | null {
  const ca = parseChain(a);
  const cb = parseChain(b);
  if (ca === null && cb === null) return null;
  const ia = ca === null ? null : chainToInterval(ca);
  const ib = cb === null ? null : chainToInterval(cb);
  if (ia !== null || ib !== null) {
    if ((ia === null && ca !== null) || (ib === null && cb !== null)) return unequal('relation');
    return { equal: compareAnswers(ia ?? a, ib ?? b, options).equal, method: 'relation' };
  }
  const ea = ca !== null && isEquality(ca) ? reduceEquality(ca) : null;
  const eb = cb !== null && isEquality(cb) ? reduceEquality(cb) : null;
  if (ca === null || cb === null) {
    const chain = ea ?? eb;
    if (chain === null) return unequal('relation');
    const value = definedValue(chain);
    if (value === null) return unequal('equation');
    return {
      equal: compareAnswers(ea === null ? a : value, eb === null ? b : value, options).equal,
      method: 'equation',
    };
  }
  if (ea !== null && eb !== null) return compareEqualities(ea, eb, options);
  if (ea !== null || eb !== null) return unequal('relation');
  const qa = canonicalInequality(ca);
  const qb = canonicalInequality(cb);
  if (qa === null || qb === null || qa.op !== qb.op) return unequal('relation');
  const fa = compileSides([qa.left, qa.right]);
  const fb = compileSides([qb.left, qb.right]);
  if (fa === null || fb === null) return unequal('relation');
  const mode = qa.op === '!=' ? 'proportional' : 'positive';
  return { equal: sameAtPoints(fa, fb, mode, options.tolerance), method: 'relation' };
}

/** `\\frac{\\sqrt3}{3} \\approx 0.577` states the exact value; the approximation is a remark. */
function beforeApproximation(text: string): string {
  const chain = parseChain(text);
  if (chain === null || chain.ops[0] !== '~' || isVariable(chain.sides[0]!)) return text;
  return chain.sides[0]!;
}

/** `(p,q) = (3,2)` against a bare `(3,2)`: the labelled answer is its value. */
function definition(text: string, other: string): string {
  const chain = parseChain(text);
  if (chain === null || !isEquality(chain) || parseChain(other) !== null) return text;
  if (splitTopLevel(text, ',').length > 1) return text;
  const reduced = reduceEquality(chain);
  const first = reduced.sides[0]!;
  return isLabel(first) || isVariable(first) ? reduced.sides.at(-1)! : text;
}

/** `-2 <= x <= 7` reads as `[-2,7]` so that it meets an interval answer. */
function asInterval(text: string): string {
  const chain = parseChain(text);
  return (chain === null ? null : chainToInterval(chain)) ?? text;
}

function unequal(method: CompareMethod): Comparison {
  return { equal: false, method };
}

/** The value an equality chain gives: its last side, when a name or only constants precede it. */
function definedValue(chain: Chain): string | null {
  const last = chain.sides.at(-1)!;
  const before = chain.sides.slice(0, -1);
  if (before.some((side) => isVariable(side) || isLabel(side))) return last;
  const constant = chain.sides.every((side) => {
    const expr = latexToExpression(side);
    const compiled = expr === null ? null : compileSafe(expr);
    return compiled !== null && compiled.variables.length === 0;
  });
  return constant ? last : null;
}

/** `(p,q)`, `AB`: a tuple of names or a short capital label. */
function isLabel(text: string): boolean {
  const t = text.trim();
  if (/^[A-Z]{2,3}$/.test(t)) return true;
  const tuple = /^\((.*)\)$/.exec(t);
  return tuple !== null && splitTopLevel(tuple[1]!, ',').every((part) => isVariable(part));
}

function compareEqualities(a: Chain, b: Chain, options: CompareOptions): Comparison {
  if (a.sides.length !== 2 || b.sides.length !== 2) {
    const same =
      a.sides.length === b.sides.length &&
      a.sides.every((side, i) => compact(side) === compact(b.sides[i]!));
    return { equal: same, method: 'equation' };
  }
  const [la, ra] = a.sides as [string, string];
  const [lb, rb] = b.sides as [string, string];
  if (compact(la) === compact(lb) && (isVariable(la) || isLabel(la))) {
    return { equal: compareAnswers(ra, rb, options).equal, method: 'equation' };
  }
  const fa = compileSides(a.sides);
  const fb = compileSides(b.sides);
  if (fa !== null && fb !== null && sameAtPoints(fa, fb, 'proportional', options.tolerance))
    return { equal: true, method: 'equation' };
  return unequal('equation');
}

function compareExpressions(a: string, b: string, options: CompareOptions): Comparison {
  const percentA = a.endsWith('%');
  const percentB = b.endsWith('%');
  const exprA = latexToExpression(percentA ? a.slice(0, -1) : a);
  const exprB = latexToExpression(percentB ? b.slice(0, -1) : b);
  const fa = exprA === null ? null : compileSafe(exprA);
  const fb = exprB === null ? null : compileSafe(exprB);
  if (fa === null || fb === null) return { equal: false, method: 'text' };
  if (fa.variables.length === 0 && fb.variables.length === 0) {
    const equal = readingsMatch(
      fa.evaluate({}),
      percentA,
      fb.evaluate({}),
      percentB,
      options.tolerance,
    );
    return { equal, method: 'expression' };
  }
  if (percentA || percentB) return { equal: false, method: 'expression' };
  return { equal: sameAtPoints(fa, fb, 'equal', options.tolerance), method: 'expression' };
}
