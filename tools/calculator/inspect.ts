import type { MathNode } from 'mathjs';
import { DISABLED_NAMES, REAL_NAMES } from './allowlist.js';
import type { Engine } from './engines.js';
import { calcFailure } from './limits.js';

/** What the checks learned about an expression. */
export interface ExpressionFacts {
  /** It names an irrational constant or function, so only the decimal pass can evaluate it. */
  usesReal: boolean;
}

/** Functions named in the error for an unknown function; the tool description has the rest. */
export const FUNCTION_SUMMARY =
  'sqrt, cbrt, nthRoot, exp, log (natural, or log(x, base)), ln, log10, log2, sin, cos, tan, asin, acos, atan, atan2, sinh, factorial, combinations (nCr), permutations (nPr), gcd, lcm, mod, round, floor, ceil, abs, sum, prod, mean, median, min, max, std, isPrime, det, inv';

/**
 * Walks the parsed expression before anything runs: it refuses every construct the calculator
 * does not evaluate (property access, objects, function definitions, names outside the
 * allowlist) and bounds the size of the tree.
 */
export function inspectExpression(
  root: MathNode,
  engine: Engine,
  maxNodes: number,
): ExpressionFacts {
  const facts: ExpressionFacts = { usesReal: false };
  let count = 0;
  const visit = (node: MathNode, top: boolean): void => {
    count++;
    if (count > maxNodes) {
      throw calcFailure('limit', `the expression is too complex (more than ${maxNodes} parts)`);
    }
    switch (node.type) {
      case 'ConstantNode':
        return;
      case 'SymbolNode': {
        const { name } = node as MathNode & { name: string };
        checkName(name, engine, false);
        if (REAL_NAMES.has(name)) facts.usesReal = true;
        return;
      }
      case 'FunctionNode': {
        const fn = (node as MathNode & { fn: MathNode }).fn;
        if (fn.type !== 'SymbolNode') {
          throw calcFailure('unsupported', 'only named functions can be called, like sqrt(2)');
        }
        const { name } = fn as MathNode & { name: string };
        checkName(name, engine, true);
        if (REAL_NAMES.has(name)) facts.usesReal = true;
        break;
      }
      case 'OperatorNode': {
        const { fn, op } = node as MathNode & { fn: string; op: string };
        if (!engine.functions.has(fn)) {
          throw calcFailure('unsupported', `the operator ${op} is not supported`);
        }
        break;
      }
      case 'AssignmentNode': {
        const target = node as MathNode & { object: MathNode; index: MathNode | null };
        if (target.object.type !== 'SymbolNode' || target.index !== null) {
          throw calcFailure('unsupported', 'only plain variables can be assigned, like x = 5');
        }
        visit((node as MathNode & { value: MathNode }).value, false);
        return;
      }
      case 'BlockNode':
        if (!top)
          throw calcFailure('unsupported', 'separate statements with ; only at the top level');
        for (const block of (node as MathNode & { blocks: { node: MathNode }[] }).blocks) {
          visit(block.node, false);
        }
        return;
      case 'ParenthesisNode':
      case 'ArrayNode':
      case 'RangeNode':
      case 'ConditionalNode':
      case 'RelationalNode':
        break;
      case 'AccessorNode':
      case 'IndexNode':
        throw calcFailure(
          'unsupported',
          'property access and indexing (like x.name or x[1]) are not supported',
        );
      case 'ObjectNode':
        throw calcFailure('unsupported', 'objects like {a: 1} are not supported');
      case 'FunctionAssignmentNode':
        throw calcFailure(
          'unsupported',
          'defining functions like f(x) = x^2 is not supported; write the expression out',
        );
      default:
        throw calcFailure('unsupported', `${node.type} is not supported`);
    }
    for (const child of childrenOf(node)) visit(child, false);
  };
  visit(root, true);
  return facts;
}

function childrenOf(node: MathNode): MathNode[] {
  const children: MathNode[] = [];
  node.forEach((child: MathNode) => {
    children.push(child);
  });
  return children;
}

function checkName(name: string, engine: Engine, called: boolean): void {
  if (DISABLED_NAMES.has(name)) {
    throw calcFailure('unsupported', `${name} is disabled in the calculator for safety`);
  }
  if (!called) return;
  if (engine.functions.has(name)) return;
  const lower = name.toLowerCase();
  const near = [...engine.functions.keys()].find((known) => known.toLowerCase() === lower);
  const hint = near
    ? `; did you mean ${near}()?`
    : `; available functions include ${FUNCTION_SUMMARY}`;
  throw calcFailure('unsupported', `unknown function ${name}()${hint}`);
}
