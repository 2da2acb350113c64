import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { importGsm8k } from '../../src/eval/importers/gsm8k.js';
import { BOXED_INSTRUCTION } from '../../src/eval/importers/instruction.js';
import { importMath500 } from '../../src/eval/importers/math500.js';
import { sampleItems } from '../../src/eval/importers/sample.js';
import { loadSuite } from '../../src/eval/suite.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DATASETS = join(ROOT, 'tests', 'fixtures', 'datasets');
const GSM8K = join(DATASETS, 'gsm8k', 'test.jsonl');
const MATH500 = join(DATASETS, 'math500', 'test.jsonl');
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'suites');

describe('importGsm8k', () => {
  it('imports every GSM8K test question with its #### answer, commas removed', async () => {
    const tasks = await importGsm8k(GSM8K);
    expect(tasks).toHaveLength(1319);
    expect(tasks[0]).toMatchObject({
      id: 'gsm8k-0',
      answer: '18',
      verifier: 'math',
      tags: ['gsm8k'],
    });
    expect(tasks[0]?.prompt).toMatch(/^Janet’s ducks lay 16 eggs per day\./);
    expect(tasks[0]?.prompt?.endsWith(BOXED_INSTRUCTION)).toBe(true);
    expect(tasks.every((t) => /^-?\d+(\.\d+)?$/.test(t.answer ?? ''))).toBe(true);
    expect(tasks.some((t) => t.answer === '1450000')).toBe(true);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(1319);
  });

  it('keeps the question as it is when the instruction is turned off', async () => {
    const tasks = await importGsm8k(GSM8K, { instruction: null });
    expect(tasks[1]?.prompt).toBe(
      'A robe takes 2 bolts of blue fiber and half that much white fiber.  How many bolts in total does it take?',
    );
  });

  it('names the line of a row without a final answer', async () => {
    const error = await importGsm8k(join(FIXTURES, 'math500-hub.jsonl')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      'math500-hub.jsonl:1: "question": expected string, got nothing',
    );
  });
});

describe('importMath500', () => {
  it('imports the PRM800K layout with the answer after "The answer is:"', async () => {
    const tasks = await importMath500(MATH500);
    expect(tasks).toHaveLength(500);
    expect(tasks[0]).toMatchObject({
      id: 'math500-0',
      answer: '\\left( 3, \\frac{\\pi}{2} \\right)',
      verifier: 'math',
      tags: ['math500'],
    });
    expect(tasks[1]?.answer).toBe('p - q');
    expect(tasks.every((t) => t.prompt?.endsWith(BOXED_INSTRUCTION))).toBe(true);
  });

  it('imports the Hugging Face layout with tags from subject and level', async () => {
    const tasks = await importMath500(join(FIXTURES, 'math500-hub.jsonl'), { instruction: null });
    expect(tasks.map((t) => [t.id, t.answer, t.tags])).toEqual([
      [
        'math500-precalculus-807',
        '\\left( 3, \\frac{\\pi}{2} \\right)',
        ['math500', 'precalculus', 'level-2'],
      ],
      ['math500-number-theory-572', '9', ['math500', 'number-theory', 'level-3']],
      [
        'math500-intermediate-algebra-1',
        '\\frac{11}{3}',
        ['math500', 'intermediate-algebra', 'level-1'],
      ],
    ]);
    expect(tasks[1]?.prompt).toBe('How many positive whole-number divisors does 196 have?');
  });
});

describe('sampleItems', () => {
  const items = Array.from({ length: 100 }, (_, i) => i);

  it('takes the first items without a seed', () => {
    expect(sampleItems(items, { limit: 3 })).toEqual([0, 1, 2]);
  });

  it('takes the same random sample for the same seed, in source order', () => {
    const a = sampleItems(items, { limit: 10, seed: 7 });
    expect(sampleItems(items, { limit: 10, seed: 7 })).toEqual(a);
    expect(a).toEqual([...a].sort((x, y) => x - y));
    expect(new Set(a).size).toBe(10);
    expect(sampleItems(items, { limit: 10, seed: 8 })).not.toEqual(a);
    expect(a).not.toEqual(items.slice(0, 10));
  });

  it('refuses a seed without a limit', () => {
    expect(() => sampleItems(items, { seed: 1 })).toThrow('--seed needs --limit');
  });
});

describe('the shipped sample suites', () => {
  it.each([
    ['gsm8k', 'gsm8k-sample.jsonl', importGsm8k, GSM8K],
    ['math500', 'math500-sample.jsonl', importMath500, MATH500],
  ] as const)(
    '%s: 20 valid tasks, exactly the importer sample for seed 6',
    async (_name, file, importer, source) => {
      const path = join(ROOT, 'examples', 'suites', file);
      const suite = await loadSuite(path);
      expect(suite.tasks).toHaveLength(20);
      const expected = sampleItems(await importer(source), { limit: 20, seed: 6 });
      expect(suite.tasks).toEqual(expected);
      const text = await readFile(path, 'utf8');
      expect(text).toBe(`${expected.map((t) => JSON.stringify(t)).join('\n')}\n`);
    },
  );
});
