import type { BigNumber, Complex, Fraction, MathNode, Unit } from 'mathjs';
import type { Engine } from './engines.js';
import { calcFailure } from './limits.js';
import { exactSize, isCollection } from './values.js';

type Node<T> = MathNode & T;

/**
 * Evaluates a parsed and inspected expression. It replaces mathjs's compiler so that names
 * resolve only through the engine's allowlist, every step advances the meter, and every
 * intermediate value is checked against the limits as soon as it exists.
 */
export function evaluateTree(root: MathNode, engine: Engine): unknown[] {
  const scope = new Map<string, unknown>();
  if (root.type === 'BlockNode') {
    const results: unknown[] = [];
    for (const block of (root as Node<{ blocks: { node: MathNode; visible: boolean }[] }>).blocks) {
      const value = evaluate(block.node, engine, scope);
      if (block.visible) results.push(value);
    }
    return results;
  }
  return [evaluate(root, engine, scope)];
}

function evaluate(node: MathNode, engine: Engine, scope: Map<string, unknown>): unknown {
  engine.meter.tick();
  const recur = (child: MathNode) => evaluate(child, engine, scope);
  switch (node.type) {
    case 'ConstantNode':
      return checkValue((node as Node<{ value: unknown }>).value, engine);
    case 'ParenthesisNode':
      return recur((node as Node<{ content: MathNode }>).content);
    case 'SymbolNode':
      return resolveSymbol((node as Node<{ name: string }>).name, engine, scope);
    case 'OperatorNode': {
      const { fn, args } = node as Node<{ fn: string; args: MathNode[] }>;
      return call(fn, args.map(recur), engine);
    }
    case 'FunctionNode': {
      const { fn, args } = node as Node<{ fn: Node<{ name: string }>; args: MathNode[] }>;
      return call(fn.name, args.map(recur), engine);
    }
    case 'ArrayNode': {
      const items = (node as Node<{ items: MathNode[] }>).items.map(recur);
      return checkValue(engine.math.matrix(items as never), engine);
    }
    case 'RangeNode': {
      const { start, end, step } = node as Node<{
        start: MathNode;
        end: MathNode;
        step: MathNode | null;
      }>;
      const args =
        step === null ? [recur(start), recur(end)] : [recur(start), recur(end), recur(step)];
      return call('range', args, engine);
    }
    case 'AssignmentNode': {
      const { object, value } = node as Node<{ object: Node<{ name: string }>; value: MathNode }>;
      const result = recur(value);
      scope.set(object.name, result);
      return result;
    }
    case 'ConditionalNode': {
      const { condition, trueExpr, falseExpr } = node as Node<{
        condition: MathNode;
        trueExpr: MathNode;
        falseExpr: MathNode;
      }>;
      return isTruthy(recur(condition), engine) ? recur(trueExpr) : recur(falseExpr);
    }
    case 'RelationalNode': {
      const { params, conditionals } = node as Node<{ params: MathNode[]; conditionals: string[] }>;
      let left = recur(params[0] as MathNode);
      for (let i = 0; i < conditionals.length; i++) {
        const right = recur(params[i + 1] as MathNode);
        if (!isTruthy(call(conditionals[i] as string, [left, right], engine), engine)) return false;
        left = right;
      }
      return true;
    }
    default:
      throw calcFailure('unsupported', `${node.type} is not supported`);
  }
}

function call(name: string, args: unknown[], engine: Engine): unknown {
  const fn = engine.functions.get(name);
  if (!fn) throw calcFailure('unsupported', `unknown function ${name}()`);
  return checkValue(fn(...args), engine);
}

function resolveSymbol(name: string, engine: Engine, scope: Map<string, unknown>): unknown {
  if (scope.has(name)) return scope.get(name);
  if (engine.constants.has(name)) return checkValue(engine.constants.get(name), engine);
  const { Unit } = engine.math;
  if (Unit.isValuelessUnit(name)) return new Unit(null as never, name);
  if (engine.functions.has(name)) {
    throw calcFailure(
      'unsupported',
      `${name} is a function; call it with parentheses, like ${name}(2)`,
    );
  }
  throw new Error(`Undefined symbol ${name}`);
}

function isTruthy(value: unknown, engine: Engine): boolean {
  const { math } = engine;
  if (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string')
    return !!value;
  if (value === null || value === undefined) return false;
  if (math.isFraction(value)) return (value as Fraction).n !== 0n;
  if (math.isBigNumber(value))
    return !(value as BigNumber).isZero() && !(value as BigNumber).isNaN();
  if (math.isComplex(value)) return (value as Complex).re !== 0 || (value as Complex).im !== 0;
  if (math.isUnit(value)) return isTruthy((value as Unit).value, engine);
  throw calcFailure('unsupported', 'a condition must be a single number or true/false');
}

/**
 * Holds every value to the limits: the exact pass gives up on floating-point values and on
 * fractions past the digit limit; the decimal pass refuses magnitudes past it; both cap the
 * size of matrices.
 */
function checkValue(value: unknown, engine: Engine): unknown {
  const { math, meter } = engine;
  if (isCollection(math, value)) {
    const elements = math.isMatrix(value)
      ? (value.valueOf() as unknown[]).flat(Number.POSITIVE_INFINITY)
      : value.flat(Number.POSITIVE_INFINITY);
    if (elements.length > meter.limits.maxElements) {
      throw calcFailure(
        'limit',
        `a matrix has ${elements.length} elements; the calculator allows ${meter.limits.maxElements}`,
      );
    }
    let mass = 0;
    for (const element of elements) {
      checkScalar(element, engine);
      if (engine.kind === 'exact') mass += exactSize(math, element);
    }
    if (mass > meter.limits.maxDigits * 10) {
      throw calcFailure('overflow', 'the exact values of this matrix are too large together');
    }
    return value;
  }
  checkScalar(value, engine);
  return value;
}

function checkScalar(value: unknown, engine: Engine): void {
  const { math, meter, kind } = engine;
  if (math.isUnit(value)) {
    const inner = (value as Unit).value as unknown;
    if (inner !== null && inner !== undefined) checkScalar(inner, engine);
    return;
  }
  if (kind === 'exact') {
    if (typeof value === 'number' || math.isComplex(value) || math.isBigNumber(value)) {
      throw calcFailure('inexact', 'the value is not exact');
    }
    if (math.isFraction(value)) {
      const f = value as Fraction;
      if (f.n >= meter.exactBound || f.d >= meter.exactBound) {
        throw calcFailure('overflow', 'an exact value grew past the digit limit');
      }
    }
    return;
  }
  if (math.isBigNumber(value)) {
    const b = value as BigNumber;
    if (b.isFinite() && !b.isZero() && b.e >= meter.limits.maxDigits) {
      throw calcFailure(
        'limit',
        `the result is too large (about 10^${b.e}); the calculator handles numbers up to ${meter.limits.maxDigits.toLocaleString('en-US')} digits`,
      );
    }
  }
}
