import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { greedyWarning } from '../../src/cli/eval-action.js';
import { modelFromOptions } from '../../src/cli/model-options.js';
import { parseArms } from '../../src/eval/run/arms.js';
import { parallelSamples } from '../../src/eval/run/strategy-spec.js';
import { loadSuite, parseTask } from '../../src/eval/suite.js';

const ENABLED = ['calculator', 'python'];

function errorOf(spec: string): string {
  try {
    parseArms(spec, ENABLED);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`parseArms accepted ${spec}`);
}

describe('parsing strategies in --arms', () => {
  it('keeps plain arms free of any strategy, as before strategies existed', () => {
    expect(parseArms('tools,no-tools', ENABLED)).toEqual([
      { name: 'tools', tools: ENABLED },
      { name: 'no-tools', tools: [] },
    ]);
  });

  it('reads the worked example of the issue, one strategy per arm', () => {
    const arms = parseArms(
      'tools,no-tools,vote8=@vote:8,tools-vote4=calculator+python@vote:4,refine=@refine:2:self,refine-tools=calculator@refine:2:tools,pick=@best:4:judge',
      ENABLED,
    );
    expect(arms.map((a) => [a.name, a.tools, a.strategy])).toEqual([
      ['tools', ENABLED, undefined],
      ['no-tools', [], undefined],
      ['vote8', [], { name: 'vote', k: 8 }],
      ['tools-vote4', ['calculator', 'python'], { name: 'vote', k: 4 }],
      ['refine', [], { name: 'refine', rounds: 2, feedback: 'self' }],
      ['refine-tools', ['calculator'], { name: 'refine', rounds: 2, feedback: 'tools' }],
      ['pick', [], { name: 'best', n: 4, selector: 'judge' }],
    ]);
  });

  it('combines an effort with a strategy in either order, and on the built-in arms', () => {
    const arms = parseArms(
      'tools-low=calculator@effort:low,v=@vote:2@effort:high,w=@effort:medium@vote:3,tools@effort:low',
      ENABLED,
    );
    expect(arms[0]).toEqual({ name: 'tools-low', tools: ['calculator'], effort: 'low' });
    expect(arms[1]).toEqual({
      name: 'v',
      tools: [],
      strategy: { name: 'vote', k: 2 },
      effort: 'high',
    });
    expect(arms[2]).toEqual({
      name: 'w',
      tools: [],
      strategy: { name: 'vote', k: 3 },
      effort: 'medium',
    });
    expect(arms[3]).toEqual({ name: 'tools', tools: ENABLED, effort: 'low' });
  });

  it.each([
    ['v=@vote:0', 'arm "v": K of vote:K must be a whole number from 1 to 64; got "0"'],
    ['v=@vote:1000', 'arm "v": K of vote:K must be a whole number from 1 to 64; got "1000"'],
    ['v=@vote:2.5', 'arm "v": K of vote:K must be a whole number'],
    ['v=@vote', 'arm "v": "vote" should be vote:K'],
    ['b=@best:4', 'arm "b": "best:4" should be best:N:judge'],
    ['b=@best:4:oracle', 'arm "b": "best:4:oracle": best-of-n picks with "judge"'],
    [
      'r=@refine:2:peer',
      'arm "r": "refine:2:peer": the feedback is self, tools or tests; got "peer"',
    ],
    ['r=@refine:99:self', 'arm "r": R of refine:R must be a whole number from 1 to 8'],
    [
      'e=@effort:extreme',
      'arm "e": "effort:extreme" is not effort:low, effort:medium or effort:high',
    ],
    ['e=@effort:low@effort:high', 'arm "e": gives effort twice'],
    ['two=@vote:2@refine:1:self', 'arm "two": gives two strategies ("vote" and "refine")'],
    ['x=@beam:4', 'arm "x": unknown strategy "beam:4"'],
    ['rt=@refine:2:tools', 'arm "rt" uses refine:…:tools but has no tools'],
    ['c=ruler@vote:2', 'arm "c" names tool "ruler", which is not enabled'],
  ])('rejects %s with an error naming the arm', (spec, message) => {
    expect(errorOf(spec)).toContain(message);
  });
});

describe('samples per task drawn by strategy arms', () => {
  it('is the largest K or N of any vote or best arm, and 1 without one', () => {
    expect(parallelSamples('tools,no-tools')).toBe(1);
    expect(parallelSamples('a=@vote:8,b=calculator@best:4:judge,c=@refine:3:self')).toBe(8);
    expect(parallelSamples('a=@effort:low@vote:3')).toBe(3);
    // Out of range: parseArms rejects it with a message; this read must not explode first.
    expect(parallelSamples('a=@vote:100000')).toBe(1);
  });

  it('warns that greedy decoding makes the samples of a vote arm identical', () => {
    expect(greedyWarning(8, 0, 'an arm with @vote or @best')).toMatch(
      /^an arm with @vote or @best with --temperature 0 \(greedy\)/,
    );
  });
});

describe('--reasoning-effort', () => {
  it('sets reasoning_effort in the sampling of a server model', async () => {
    const { sampling } = await modelFromOptions(
      { model: 'm', baseUrl: 'http://127.0.0.1:9/v1', reasoningEffort: 'low' },
      {},
    );
    expect(sampling.reasoning_effort).toBe('low');
  });

  it('rejects a level other than low, medium or high, naming the flag', async () => {
    await expect(
      modelFromOptions(
        { model: 'm', baseUrl: 'http://127.0.0.1:9/v1', reasoningEffort: 'max' },
        {},
      ),
    ).rejects.toThrow(/reasoning/i);
  });
});

describe('visible tests in a suite', () => {
  it('belong to code_tests tasks only, named in the error', () => {
    const parsed = parseTask({ id: 'm', prompt: 'p', answer: '1', visible_tests: 'assert True' });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.problems.join()).toContain(
        '"visible_tests": only applies to verifier "code_tests", not "math"',
      );
    }
  });

  it('are given on every task of the bundled example suite for refine:R:tests', async () => {
    const suite = await loadSuite(
      join(import.meta.dirname, '..', '..', 'examples', 'suites', 'code-visible.jsonl'),
    );
    expect(suite.tasks.length).toBeGreaterThanOrEqual(3);
    for (const task of suite.tasks) {
      expect(task.verifier).toBe('code_tests');
      expect(task.visible_tests).toBeTruthy();
      // The visible tests are a part of what is graded, never the whole of it.
      expect(task.tests).not.toBe(task.visible_tests);
    }
  });
});
