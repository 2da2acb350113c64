import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { scoreRecord } from '../../src/eval/score.js';
import type { Task } from '../../src/eval/task-schema.js';
import type { CodeRunner } from '../../src/eval/verifiers/types.js';
import { traceRecordSchema } from '../../src/trace/schema.js';
import { evalRecord } from '../support/eval-records.js';

const mathTask: Task = { id: 'add', prompt: '2+2?', answer: '4', verifier: 'math', tags: [] };

function unscored(fields: Parameters<typeof evalRecord>[0]) {
  return { ...evalRecord(fields), reward: null, verifier: null };
}

describe('scoreRecord', () => {
  it('rewards a correct answer with 1 and records the verifier and its version', async () => {
    const scored = await scoreRecord(
      unscored({ task: 'add', finalAnswer: 'It is \\boxed{4}.' }),
      mathTask,
    );
    expect(scored.reward).toBe(1);
    expect(scored.verifier).toMatchObject({
      name: 'math',
      version: '2',
      extracted: '4',
      expected: '4',
      correct: true,
    });
    expect(traceRecordSchema.safeParse(scored).success).toBe(true);
  });

  it('rewards a wrong answer and a missing answer with 0', async () => {
    expect((await scoreRecord(unscored({ task: 'add', finalAnswer: '5' }), mathTask)).reward).toBe(
      0,
    );
    expect((await scoreRecord(unscored({ task: 'add', finalAnswer: null }), mathTask)).reward).toBe(
      0,
    );
  });

  it('never scores an infra error, not even as 0', async () => {
    const scored = await scoreRecord(evalRecord({ task: 'add', infra: true }), mathTask);
    expect(scored.reward).toBeNull();
    expect(scored.verifier).toBeNull();
    expect(scored.error?.class).toBe('infra');
  });

  it('does not score harness errors or aborted episodes', async () => {
    const harness = {
      ...unscored({ task: 'add' }),
      error: { class: 'harness' as const, code: 'INTERNAL', message: 'bug' },
    };
    expect((await scoreRecord(harness, mathTask)).reward).toBeNull();
    const aborted = {
      ...unscored({ task: 'add' }),
      outcome: { status: 'aborted' as const, stop_reason: 'aborted' },
    };
    expect((await scoreRecord(aborted, mathTask)).reward).toBeNull();
  });

  it('scores an episode the model ended with its own error', async () => {
    const model = {
      ...unscored({ task: 'add', finalAnswer: null }),
      outcome: { status: 'error' as const, stop_reason: 'model_error' },
      error: { class: 'model' as const, code: 'MODEL_BAD_RESPONSE', message: 'garbage' },
    };
    const scored = await scoreRecord(model, mathTask);
    expect(scored.reward).toBe(0);
    expect(scored.error?.class).toBe('model');
  });

  it('keeps the record when the verifier crashes: reward null, error class verifier', async () => {
    const jsTask: Task = {
      id: 'add',
      prompt: 'q',
      verifier: 'js',
      tags: [],
      function: '() => { throw new Error("oops") }',
    };
    const scored = await scoreRecord(unscored({ task: 'add', finalAnswer: '4' }), jsTask);
    expect(scored.reward).toBeNull();
    expect(scored.final_answer).toBe('4');
    expect(scored.messages).toHaveLength(3);
    expect(scored.error).toMatchObject({ class: 'verifier', code: 'VERIFIER_FAILED' });
    expect(scored.verifier).toMatchObject({
      name: 'js',
      version: '1',
      correct: null,
      extracted: null,
    });
    expect(String(scored.verifier?.details['error'])).toContain('oops');
    expect(traceRecordSchema.safeParse(scored).success).toBe(true);
  });

  it('records a sandbox failure during verification as an infra error with no reward', async () => {
    const codeTask: Task = {
      id: 'add',
      prompt: 'q',
      verifier: 'code_tests',
      tags: [],
      tests: 'assert True',
    };
    const broken: CodeRunner = {
      runTests: async () => {
        throw new Error('engine gone');
      },
    };
    const scored = await scoreRecord(unscored({ task: 'add', finalAnswer: 'print(1)' }), codeTask, {
      codeRunner: broken,
    });
    expect(scored.reward).toBeNull();
    expect(scored.error).toMatchObject({ class: 'infra', code: 'SANDBOX_CRASHED' });
    expect(traceRecordSchema.safeParse(scored).success).toBe(true);
  });

  it('leaves reward null when the verifier cannot decide', async () => {
    const jsTask: Task = {
      id: 'add',
      prompt: 'q',
      verifier: 'js',
      tags: [],
      function: '() => null',
    };
    const scored = await scoreRecord(unscored({ task: 'add' }), jsTask);
    expect(scored.reward).toBeNull();
    expect(scored.error).toBeNull();
    expect(scored.verifier?.correct).toBeNull();
  });

  it('clears an earlier verifier crash when rescoring succeeds', async () => {
    const crashed = {
      ...unscored({ task: 'add', finalAnswer: '\\boxed{4}' }),
      error: { class: 'verifier' as const, code: 'VERIFIER_FAILED', message: 'old crash' },
    };
    const scored = await scoreRecord(crashed, mathTask);
    expect(scored.reward).toBe(1);
    expect(scored.error).toBeNull();
  });

  it('does not change the record it was given', async () => {
    const record = unscored({ task: 'add', finalAnswer: '4' });
    const copy = structuredClone(record);
    await scoreRecord(record, mathTask);
    expect(record).toEqual(copy);
  });

  it('refuses to score a record against another task', async () => {
    await expect(scoreRecord(unscored({ task: 'other' }), mathTask)).rejects.toBeInstanceOf(
      UsageError,
    );
  });
});
