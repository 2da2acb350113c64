import { create, type MathNode, parseDependencies } from 'mathjs';

/**
 * Evaluation of parsed answers without any way to hang or escape. mathjs is used only to
 * parse; the tree is then walked by a small evaluator over plain doubles that accepts a fixed
 * set of operators and functions. Doubles cannot run away (huge powers become Infinity), and
 * factorials, assignments, ranges, matrices and property access are refused before anything
 * runs.
 */
const math = create({ parseDependencies: parseDependencies! });

const MAX_EXPRESSION_CHARS = 1000;
const MAX_NODES = 2000;

type Fn = (...args: number[]) => number;

const FUNCTIONS: Record<string, Fn> = {
  sqrt: Math.sqrt,
  nthRoot: (x, n) => (x < 0 && n % 2 === 1 ? -((-x) ** (1 / n)) : x ** (1 / n)),
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  cot: (x) => 1 / Math.tan(x),
  sec: (x) => 1 / Math.cos(x),
  csc: (x) => 1 / Math.sin(x),
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  log: Math.log,
  log10: Math.log10,
  exp: Math.exp,
  abs: Math.abs,
};

const CONSTANTS: Record<string, number> = {
  pi: Math.PI,
  e: Math.E,
  Infinity: Number.POSITIVE_INFINITY,
};

const OPERATORS: Record<string, Fn> = {
  add: (a, b) => a + b,
  subtract: (a, b) => a - b,
  multiply: (a, b) => a * b,
  divide: (a, b) => a / b,
  pow: (a, b) => a ** b,
  unaryMinus: (a) => -a,
  unaryPlus: (a) => a,
};

export interface SafeExpression {
  /** Free variables, sorted. */
  variables: string[];
  evaluate(scope: Readonly<Record<string, number>>): number;
}

/** Parses and checks an expression; null when it is too long, malformed or not allowed. */
export function compileSafe(expression: string): SafeExpression | null {
  if (expression.length > MAX_EXPRESSION_CHARS) return null;
  let root: MathNode;
  try {
    root = math.parse(expression);
  } catch {
    return null;
  }
  const variables = new Set<string>();
  let count = 0;
  let allowed = true;
  root.traverse((node, _path, parent) => {
    count++;
    if (!isAllowed(node, parent)) allowed = false;
    if (node.type === 'SymbolNode' && !(parent?.type === 'FunctionNode')) {
      const name = (node as MathNode & { name: string }).name;
      if (!Object.hasOwn(CONSTANTS, name)) variables.add(name);
    }
  });
  if (!allowed || count > MAX_NODES) return null;
  return { variables: [...variables].sort(), evaluate: (scope) => evaluateNode(root, scope) };
}

function isAllowed(node: MathNode, parent: MathNode | null): boolean {
  switch (node.type) {
    case 'ConstantNode':
      return typeof (node as MathNode & { value: unknown }).value === 'number';
    case 'SymbolNode':
      return true;
    case 'ParenthesisNode':
      return true;
    case 'OperatorNode':
      return Object.hasOwn(OPERATORS, (node as MathNode & { fn: string }).fn);
    case 'FunctionNode': {
      const fn = (node as MathNode & { fn: MathNode }).fn;
      return (
        fn.type === 'SymbolNode' &&
        Object.hasOwn(FUNCTIONS, (fn as MathNode & { name: string }).name)
      );
    }
    default:
      return parent === undefined;
  }
}

function evaluateNode(node: MathNode, scope: Readonly<Record<string, number>>): number {
  switch (node.type) {
    case 'ConstantNode':
      return (node as MathNode & { value: number }).value;
    case 'SymbolNode': {
      const name = (node as MathNode & { name: string }).name;
      if (Object.hasOwn(scope, name)) return scope[name]!;
      if (Object.hasOwn(CONSTANTS, name)) return CONSTANTS[name]!;
      return Number.NaN;
    }
    case 'ParenthesisNode':
      return evaluateNode((node as MathNode & { content: MathNode }).content, scope);
    case 'OperatorNode': {
      const { fn, args } = node as MathNode & { fn: string; args: MathNode[] };
      const values = args.map((arg) => evaluateNode(arg, scope));
      return OPERATORS[fn]!(...values);
    }
    case 'FunctionNode': {
      const { fn, args } = node as MathNode & { fn: MathNode & { name: string }; args: MathNode[] };
      return FUNCTIONS[fn.name]!(...args.map((arg) => evaluateNode(arg, scope)));
    }
    default:
      return Number.NaN;
  }
}
