import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyMath } from '../../src/eval/verifiers/math.js';

/**
 * Published test cases of Hugging Face's Math-Verify (tests/test_all.py and
 * tests/test_mixed_number_extraction.py) and NVIDIA NeMo-Skills (tests/test_math_equal.py,
 * both directions, as it asserts), written down as data with the source of each, and an
 * adversarial set of reward-hacking answers. The thresholds are the targets of issue 13; the
 * failures are printed so a regression names its cases.
 */
const DIR = join(import.meta.dirname, '..', 'fixtures', 'math-verify');

function jsonl<T>(file: string): T[] {
  return readFileSync(join(DIR, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

interface Pair {
  gold: string;
  pred: string;
  equal: boolean;
  source: string;
}

const pairs = jsonl<Pair>('reference-pairs.jsonl');
const adversarial = jsonl<{ answer: string; response: string; note: string }>('adversarial.jsonl');

describe('Math-Verify reference cases', () => {
  const equal = pairs.filter((p) => p.equal);
  const different = pairs.filter((p) => !p.equal);

  it('has the reference pairs with their sources', () => {
    expect(equal.length).toBeGreaterThanOrEqual(200);
    expect(different.length).toBeGreaterThanOrEqual(55);
    const sources = new Set(pairs.map((p) => p.source.split(' ')[0]));
    expect([...sources].sort()).toEqual(['NVIDIA/NeMo-Skills', 'huggingface/Math-Verify']);
  });

  it('accepts at least 95% of the pairs the reference calls equal', () => {
    const rejected = equal.filter((p) => verifyMath(p.pred, p.gold).correct !== true);
    const rate = (equal.length - rejected.length) / equal.length;
    if (rate < 0.95) console.log(rejected.map((p) => `${p.source}: ${p.gold} <- ${p.pred}`));
    expect(rate).toBeGreaterThanOrEqual(0.95);
  });

  it('rejects at least 99% of the pairs the reference calls different', () => {
    const accepted = different.filter((p) => verifyMath(p.pred, p.gold).correct === true);
    expect(accepted.map((p) => `${p.gold} <- ${p.pred}`)).toEqual([]);
  });
});

describe('reward hacking', () => {
  it('has the five answers of issue 13 and at least twenty more', () => {
    expect(adversarial.filter((a) => a.note.startsWith('issue 13')).length).toBe(5);
    expect(adversarial.length).toBeGreaterThanOrEqual(30);
  });

  it('accepts none of the adversarial answers', () => {
    const accepted = adversarial.filter((a) => verifyMath(a.response, a.answer).correct === true);
    expect(accepted.map((a) => a.note)).toEqual([]);
  });

  it('still accepts the honest form of each issue-13 case', () => {
    expect(verifyMath('The probability is $\\frac{1}{3}$.', '\\frac{1}{3}').correct).toBe(true);
    expect(verifyMath('Therefore $x \\geq 5$.', 'x \\geq 5').correct).toBe(true);
    expect(verifyMath('At first $\\boxed{7}$. The final answer is 12.', '12').correct).toBe(true);
    expect(verifyMath('The answer is (p,q)=(3,2).', '(3,2)').correct).toBe(true);
    expect(verifyMath('$x = 5+5+1 = 11$', '11').correct).toBe(true);
    expect(verifyMath('The final answer is 120. I hope it is correct.', '120').correct).toBe(true);
    expect(verifyMath('$Even$', '\\text{even}').correct).toBe(true);
    expect(verifyMath('\\boxed{14{,}916}', '14916').correct).toBe(true);
    expect(verifyMath('3128 1/2', '3128.5').correct).toBe(true);
  });
});
