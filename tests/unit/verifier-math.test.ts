import { describe, expect, it } from 'vitest';
import { VerifierError } from '../../src/core/errors.js';
import { lastBoxed } from '../../src/eval/verifiers/math/boxed.js';
import { extractMathAnswer } from '../../src/eval/verifiers/math/extract.js';
import { normalizeAnswer } from '../../src/eval/verifiers/math/normalize.js';
import { mathVerifier, verifyMath } from '../../src/eval/verifiers/math.js';

/** [model answer, expected answer]: each must verify as correct. */
const EQUIVALENT: [string, string][] = [
  // Integers, signs, separators, money, degrees, percentages.
  ['\\boxed{42}', '42'],
  ['\\boxed{-7}', '-7'],
  ['\\boxed{+5}', '5'],
  ['\\boxed{007}', '7'],
  ['\\boxed{1,234}', '1234'],
  ['\\boxed{1234}', '1,234'],
  ['\\boxed{1{,}000}', '1000'],
  ['\\boxed{10,\\!080}', '10080'],
  ['\\boxed{11111111100}', '11,\\! 111,\\! 111,\\! 100'],
  ['\\boxed{1,450,000}', '1450000'],
  ['\\boxed{\\$18.90}', '18.90'],
  ['\\boxed{18.9}', '\\$18.90'],
  ['$\\boxed{\\$36}$', '36'],
  ['\\boxed{30^\\circ}', '30'],
  ['\\boxed{30}', '30^{\\circ}'],
  ['\\boxed{30°}', '30'],
  ['\\boxed{50\\%}', '50'],
  ['\\boxed{50}', '50\\%'],
  ['\\boxed{50\\%}', '0.5'],
  ['\\boxed{0.5}', '50\\%'],
  ['\\boxed{12.5\\%}', '0.125'],
  ['\\boxed{\\frac{1}{2}}', '50\\%'],
  ['\\boxed{18446744073709551616}', '18446744073709551616'],
  ['\\boxed{123456789012345678901234567890}', '123456789012345678901234567890'],
  ['\\boxed{−3}', '-3'],
  // Decimals and tolerance.
  ['\\boxed{0.5}', '\\frac{1}{2}'],
  ['\\boxed{.5}', '0.5'],
  ['\\boxed{5.0}', '5'],
  ['\\boxed{5}', '5.00'],
  ['\\boxed{3.14159265}', '3.1415926500001'],
  ['\\boxed{1e3}', '1000'],
  ['\\boxed{0.3333333333}', '\\frac{1}{3}'],
  ['\\boxed{.0000672}', '0.0000672'],
  ['\\boxed{4.666666667}', '\\frac{14}{3}'],
  // Fractions.
  ['\\boxed{\\frac{3}{4}}', '3/4'],
  ['\\boxed{3/4}', '\\frac{3}{4}'],
  ['\\boxed{\\dfrac{3}{4}}', '\\frac{3}{4}'],
  ['\\boxed{\\tfrac{3}{4}}', '0.75'],
  ['\\boxed{\\frac34}', '\\frac{3}{4}'],
  ['\\boxed{\\frac 34}', '\\frac{3}{4}'],
  ['\\boxed{\\frac9{19}}', '\\frac{9}{19}'],
  ['\\boxed{\\frac{270}7}', '\\frac{270}{7}'],
  ['\\boxed{\\frac{6}{8}}', '\\frac{3}{4}'],
  ['\\boxed{-\\frac{1}{2}}', '\\frac{-1}{2}'],
  ['\\boxed{\\frac{1}{-2}}', '-0.5'],
  ['\\boxed{\\frac{9}{5}}', '1\\frac{4}{5}'],
  ['\\boxed{137.5}', '137 \\frac{1}{2}'],
  ['\\boxed{-\\frac{7}{2}}', '-3\\frac{1}{2}'],
  ['\\boxed{\\frac{\\sqrt{3}}{3}}', '\\frac{1}{\\sqrt{3}}'],
  ['\\boxed{\\frac{20000}{\\pi}}', '\\frac{20000}{\\pi}'],
  // Roots, pi, powers.
  ['\\boxed{2\\sqrt{2}}', '\\sqrt{8}'],
  ['\\boxed{\\sqrt{8}}', '2\\sqrt{2}'],
  ['\\boxed{\\sqrt2}', '\\sqrt{2}'],
  ['\\boxed{11\\sqrt2}', '11\\sqrt{2}'],
  ['\\boxed{\\sqrt{50}}', '5\\sqrt{2}'],
  ['\\boxed{\\sqrt[3]{27}}', '3'],
  ['\\boxed{\\sqrt[3]{-8}}', '-2'],
  ['\\boxed{\\frac{\\pi}{2}}', '\\pi/2'],
  ['\\boxed{\\pi/2}', '\\frac{\\pi}{2}'],
  ['\\boxed{12\\pi}', '12 \\pi'],
  ['\\boxed{2\\pi \\cdot 6}', '12\\pi'],
  ['\\boxed{18+2\\pi}', '2\\pi+18'],
  ['\\boxed{2^{10}}', '1024'],
  ['\\boxed{2^10}', '2^{10}'],
  ['\\boxed{10^{-3}}', '0.001'],
  ['\\boxed{3 \\times 4}', '12'],
  ['\\boxed{12 \\div 4}', '3'],
  ['\\boxed{\\pi}', '3.14159265358979'],
  ['\\boxed{e^2}', '7.38905609893065'],
  ['\\boxed{1+2\\sqrt{3}}', '2\\sqrt{3}+1'],
  ['\\boxed{11\\sqrt{5}+11}', '11 \\sqrt{5} + 11'],
  ['\\boxed{\\sqrt{3}\\cdot 16}', '16 \\sqrt{3}'],
  ['\\boxed{-\\sqrt{3}}', '-\\sqrt{3}'],
  ['\\boxed{\\frac{3\\sqrt{3}}{4}}', '\\frac{3}{4}\\sqrt{3}'],
  // Symbolic expressions with variables.
  ['\\boxed{x+1}', '1+x'],
  ['\\boxed{2x}', 'x+x'],
  ['\\boxed{x^2-1}', '(x-1)(x+1)'],
  ['\\boxed{(a+5)(b+2)}', 'ab+2a+5b+10'],
  ['\\boxed{p-q}', 'p - q'],
  ['\\boxed{-q+p}', 'p - q'],
  ['\\boxed{2k+2}', '2(k+1)'],
  ['\\boxed{8n^2+4n+1}', '1 + 4n + 8n^2'],
  ['\\boxed{\\frac{9a+11}{20}}', '\\frac{11+9a}{20}'],
  ['\\boxed{3R^2}', '3R^2'],
  ['\\boxed{5r^5}', '5 r^{5}'],
  ['\\boxed{\\frac{\\cos x}{\\sin x}}', '\\cot x'],
  ['\\boxed{x^3+3x-6}', '-6+3x+x^3'],
  ['\\boxed{-2+7i}', '-2 + 7i'],
  ['\\boxed{7i-2}', '-2 + 7i'],
  ['\\boxed{a_1+a_2}', 'a_{2}+a_{1}'],
  ['\\boxed{\\ln(e^2)}', '2'],
  ['\\boxed{\\log 100}', '2'],
  // Equations.
  ['\\boxed{x=5}', '5'],
  ['\\boxed{5}', 'x=5'],
  ['\\boxed{y = 2x + 3}', 'y=2x+3'],
  ['\\boxed{y=3+2x}', 'y = 2x + 3'],
  ['\\boxed{2x+3}', 'y = 2x + 3'],
  ['\\boxed{y=-2x}', 'y = -2x'],
  ['\\boxed{-5x+7y-11z-4=0}', '5x - 7y + 11z + 4 = 0'],
  ['\\boxed{10x-14y+22z+8=0}', '5x - 7y + 11z + 4 = 0'],
  ['\\boxed{x+y=1}', '2-2x=2y'],
  // Tuples, intervals, sets, lists.
  ['\\boxed{(3,4]}', '(3,4]'],
  ['\\boxed{(3, 4]}', '\\left(3,4\\right]'],
  ['\\boxed{(-\\infty, 0]}', '(-\\infty,0]'],
  ['\\boxed{(2,\\infty)}', '(2, \\infty)'],
  ['\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}', '(3,\\pi/2)'],
  ['\\boxed{(1.5, -13)}', '\\left( \\frac{3}{2}, -13 \\right)'],
  ['\\boxed{(6,31,-1)}', '(6, 31, -1)'],
  ['\\boxed{-2,1}', '1,-2'],
  ['\\boxed{3, 5, 7}', '7,3,5'],
  ['\\boxed{\\{1,2,3\\}}', '3,2,1'],
  ['\\boxed{\\{-2, 1-\\sqrt{5}, 1+\\sqrt{5}\\}}', '\\{1\\pm\\sqrt{5},-2\\}'],
  ['\\boxed{1+\\sqrt{19}, 1-\\sqrt{19}}', '1 \\pm \\sqrt{19}'],
  ['\\boxed{3-2\\sqrt{2}, 3+2\\sqrt{2}}', '3 \\pm 2 \\sqrt{2}'],
  ['\\boxed{(-1, 6)}', '-1, 6'],
  ['\\boxed{(0,9) \\cup (9,36)}', '(0,9) \\cup (9,36)'],
  ['\\boxed{(3,\\infty)\\cup(-\\infty,2)}', '(-\\infty, 2) \\cup (3, \\infty)'],
  ['\\boxed{x \\in [-2,7]}', '[-2,7]'],
  ['\\boxed{[-2,7]}', 'x \\in [-2,7]'],
  ['\\boxed{\\left[ \\frac{\\pi^2}{8}, \\frac{5\\pi^2}{4} \\right]}', '[\\pi^2/8, 5\\pi^2/4]'],
  // Matrices and vectors.
  [
    '\\boxed{\\begin{pmatrix} -1 & 0 \\\\ 0 & -1 \\end{pmatrix}}',
    '\\begin{pmatrix} -1 & 0 \\\\ 0 & -1 \\end{pmatrix}',
  ],
  [
    '\\boxed{\\begin{pmatrix} -1/3 \\\\ 2/3 \\\\ 5/3 \\end{pmatrix}}',
    '\\begin{pmatrix} -\\frac13 \\\\ \\frac23 \\\\ \\frac53 \\end{pmatrix}',
  ],
  ['\\boxed{\\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix}}', '\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}'],
  ['\\boxed{(-7, 16, 5)}', '\\begin{pmatrix} -7 \\\\ 16 \\\\ 5 \\end{pmatrix}'],
  // Units and words.
  ['\\boxed{15}', '15\\mbox{ cm}^2'],
  ['\\boxed{15\\text{ cm}^2}', '15'],
  ['\\boxed{864}', '864 \\mbox{ inches}^2'],
  ['\\boxed{5.4}', '5.4 \\text{ cents}'],
  ['\\boxed{\\frac{270}{7}}', '\\frac{270}7\\text{ degrees}'],
  ['\\boxed{5cm}', '5'],
  ['\\boxed{5 m}', '5'],
  ['The answer is 18 eggs.', '18'],
  ['\\boxed{\\text{Evelyn}}', '\\text{Evelyn}'],
  ['\\boxed{evelyn}', '\\text{Evelyn}'],
  ['\\boxed{\\text{east}}', 'East'],
  ['\\boxed{B}', '\\text{(B)}'],
  ['\\boxed{(C)}', '\\text{(C)}'],
  ['\\boxed{204_5}', '204_{5}'],
  ['\\boxed{4210_{5}}', '4210_5'],
  // Extraction: where the answer sits in the text.
  ['Adding them gives 16 - 3 - 4 = 9, so 9 * 2 = 18.\n#### 18', '18'],
  ['She made $70,000 profit.\n#### 70,000', '70000'],
  ['The answer is 42.', '42'],
  ['the answer is: 42', '42'],
  ['The final answer is $\\frac{1}{2}$.', '0.5'],
  ['The final answer is \\(\\frac{1}{2}\\), as shown.', '0.5'],
  ['Final answer: 17', '17'],
  ['**Final answer:** **17**', '17'],
  ['Answer: $\\$32,\\!348$.', '32348'],
  ['We get 3 + 4 = 7, then multiply: 7 * 6 = 42', '42'],
  ['I think the result is 1,234.', '1234'],
  ['2\\sqrt{2}', '\\sqrt{8}'],
  ['$\\frac{14}{3}$', '\\frac{14}{3}'],
  ['x = 5', '5'],
  ['(3, 4]', '(3,4]'],
  ['First \\boxed{3}, then corrected: \\boxed{4}', '4'],
  ['\\boxed{\\frac{\\sqrt{21}}{5}}', '\\frac{\\sqrt{21}}{5}'],
  ['\\fbox{12}', '12'],
  ['\\boxed 7', '7'],
  ['<think>maybe \\boxed{3}</think>So it is \\boxed{5}', '5'],
  ['<think>The sum is 3.</think>The answer is 5.', '5'],
  ['$$\\boxed{1.25}$$', '\\frac{5}{4}'],
  ['\\[ \\boxed{\\dfrac{17}{50}} \\]', '0.34'],
  ['#### Solution\nWe add 2 and 3.\nThe answer is 5.', '5'],
  ['#### Step 1\n2 + 3 = 5\n#### Step 2\nSo we get 5 apples', '5'],
  ['#### -12', '-12'],
  ['#### $1,200', '1200'],
  ['#### \\frac{1}{2}', '0.5'],
];

/** [model answer, expected answer]: each must verify as wrong. */
const DIFFERENT: [string, string][] = [
  ['\\boxed{41}', '42'],
  ['\\boxed{-42}', '42'],
  ['\\boxed{4.2}', '42'],
  ['\\boxed{420}', '42'],
  ['\\boxed{18446744073709551617}', '18446744073709551616'],
  ['\\boxed{123456789012345678901234567891}', '123456789012345678901234567890'],
  ['\\boxed{0.5}', '50'],
  ['\\boxed{50}', '0.5'],
  ['\\boxed{5\\%}', '50\\%'],
  ['\\boxed{0.333}', '\\frac{1}{3}'],
  ['\\boxed{3.14}', '\\pi'],
  ['\\boxed{1.41}', '\\sqrt{2}'],
  ['\\boxed{\\frac{4}{3}}', '\\frac{3}{4}'],
  ['\\boxed{\\frac{1}{2}}', '\\frac{1}{3}'],
  ['\\boxed{2\\sqrt{3}}', '\\sqrt{8}'],
  ['\\boxed{\\sqrt{2}}', '2'],
  ['\\boxed{\\pi}', '2\\pi'],
  ['\\boxed{\\frac{\\pi}{3}}', '\\frac{\\pi}{2}'],
  ['\\boxed{2^{11}}', '1024'],
  ['\\boxed{x+2}', 'x+1'],
  ['\\boxed{x^2+1}', '(x+1)^2'],
  ['\\boxed{2x}', 'x^2'],
  ['\\boxed{p+q}', 'p - q'],
  ['\\boxed{ab}', 'a+b'],
  ['\\boxed{2k}', '2k+2'],
  ['\\boxed{-2-7i}', '-2 + 7i'],
  ['\\boxed{x=6}', '5'],
  ['\\boxed{y=2x-3}', 'y = 2x + 3'],
  ['\\boxed{5x-7y+11z-4=0}', '5x - 7y + 11z + 4 = 0'],
  ['\\boxed{(3,4)}', '(3,4]'],
  ['\\boxed{[3,4]}', '(3,4]'],
  ['\\boxed{(4,3]}', '(3,4]'],
  ['\\boxed{(1,2,3)}', '(1,2)'],
  ['\\boxed{(2,-1)}', '(-1,2)'],
  ['\\boxed{(-\\infty,0)}', '(-\\infty, 0]'],
  ['\\boxed{(0,9)}', '(0,9) \\cup (9,36)'],
  ['\\boxed{(0,9) \\cup (9,37)}', '(0,9) \\cup (9,36)'],
  ['\\boxed{1,2}', '1,2,3'],
  ['\\boxed{1,1,2}', '1,2,2'],
  ['\\boxed{1+\\sqrt{19}}', '1 \\pm \\sqrt{19}'],
  ['\\boxed{\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}}', '\\begin{pmatrix} 2 \\\\ 1 \\end{pmatrix}'],
  [
    '\\boxed{\\begin{pmatrix} 1 & 0 \\\\ 0 & 1 \\end{pmatrix}}',
    '\\begin{pmatrix} 1 & 0 \\\\ 0 & -1 \\end{pmatrix}',
  ],
  ['\\boxed{\\text{Navin}}', '\\text{Evelyn}'],
  ['\\boxed{west}', '\\text{east}'],
  ['\\boxed{A}', '\\text{(B)}'],
  ['\\boxed{2x}', '2'],
  ['\\boxed{2ab}', '2'],
  ['\\boxed{204_6}', '204_5'],
  ['\\boxed{204}', '204_5'],
  ['\\boxed{9!}', '362880'],
  ['\\boxed{\\frac{9}{4}}', '1\\frac{4}{5}'],
  ['The answer is 17.', '18'],
  ['#### 17', '18'],
  ['I computed 18 but the answer is 17.', '18'],
  ['\\boxed{18} was my first guess; \\boxed{17} is final', '18'],
  ['We have 18 eggs and sell them for 3 each.', '18'],
  ['', '18'],
  ['I do not know.', '18'],
  ['<think>\\boxed{18}</think>I am not sure.', '18'],
];

describe('the math verifier on equivalent answers', () => {
  it.each(EQUIVALENT)('%s is correct for %s', (answer, expected) => {
    const result = verifyMath(answer, expected);
    expect(result.correct, JSON.stringify(result.details)).toBe(true);
  });
});

describe('the math verifier on wrong answers', () => {
  it.each(DIFFERENT)('%s is wrong for %s', (answer, expected) => {
    const result = verifyMath(answer, expected);
    expect(result.correct, JSON.stringify(result.details)).toBe(false);
  });
});

describe('the math verifier', () => {
  it('records the extracted answer, the expected one and how they were compared', () => {
    const result = verifyMath('So the total is \\boxed{\\frac{1}{2}}.', '0.5');
    expect(result).toEqual({
      correct: true,
      extracted: '\\frac{1}{2}',
      expected: '0.5',
      details: {
        extraction: 'boxed',
        comparison: 'expression',
        normalized: { extracted: '\\frac{1}{2}', expected: '0.5' },
      },
      explanation:
        'answer "\\frac{1}{2}" from the last \\boxed{} equals reference "0.5" (compared as expression)',
    });
  });

  it('scores a missing final answer as wrong, not as unscorable', () => {
    expect(verifyMath(null, '1')).toEqual({
      correct: false,
      extracted: null,
      expected: '1',
      details: { reason: 'no final answer' },
      explanation: 'no final answer',
    });
  });

  it('uses the task tolerance instead of the default', async () => {
    const task = { id: 't', prompt: 'x', answer: '3.14159', verifier: 'math' as const, tags: [] };
    expect((await mathVerifier.verify(task, '\\boxed{3.14}', {})).correct).toBe(false);
    const loose = { ...task, tolerance: 0.01 };
    expect((await mathVerifier.verify(loose, '\\boxed{3.14}', {})).correct).toBe(true);
  });

  it('compares integers exactly even with a tolerance', async () => {
    const task = {
      id: 't',
      prompt: 'x',
      answer: '1000000',
      verifier: 'math' as const,
      tags: [],
      tolerance: 0.01,
    };
    expect((await mathVerifier.verify(task, '\\boxed{1000001}', {})).correct).toBe(false);
  });

  it('throws a verifier error for a task without an answer', async () => {
    const task = { id: 't', prompt: 'x', verifier: 'math' as const, tags: [] };
    await expect(mathVerifier.verify(task, '1', {})).rejects.toBeInstanceOf(VerifierError);
  });

  it('is version 1 under the name math', () => {
    expect([mathVerifier.name, mathVerifier.version]).toEqual(['math', '2']);
  });
});

describe('the math verifier on hostile input', () => {
  it('does not evaluate huge powers or factorials exactly', () => {
    expect(verifyMath('\\boxed{9^{9^{9^{9}}}}', '1').correct).toBe(false);
    expect(verifyMath('\\boxed{10^{10^{10}}}', '10^{10^{10}}').correct).toBe(true);
    expect(verifyMath('\\boxed{100000!}', '1').correct).toBe(false);
  });

  it('finishes on deeply nested, unbalanced and very long answers', () => {
    const nested = `\\boxed{${'\\frac{1}{'.repeat(400)}2${'}'.repeat(400)}}`;
    expect(verifyMath(nested, '1').correct).toBe(false);
    const unclosed = '\\boxed{'.repeat(100_000);
    expect(verifyMath(unclosed, '1').correct).toBe(false);
    const long = `${'1 + '.repeat(200_000)}1`;
    expect(verifyMath(long, '1').correct).toBe(true);
    const boxedLong = `\\boxed{${'x+'.repeat(5000)}x}`;
    expect(verifyMath(boxedLong, '1').details['reason']).toBe('answer longer than 2000 characters');
    const units = `1 ${'a'.repeat(1500)}!`;
    expect(verifyMath(`\\boxed{${units}}`, '1').correct).toBe(false);
  });

  it('refuses assignments, property access and function definitions in answers', () => {
    expect(verifyMath('\\boxed{f(x) := 2}', '2').correct).toBe(false);
    expect(verifyMath('\\boxed{a.b}', '1').correct).toBe(false);
    expect(verifyMath('\\boxed{import(1)}', '1').correct).toBe(false);
  });
});

describe('answer extraction', () => {
  it('takes the last box and keeps nested braces', () => {
    expect(lastBoxed('\\boxed{1} and \\boxed{\\frac{a}{\\sqrt{b}}}')).toBe('\\frac{a}{\\sqrt{b}}');
    expect(lastBoxed('\\boxed{\\{1, 2\\}}')).toBe('\\{1, 2\\}');
    expect(lastBoxed('\\boxed{unclosed')).toBeNull();
    expect(lastBoxed('no box')).toBeNull();
  });

  it('prefers a box, then ####, then an answer phrase, then a bare expression, then the last number', () => {
    expect(extractMathAnswer('#### 3 and \\boxed{4}')).toEqual({ value: '4', method: 'boxed' });
    expect(extractMathAnswer('The answer is 5\n#### 6')).toEqual({ value: '6', method: 'gsm8k' });
    expect(extractMathAnswer('so 3 + 4 = 7. The answer is 7.')).toEqual({
      value: '7',
      method: 'phrase',
    });
    expect(extractMathAnswer('\\frac{\\pi}{2}')).toEqual({
      value: '\\frac{\\pi}{2}',
      method: 'whole',
    });
    expect(extractMathAnswer('it was 3 then 8 apples')).toEqual({
      value: '8',
      method: 'last_number',
    });
    expect(extractMathAnswer('nothing here')).toBeNull();
  });
});

describe('normalization', () => {
  it.each([
    ['\\left( 3, \\frac{\\pi}{2} \\right)', '( 3, \\frac{\\pi}{2} )'],
    ['\\$1,234.50', '1234.50'],
    ['10,\\!080', '10080'],
    ['15\\mbox{ cm}^2', '15'],
    ['30^\\circ', '30'],
    ['\\dfrac{1}{2}', '\\frac{1}{2}'],
    ['x \\in [-2,7]', '[-2,7]'],
    ['\\text{Evelyn}', 'Evelyn'],
    ['2x', '2x'],
    ['3R^2', '3R^2'],
    ['1\\frac{4}{5}', '(1+\\frac{4}{5})'],
    ['50\\%', '50%'],
  ])('%s becomes %s', (raw, normalized) => {
    expect(normalizeAnswer(raw)).toBe(normalized);
  });
});
