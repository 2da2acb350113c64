import { describe, expect, it } from 'vitest';
import { UsageError, VerifierError } from '../../src/core/errors.js';
import { verifyMath } from '../../src/eval/verifiers/math.js';
import { verify } from '../../src/verifiers.js';

describe('verify() from assay/verifiers', () => {
  it('scores a math answer and explains what it compared', async () => {
    const result = await verify({
      verifier: 'math',
      response: 'So $x = \\frac{6}{8}$, and the final answer is $\\boxed{\\frac{3}{4}}$.',
      answer: '0.75',
    });
    expect(result).toMatchObject({ correct: true, reward: 1, extracted: '\\frac{3}{4}' });
    expect(result.explanation).toContain('from the last \\boxed{}');
    expect(result.explanation).toContain('equals reference "0.75"');
  });

  it('gives reward 0 with the reason for a wrong math answer', async () => {
    const result = await verify({ verifier: 'math', response: 'AZYUK2A', answer: 2 });
    expect(result).toMatchObject({ correct: false, reward: 0, extracted: null });
    expect(result.explanation).toMatch(/^no answer found/);
  });

  it('runs exact, regex and choice with their options', async () => {
    expect(await verify({ verifier: 'exact', response: 'Paris.', answer: 'paris' })).toMatchObject({
      correct: true,
      reward: 1,
    });
    const regex = await verify({
      verifier: 'regex',
      response: 'order #A-1234 shipped',
      options: { pattern: '#[A-Z]-\\d{4}' },
    });
    expect(regex).toMatchObject({ correct: true, reward: 1 });
    expect(regex.explanation).toContain('pattern /#[A-Z]-\\d{4}/');
    const choice = await verify({
      verifier: 'choice',
      response: 'The answer is (C).',
      answer: 'C',
      options: { choices: ['1', '2', '3', '4'] },
    });
    expect(choice).toMatchObject({ correct: true, extracted: 'C' });
  });

  it('runs a js scoring function in its isolate', async () => {
    const result = await verify({
      verifier: 'js',
      response: '42',
      options: { function: '(answer) => answer.trim() === "42"' },
    });
    expect(result).toMatchObject({ correct: true, reward: 1 });
  });

  it('reports a verifier that cannot run as not scored, never as reward 0', async () => {
    const result = await verify({
      verifier: 'code_tests',
      response: '```python\ndef f():\n    return 1\n```',
      options: { tests: 'assert f() == 1' },
    });
    expect(result.correct).toBeNull();
    expect(result.reward).toBeNull();
    expect(result.error?.code).toBe('VERIFIER_FAILED');
    expect(result.explanation).toMatch(/^not scored: /);
  });

  it('names the field when the input is wrong', async () => {
    await expect(verify({ verifier: 'math', response: '1' })).rejects.toThrow(
      /"answer": required by verifier "math"/,
    );
    await expect(
      verify({ verifier: 'regex', response: '1', options: { pattern: '(' } }),
    ).rejects.toThrow(UsageError);
    await expect(
      verify({ verifier: 'nope' as 'math', response: '1', answer: '1' }),
    ).rejects.toThrow(/unknown verifier "nope"/);
  });
});

describe('the math time budget', () => {
  it('turns a check past its budget into a verifier error, not a wrong answer', () => {
    expect(() => verifyMath('\\boxed{x^2-1}', '(x-1)(x+1)', 1e-6, -1)).toThrow(VerifierError);
    expect(() => verifyMath('\\boxed{x^2-1}', '(x-1)(x+1)', 1e-6, -1)).toThrow(
      /took longer than -1 ms; the answer is not scored/,
    );
  });
});
