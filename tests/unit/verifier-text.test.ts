import { describe, expect, it } from 'vitest';
import { VerifierError } from '../../src/core/errors.js';
import type { Task } from '../../src/eval/task-schema.js';
import { choiceVerifier, extractChoice } from '../../src/eval/verifiers/choice.js';
import { exactVerifier } from '../../src/eval/verifiers/exact.js';
import { regexVerifier } from '../../src/eval/verifiers/regex.js';
import { getVerifier, verifierVersions } from '../../src/eval/verifiers/registry.js';

function task(fields: Partial<Task>): Task {
  return { id: 't', prompt: 'q', verifier: 'exact', tags: [], ...fields };
}

describe('the exact verifier', () => {
  const paris = task({ answer: 'Paris' });

  it.each([
    'Paris',
    'paris',
    '  PARIS  ',
    'Paris.',
    '"Paris"',
    '**Paris**',
    '`Paris`',
    '“Paris”',
    'The answer is Paris.',
    'Final answer: **Paris**',
    'I looked it up.\nAnswer: Paris',
    '\\boxed{Paris}',
  ])('accepts %j for Paris', async (answer) => {
    expect((await exactVerifier.verify(paris, answer, {})).correct).toBe(true);
  });

  it.each(['London', 'Paris, France', 'Pariss', 'It is probably Paris or Lyon', ''])(
    'rejects %j for Paris',
    async (answer) => {
      expect((await exactVerifier.verify(paris, answer, {})).correct).toBe(false);
    },
  );

  it('collapses inner whitespace and case on both sides', async () => {
    const result = await exactVerifier.verify(task({ answer: 'Edda  Marsk' }), 'edda marsk', {});
    expect(result.correct).toBe(true);
  });

  it('scores no answer as wrong with nothing extracted', async () => {
    expect(await exactVerifier.verify(paris, null, {})).toEqual({
      correct: false,
      extracted: null,
      expected: 'Paris',
      details: { reason: 'no final answer' },
    });
  });

  it('records which part of the answer it compared', async () => {
    const result = await exactVerifier.verify(paris, 'Final answer: Lyon', {});
    expect(result).toMatchObject({
      correct: false,
      extracted: 'Lyon',
      details: { method: 'phrase', normalized: 'lyon' },
    });
  });
});

describe('the regex verifier', () => {
  const zip = task({ verifier: 'regex', pattern: '\\b\\d{5}\\b' });

  it('searches the answer by default', async () => {
    const result = await regexVerifier.verify(zip, 'My zip code is 90210, thanks.', {});
    expect(result).toEqual({
      correct: true,
      extracted: '90210',
      expected: '\\b\\d{5}\\b',
      details: { pattern: '\\b\\d{5}\\b', flags: '', match: 'search', index: 15 },
    });
    expect((await regexVerifier.verify(zip, 'no digits here', {})).correct).toBe(false);
  });

  it('requires the whole trimmed answer to match in full mode', async () => {
    const full = task({ verifier: 'regex', pattern: '\\d{5}', match: 'full' });
    expect((await regexVerifier.verify(full, '  90210\n', {})).correct).toBe(true);
    expect((await regexVerifier.verify(full, 'zip 90210', {})).correct).toBe(false);
    const alternatives = task({ verifier: 'regex', pattern: 'yes|no', match: 'full' });
    expect((await regexVerifier.verify(alternatives, 'yes or no', {})).correct).toBe(false);
  });

  it('applies the task flags', async () => {
    const caseless = task({ verifier: 'regex', pattern: '^paris$', flags: 'i', match: 'full' });
    expect((await regexVerifier.verify(caseless, 'PARIS', {})).correct).toBe(true);
  });

  it('uses the answer field as the expected value when there is one', async () => {
    const withAnswer = task({ verifier: 'regex', pattern: '4\\s*2', answer: '42' });
    expect((await regexVerifier.verify(withAnswer, '4 2', {})).expected).toBe('42');
  });

  it('stops a catastrophically backtracking pattern and reports a verifier error', async () => {
    const evil = task({ verifier: 'regex', pattern: '^(a+)+$' });
    const error = await regexVerifier
      .verify(evil, `${'a'.repeat(40)}!`, {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerifierError);
    expect((error as Error).message).toContain('ran longer than 500 ms');
  });
});

describe('the choice verifier', () => {
  it.each([
    ['C', 'C', 'alone'],
    ['(C)', 'C', 'alone'],
    ['c', 'C', 'alone'],
    ['**C**', 'C', 'alone'],
    ['C.', 'C', 'alone'],
    ['The answer is (C).', 'C', 'phrase'],
    ['The answer is C because 7 is prime.', 'C', 'phrase'],
    ['Answer: B', 'B', 'phrase'],
    ['**Answer:** D', 'D', 'phrase'],
    ['answer is option E', 'E', 'phrase'],
    ['The answer is [J]', 'J', 'phrase'],
    ['Therefore \\boxed{C}', 'C', 'boxed'],
    ['Therefore \\boxed{\\text{(D)}}', 'D', 'boxed'],
    ['I considered (A) and (B) but (D) fits.', 'D', 'marked'],
    ['Options:\nA) no\nB) yes', 'B', 'marked'],
    ['It must be **B** here.', 'B', 'marked'],
    ['I think it is B', 'B', 'last_letter'],
    ['A good guess is E', 'E', 'last_letter'],
  ])('reads %j as %s (%s)', (text, letter, method) => {
    expect(extractChoice(text)).toEqual({ letter, method });
  });

  it.each(['I think so', 'A lot of them', 'none of these', ''])('finds no letter in %j', (text) => {
    expect(extractChoice(text)).toBeNull();
  });

  it('only accepts letters within the number of choices', () => {
    expect(extractChoice('Answer: E', 'ABCD')?.letter).not.toBe('E');
  });

  it('maps the text of a choice to its letter', async () => {
    const mcq = task({ verifier: 'choice', answer: 'C', choices: ['4', '6', 'seven'] });
    const result = await choiceVerifier.verify(mcq, 'Seven.', {});
    expect(result).toEqual({
      correct: true,
      extracted: 'C',
      expected: 'C',
      details: { method: 'choice_text' },
    });
  });

  it('scores the wrong letter as wrong and no letter as wrong', async () => {
    const mcq = task({ verifier: 'choice', answer: 'c' });
    expect((await choiceVerifier.verify(mcq, 'The answer is (B).', {})).correct).toBe(false);
    expect(await choiceVerifier.verify(mcq, 'no idea', {})).toEqual({
      correct: false,
      extracted: null,
      expected: 'C',
      details: { reason: 'no choice letter found' },
    });
  });
});

describe('the verifier registry', () => {
  it('has a versioned verifier for every name a suite accepts', () => {
    expect(verifierVersions()).toEqual({
      math: '2',
      exact: '1',
      regex: '1',
      choice: '1',
      code_tests: '2',
      js: '1',
    });
    expect(getVerifier('choice')).toBe(choiceVerifier);
  });

  it('refuses unknown and prototype names', () => {
    expect(() => getVerifier('llm_judge')).toThrow('unknown verifier "llm_judge"');
    expect(() => getVerifier('__proto__')).toThrow(VerifierError);
    expect(() => getVerifier('constructor')).toThrow(VerifierError);
  });
});
