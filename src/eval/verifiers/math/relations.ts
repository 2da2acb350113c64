import { cutTopLevel } from './shape.js';

/** A relation operator as `normalizeAnswer` spells it; `\approx` counts as `=`. */
export type RelationOp = '=' | '<' | '<=' | '>' | '>=' | '!=' | '~';

export interface Chain {
  sides: string[];
  ops: RelationOp[];
}

const OPS: readonly [string, RelationOp][] = [
  ['\\approx', '~'],
  ['<=', '<='],
  ['>=', '>='],
  ['!=', '!='],
  ['<', '<'],
  ['>', '>'],
  ['=', '='],
];

/** Splits `a = b \approx c` into sides and operators outside brackets; null without any. */
export function parseChain(s: string): Chain | null {
  const ops: RelationOp[] = [];
  const sides = cutTopLevel(s, (i) => {
    const op = OPS.find(([token]) => s.startsWith(token, i));
    if (op === undefined) return 0;
    ops.push(op[1]);
    return op[0].length;
  });
  if (ops.length === 0) return null;
  if (sides.some((side) => side === '')) return null;
  return { sides, ops };
}

/** `x`, `a_1`, `\alpha`: a lone name, which an equation can define. */
export function isVariable(text: string): boolean {
  return /^(?:[a-zA-Z]|\\[a-zA-Z]+)(?:_\{?\w+\}?)?(?:\([a-z]\))?$/.test(text.trim());
}

export const isEquality = (chain: Chain): boolean =>
  chain.ops.every((op) => op === '=' || op === '~');

/**
 * An equality chain cut to what it states: the part before an approximation when an exact
 * value came first (`x = 1/3 \approx 0.33` is `x = 1/3`), then its first and last sides when
 * the first is a variable (`x = 5+5+1 = 11` is `x = 11`).
 */
export function reduceEquality(chain: Chain): Chain {
  let { sides, ops } = chain;
  const approx = ops.indexOf('~');
  if (approx > 0) {
    sides = sides.slice(0, approx + 1);
    ops = ops.slice(0, approx);
  }
  if (sides.length > 2 && isVariable(sides[0]!))
    return { sides: [sides[0]!, sides.at(-1)!], ops: ['='] };
  return { sides, ops: ops.map(() => '=' as const) };
}

/** A single inequality `l op r` as `f op 0` with op `<`, `<=` or `!=` and f = l - r (flipped). */
export function canonicalInequality(
  chain: Chain,
): { left: string; right: string; op: '<' | '<=' | '!=' } | null {
  if (chain.ops.length !== 1) return null;
  const [l, r] = chain.sides as [string, string];
  const op = chain.ops[0]!;
  if (op === '<' || op === '<=' || op === '!=') return { left: l, right: r, op };
  if (op === '>') return { left: r, right: l, op: '<' };
  if (op === '>=') return { left: r, right: l, op: '<=' };
  return null;
}

/** `-2 <= x < 7` (or `7 > x >= -2`) as the interval `[-2,7)`; null for anything else. */
export function chainToInterval(chain: Chain): string | null {
  if (chain.ops.length !== 2 || !isVariable(chain.sides[1]!)) return null;
  const [a, b] = chain.ops as [RelationOp, RelationOp];
  const [low, , high] = chain.sides as [string, string, string];
  const less = (op: RelationOp) => op === '<' || op === '<=';
  const more = (op: RelationOp) => op === '>' || op === '>=';
  if (less(a) && less(b)) return `${a === '<' ? '(' : '['}${low},${high}${b === '<' ? ')' : ']'}`;
  if (more(a) && more(b)) return `${b === '>' ? '(' : '['}${high},${low}${a === '>' ? ')' : ']'}`;
  return null;
}
