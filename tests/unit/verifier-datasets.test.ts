import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compact, normalizeAnswer } from '../../src/eval/verifiers/math/normalize.js';
import { verifyMath } from '../../src/eval/verifiers/math.js';

/**
 * The reference answers of the real GSM8K and MATH-500 test sets, checked against their own
 * worked solutions. Agreement on MATH-500 was 500 of 500 when this was written; the rewrites
 * and cross-checks below are what keep it honest, since a verifier that said "yes" to
 * everything would also agree with every reference.
 */
const DATASETS = join(import.meta.dirname, '..', 'fixtures', 'datasets');

function rows(file: string): { question: string; answer: string }[] {
  return readFileSync(join(DATASETS, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { question: string; answer: string });
}

const gsm8k = rows('gsm8k/test.jsonl').map((row) => {
  const final = /####\s*(.+)$/.exec(row.answer)?.[1] ?? '';
  return { solution: row.answer, reference: final.replace(/,/g, '').trim() };
});

const ANSWER_TAIL = 'The answer is: ';
const math500 = rows('math500/test.jsonl').map((row) => {
  const tail = row.answer.lastIndexOf(ANSWER_TAIL);
  return {
    solution: row.answer.slice(0, tail),
    reference: row.answer.slice(tail + ANSWER_TAIL.length).trim(),
  };
});

function failures(pairs: { answer: string; expected: string }[]): string[] {
  return pairs
    .filter((p) => verifyMath(p.answer, p.expected).correct !== true)
    .map((p) => `${p.expected} <- ${p.answer.slice(-80)}`);
}

describe('GSM8K reference answers', () => {
  it('has all 1319 test problems', () => {
    expect(gsm8k).toHaveLength(1319);
  });

  it('verifies every #### answer against its own full solution', () => {
    expect(failures(gsm8k.map((g) => ({ answer: g.solution, expected: g.reference })))).toEqual([]);
  });

  it('verifies every answer written in a sentence, with separators and dollars', () => {
    const pairs = gsm8k.map((g) => {
      const withCommas = Number(g.reference).toLocaleString('en-US', { maximumFractionDigits: 10 });
      return { answer: `So the total comes to $${withCommas}.`, expected: g.reference };
    });
    expect(failures(pairs)).toEqual([]);
  });

  it('verifies every reference answer against itself, written bare and boxed', () => {
    const pairs = gsm8k.flatMap((g) => [
      { answer: g.reference, expected: g.reference },
      { answer: `\\boxed{${g.reference}}`, expected: g.reference },
    ]);
    expect(pairs).toHaveLength(2638);
    expect(failures(pairs)).toEqual([]);
  });

  it('rejects every reference answer plus one', () => {
    const accepted = gsm8k.filter(
      (g) => verifyMath(`#### ${Number(g.reference) + 1}`, g.reference).correct !== false,
    );
    expect(accepted).toEqual([]);
  });
});

describe('MATH-500 reference answers', () => {
  it('has all 500 test problems, each with a boxed solution', () => {
    expect(math500).toHaveLength(500);
    expect(math500.every((m) => m.solution.includes('\\boxed'))).toBe(true);
  });

  it('verifies every answer against the \\boxed{} of its own solution (500 of 500)', () => {
    const failed = failures(math500.map((m) => ({ answer: m.solution, expected: m.reference })));
    expect(failed).toEqual([]);
  });

  it('verifies every answer rewritten the ways models write it', () => {
    const rewrites = (r: string) => [
      `The answer is $${r}$.`,
      `Final answer: ${r}`,
      `\\boxed{${r.replace(/\\frac/g, '\\dfrac')}}`,
      `$\\boxed{ ${r.replace(/ /g, '')} }$ and 7 more words`,
      `\\boxed{${r.replace(/\\left|\\right/g, '')}}`,
    ];
    const pairs = math500.flatMap((m) =>
      rewrites(m.reference).map((answer) => ({ answer, expected: m.reference })),
    );
    expect(pairs).toHaveLength(2500);
    expect(failures(pairs)).toEqual([]);
  });

  it('verifies every reference answer against itself, written bare and boxed (1000 pairs)', () => {
    const pairs = math500.flatMap((m) => [
      { answer: m.reference, expected: m.reference },
      { answer: `\\boxed{${m.reference}}`, expected: m.reference },
    ]);
    expect(pairs).toHaveLength(1000);
    expect(failures(pairs)).toEqual([]);
  });

  it('verifies numeric answers given as decimals', () => {
    const numeric = math500.filter((m) => /^-?\\frac\{\d+\}\{\d+\}$/.test(m.reference));
    expect(numeric.length).toBeGreaterThan(30);
    const pairs = numeric.map((m) => {
      const [top, bottom] = [...m.reference.matchAll(/\{(\d+)\}/g)].map((g) => Number(g[1]));
      const sign = m.reference.startsWith('-') ? -1 : 1;
      return {
        answer: `\\boxed{${((sign * top!) / bottom!).toPrecision(12)}}`,
        expected: m.reference,
      };
    });
    expect(failures(pairs)).toEqual([]);
  });

  it('rejects the answers of other problems (2,400+ pairs, no false positives)', () => {
    const pairs: { answer: string; expected: string }[] = [];
    for (let i = 0; i < math500.length; i++) {
      for (let k = 1; k <= 5; k++) {
        const other = math500[(i + k * 37) % math500.length]!.reference;
        const own = math500[i]!.reference;
        if (compact(normalizeAnswer(other)) !== compact(normalizeAnswer(own)))
          pairs.push({ answer: `\\boxed{${other}}`, expected: own });
      }
    }
    expect(pairs.length).toBeGreaterThan(2400);
    const accepted = pairs.filter((p) => verifyMath(p.answer, p.expected).correct !== false);
    expect(accepted).toEqual([]);
  });
});
