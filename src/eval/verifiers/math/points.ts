import { seededRandom } from '../../prng.js';
import { checkBudget } from './budget.js';
import { latexToExpression } from './expression.js';
import { close } from './numbers.js';
import { compileSafe, type SafeExpression } from './safe-eval.js';

/** Symbolic checks evaluate at random points; float noise needs a floor on the tolerance. */
const SYMBOLIC_TOLERANCE_FLOOR = 1e-8;
const POINTS_WANTED = 6;
const POINTS_NEEDED = 3;

/** The difference of an equation's two sides, compiled; null when either side does not parse. */
export function compileSides(sides: string[]): SafeExpression | null {
  const left = latexToExpression(sides[0]!);
  const right = latexToExpression(sides[1]!);
  if (left === null || right === null) return null;
  return compileSafe(`(${left}) - (${right})`);
}

/**
 * Evaluates both sides at seeded random points in [0.5, 2.5] (positive, so roots and logs are
 * defined) and compares. `proportional` accepts any fixed nonzero ratio, for equations.
 */
export function sameAtPoints(
  fa: SafeExpression,
  fb: SafeExpression,
  mode: 'equal' | 'proportional' | 'positive',
  tolerance: number,
): boolean {
  const variables = [...new Set([...fa.variables, ...fb.variables])];
  const random = seededRandom(`assay-math:${variables.join(',')}`);
  const tol = Math.max(tolerance, SYMBOLIC_TOLERANCE_FLOOR);
  let ratio: number | null = null;
  let valid = 0;
  for (let attempt = 0; attempt < POINTS_WANTED * 4 && valid < POINTS_WANTED; attempt++) {
    checkBudget();
    const scope: Record<string, number> = {};
    for (const name of variables) scope[name] = 0.5 + 2 * random();
    const x = fa.evaluate(scope);
    const y = fb.evaluate(scope);
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (mode === 'equal') {
      if (!close(x, y, tol)) return false;
    } else {
      if (Math.abs(y) < 1e-12) {
        if (Math.abs(x) < 1e-12) continue;
        return false;
      }
      const r = x / y;
      if (r === 0 || (mode === 'positive' && r < 0)) return false;
      if (ratio === null) ratio = r;
      else if (!close(r, ratio, tol)) return false;
    }
    valid++;
  }
  return valid >= POINTS_NEEDED;
}
