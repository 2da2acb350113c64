/**
 * Evaluations per second of the calculator's evaluation path (normalize, exact pass, decimal
 * pass when needed, formatting) against plain `mathjs.evaluate` (64-bit floats) and a mathjs
 * BigNumber instance, on the same expressions in the same process.
 *
 * Run: npx tsx bench/calculator.ts
 */
import { all, create, evaluate, type FactoryFunctionMap, format } from 'mathjs';
import { calculate } from '../tools/calculator/index.js';
import { reportFigures } from './figures.js';

const EXPRESSIONS = [
  '123456789 * 987654321',
  '2^200',
  '1/3 + 1/6',
  '(2^64 - 1) mod 97',
  '10!',
  'factorial(20)',
  'combinations(50, 25)',
  'gcd(1071, 462)',
  'lcm(4, 6)',
  '0.1 + 0.2',
  'round(22/7, 3)',
  'sqrt(2)',
  'sin(pi / 6)',
  'log(100)',
  'log10(1000)',
  'exp(1)',
  '5 km to mile',
  '100 degF to degC',
  'mean(1, 2, 3, 4)',
  'x = 3; y = 4; sqrt(x^2 + y^2)',
];

const MEASURE_MS = 1_500;

function rate(label: string, fn: (expression: string) => unknown): number {
  for (let i = 0; i < 3; i++) for (const e of EXPRESSIONS) fn(e);
  let evaluations = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < MEASURE_MS) {
    for (const e of EXPRESSIONS) fn(e);
    evaluations += EXPRESSIONS.length;
    elapsed = performance.now() - start;
  }
  const perSecond = (evaluations / elapsed) * 1000;
  console.log(`${label.padEnd(34)} ${perSecond.toFixed(0).padStart(8)} evaluations/s`);
  return perSecond;
}

const bignumber = create(all as FactoryFunctionMap, { number: 'BigNumber', precision: 64 });

for (const e of EXPRESSIONS) {
  const outcome = calculate(e);
  if (!outcome.ok) throw new Error(`bench expression failed: ${e}: ${outcome.message}`);
}

console.log(`calculator bench: ${EXPRESSIONS.length} expressions, ${MEASURE_MS} ms each\n`);
const plain = rate('mathjs.evaluate (float) + format', (e) => format(evaluate(e)));
const big = rate('mathjs BigNumber(64) + format', (e) => bignumber.format(bignumber.evaluate(e)));
const tool = rate('calculator (exact, then decimal)', (e) => calculate(e));
console.log('');
console.log(`calculator / mathjs.evaluate     ${(tool / plain).toFixed(2)}x`);
console.log(`calculator / mathjs BigNumber    ${(tool / big).toFixed(2)}x`);
reportFigures('calculator', [
  {
    name: 'calculator evaluations',
    value: tool,
    unit: '/s',
    baseline: big,
    baselineName: 'mathjs BigNumber',
  },
]);
