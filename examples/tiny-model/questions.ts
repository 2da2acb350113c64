import type { Random } from '../../src/eval/prng.js';
import { calculate } from '../../tools/calculator/index.js';
import { pick } from './draw.js';

/** A big-number arithmetic question, the expression the calculator gets, and the exact answer. */
export interface ArithmeticQuestion {
  prompt: string;
  expression: string;
  answer: string;
}

/** A positive integer with between `min` and `max` digits, no leading zero. */
function number(random: Random, min: number, max: number): string {
  const digits = min + Math.floor(random() * (max - min + 1));
  let text = String(1 + Math.floor(random() * 9));
  for (let i = 1; i < digits; i++) text += String(Math.floor(random() * 10));
  return text;
}

const SUFFIXES = [
  '',
  '',
  ' Answer with the number only.',
  ' Answer with a number only.',
  ' Give the exact value.',
  ' Reply with just the number.',
];

const WORDS: Record<string, string> = { '*': 'times', '+': 'plus', '-': 'minus' };
const NOUNS: Record<string, string> = { '*': 'product', '+': 'sum', '-': 'difference' };

/** The expression in the form a question writes it, and in the form the calculator gets. */
function expression(random: Random): { symbolic: string; words: string | null } {
  const shape = random();
  const space = random() < 0.85 ? ' ' : '';
  if (shape < 0.55) {
    const op = pick(random, ['*', '*', '+', '-']);
    const a = number(random, 3, 12);
    const b = number(random, op === '*' ? 3 : 3, 12);
    const symbolic = `${a}${space}${op}${space}${b}`;
    const words = random() < 0.5 ? `${a} ${WORDS[op]} ${b}` : `the ${NOUNS[op]} of ${a} and ${b}`;
    return { symbolic, words };
  }
  if (shape < 0.7) {
    const base = number(random, 1, 3);
    const power = String(5 + Math.floor(random() * 40));
    return { symbolic: `${base}^${power}`, words: `${base} to the power of ${power}` };
  }
  if (shape < 0.85) {
    const a = number(random, 2, 7);
    const b = number(random, 2, 7);
    const c = number(random, 2, 7);
    const [op1, op2] = [pick(random, ['+', '-']), pick(random, ['*', '*', '+'])];
    return { symbolic: `(${a}${space}${op1}${space}${b})${space}${op2}${space}${c}`, words: null };
  }
  const a = number(random, 2, 8);
  const b = number(random, 2, 8);
  const c = number(random, 2, 8);
  const [op1, op2] = [pick(random, ['*', '+']), pick(random, ['+', '-', '*'])];
  return { symbolic: `${a}${space}${op1}${space}${b}${space}${op2}${space}${c}`, words: null };
}

/** A seeded arithmetic question; its answer is computed by the calculator's own evaluator. */
export function arithmeticQuestion(random: Random): ArithmeticQuestion {
  const { symbolic, words } = expression(random);
  const useWords = words !== null && random() < 0.25;
  const shown = useWords ? words : symbolic;
  const template = useWords
    ? pick(random, ['What is {e}?', 'Compute {e}.', 'Calculate {e}.', 'What do you get for {e}?'])
    : pick(random, [
        'What is {e}?',
        'Compute {e}.',
        'Calculate {e}.',
        'What is the value of {e}?',
        'Evaluate {e}.',
        'Work out {e}.',
        '{e} = ?',
      ]);
  const prompt = template.replace('{e}', shown) + pick(random, SUFFIXES);
  const outcome = calculate(symbolic);
  if (!outcome.ok) throw new Error(`the calculator rejected ${symbolic}: ${outcome.message}`);
  return { prompt, expression: symbolic, answer: outcome.result };
}
