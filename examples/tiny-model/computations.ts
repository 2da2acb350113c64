/**
 * Small computations for the tiny model's python dialogues: a question in words, the short
 * program that answers it, with the question's numbers copied into it. The answer is whatever
 * the real python tool prints when it runs the program. The computations of the starter suite
 * are held out: `isHeldOut` names them, and the generator never asks them.
 */
import type { Random } from '../../src/eval/prng.js';
import { int, pick } from './draw.js';

export interface Computation {
  family: string;
  prompt: string;
  code: string;
  /** The parameters, to recognise held-out questions. */
  key: string;
}

/**
 * Between `min` and `max`, log-uniform; nearly half the time a round number such as 5000 or
 * 100000. Runs of zeros are where a copying model loses count, so they are drawn often.
 */
function size(random: Random, min: number, max: number): number {
  const value = Math.exp(Math.log(min) + random() * (Math.log(max) - Math.log(min)));
  if (random() < 0.45) {
    const power = 10 ** Math.floor(Math.log10(value));
    const lead = random() < 0.5 ? 1 : Math.round(value / power);
    return Math.max(min, Math.min(max, lead * power));
  }
  return Math.round(value);
}

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

const SUFFIXES = [' Answer with a number only.', ' Answer with the number only.', ''];

const IS_PRIME = 'all(n%d for d in range(2,int(n**.5)+1))';

type Family = (random: Random) => Omit<Computation, 'prompt'> & { question: string };

const FAMILIES: Record<string, Family> = {
  prime_count: (random) => {
    const n = size(random, 20, 150_000);
    return {
      family: 'prime_count',
      key: `prime_count:${n}`,
      question: pick(random, [
        `How many prime numbers are there below ${n}?`,
        `How many primes are there below ${n}?`,
        `How many prime numbers are less than ${n}?`,
      ]),
      code: `print(sum(${IS_PRIME} for n in range(2,${n})))`,
    };
  },
  prime_sum: (random) => {
    const n = size(random, 10, 100_000);
    return {
      family: 'prime_sum',
      key: `prime_sum:${n}`,
      question: pick(random, [
        `What is the sum of all prime numbers below ${n}?`,
        `What is the sum of the prime numbers below ${n}?`,
        `What is the sum of all primes less than ${n}?`,
      ]),
      code: `print(sum(n for n in range(2,${n}) if ${IS_PRIME}))`,
    };
  },
  digit_sum: (random) => {
    const [a, b] = [int(random, 2, 99), int(random, 2, 400)];
    return {
      family: 'digit_sum',
      key: `digit_sum:${a}:${b}`,
      question: pick(random, [
        `What is the sum of the digits of ${a}^${b}?`,
        `What is the digit sum of ${a}^${b}?`,
      ]),
      code: `print(sum(int(c) for c in str(${a}**${b})))`,
    };
  },
  digit_count: (random) => {
    const [a, b] = [int(random, 2, 99), int(random, 2, 400)];
    return {
      family: 'digit_count',
      key: `digit_count:${a}:${b}`,
      question: pick(random, [
        `How many digits does ${a}^${b} have?`,
        `How many decimal digits does ${a}^${b} have?`,
      ]),
      code: `print(len(str(${a}**${b})))`,
    };
  },
  fibonacci: (random) => {
    const n = int(random, 3, 200);
    return {
      family: 'fibonacci',
      key: `fibonacci:${n}`,
      question: pick(random, [
        `What is the ${ordinal(n)} Fibonacci number, with F(1) = F(2) = 1?`,
        `What is the ${ordinal(n)} Fibonacci number?`,
        `What is Fibonacci number ${n}, with F(1) = F(2) = 1?`,
      ]),
      code: `a,b=0,1\nfor _ in range(${n}): a,b=b,a+b\nprint(a)`,
    };
  },
  one_not_both: (random) => {
    const n = size(random, 30, 200_000);
    const a = int(random, 2, 30);
    let b = int(random, 2, 30);
    if (b === a) b = a + 1;
    return {
      family: 'one_not_both',
      key: `one_not_both:${n}:${a}:${b}`,
      question: `How many integers from 1 to ${n} are divisible by ${a} or ${b} but not by both?`,
      code: `print(sum((n%${a}==0)!=(n%${b}==0) for n in range(1,${n}+1)))`,
    };
  },
  either: (random) => {
    const n = size(random, 30, 200_000);
    const a = int(random, 2, 30);
    let b = int(random, 2, 30);
    if (b === a) b = a + 1;
    return {
      family: 'either',
      key: `either:${n}:${a}:${b}`,
      question: `How many integers from 1 to ${n} are divisible by ${a} or ${b}?`,
      code: `print(sum(n%${a}==0 or n%${b}==0 for n in range(1,${n}+1)))`,
    };
  },
  trailing_zeros: (random) => {
    const n = size(random, 5, 5_000);
    return {
      family: 'trailing_zeros',
      key: `trailing_zeros:${n}`,
      question: pick(random, [
        `How many trailing zeros does ${n}! have?`,
        `How many zeros does ${n}! end with?`,
      ]),
      code: `import math\ns=str(math.factorial(${n}))\nprint(len(s)-len(s.rstrip('0')))`,
    };
  },
  square_sum: (random) => {
    const n = size(random, 5, 100_000);
    return {
      family: 'square_sum',
      key: `square_sum:${n}`,
      question: `What is the sum of the squares of the integers from 1 to ${n}?`,
      code: `print(sum(n*n for n in range(1,${n}+1)))`,
    };
  },
  nth_prime: (random) => {
    const n = size(random, 1, 8_000);
    return {
      family: 'nth_prime',
      key: `nth_prime:${n}`,
      question: `What is the ${ordinal(n)} prime number?`,
      code: `c,n=0,1\nwhile c<${n}:\n    n+=1\n    c+=${IS_PRIME}\nprint(n)`,
    };
  },
};

/** The starter suite's computations, never asked in training. */
const HELD_OUT = new Set([
  'prime_count:100000',
  'digit_sum:2:100',
  'fibonacci:60',
  'one_not_both:100000:7:11',
  'one_not_both:100000:11:7',
  'prime_sum:1000',
  'trailing_zeros:1000',
]);

export function isHeldOut(key: string): boolean {
  return HELD_OUT.has(key);
}

/** A seeded computation question, never one of the held-out ones. */
export function computation(random: Random): Computation {
  const names = Object.keys(FAMILIES);
  for (;;) {
    const made = FAMILIES[pick(random, names)]!(random);
    if (isHeldOut(made.key)) continue;
    const { question, ...rest } = made;
    return { ...rest, prompt: question + pick(random, SUFFIXES) };
  }
}
