import { describe, expect, it } from 'vitest';
import { AssayError, InfraError, VerifierError } from '../../src/core/errors.js';
import type { Task } from '../../src/eval/task-schema.js';
import { codeTestsVerifier, extractCode } from '../../src/eval/verifiers/code-tests.js';
import { jsVerifier } from '../../src/eval/verifiers/js.js';
import type { CodeRunner, CodeRunResult } from '../../src/eval/verifiers/types.js';

function jsTask(source: string, fields: Partial<Task> = {}): Task {
  return { id: 'js-task', prompt: 'q', verifier: 'js', tags: [], function: source, ...fields };
}

async function jsError(
  source: string,
  answer: string | null = 'x',
  fields: Partial<Task> = {},
): Promise<Error> {
  const error = await jsVerifier
    .verify(jsTask(source, fields), answer, {})
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('the js verifier (real isolates)', () => {
  it('calls the function with the answer and a copy of the task', async () => {
    const task = jsTask('(answer, task) => answer === task.metadata.secret', {
      metadata: { secret: 'swordfish' },
    });
    expect(await jsVerifier.verify(task, 'swordfish', {})).toEqual({
      correct: true,
      extracted: 'swordfish',
      expected: null,
      details: {},
    });
    expect((await jsVerifier.verify(task, 'trout', {})).correct).toBe(false);
  });

  it('accepts a function expression and passes null when there is no answer', async () => {
    const task = jsTask('function (answer) { return answer === null ? null : answer.length > 3; }');
    expect((await jsVerifier.verify(task, 'long enough', {})).correct).toBe(true);
    expect((await jsVerifier.verify(task, null, {})).correct).toBeNull();
  });

  it('keeps the details of an object verdict', async () => {
    const task = jsTask('(a) => ({ correct: a.includes("42"), details: { length: a.length } })');
    const result = await jsVerifier.verify(task, 'it is 42', {});
    expect(result).toMatchObject({ correct: true, details: { length: 8 } });
  });

  it('reports a function that throws as a verifier error naming the task', async () => {
    const error = await jsError('(a) => { throw new Error("boom") }');
    expect(error).toBeInstanceOf(VerifierError);
    expect(error.message).toContain('task js-task: the verifier function failed');
    expect(error.message).toContain('boom');
  });

  it('stops an endless loop at the time limit', async () => {
    const error = await jsError('() => { for (;;) {} }', 'x', { timeout_ms: 100 });
    expect(error).toBeInstanceOf(VerifierError);
    expect(error.message).toContain('ran longer than 100 ms');
  });

  it('stops a function that allocates past the memory limit', async () => {
    const error = await jsError(
      '() => { const a = []; for (;;) a.push(new Array(1e6).fill(1)); }',
      'x',
      {
        timeout_ms: 10_000,
      },
    );
    expect(error).toBeInstanceOf(VerifierError);
    expect(error.message).toContain('used more than 32 MB');
  });

  it('gives the function no access to Node', async () => {
    const task = jsTask(
      '() => typeof require === "undefined" && typeof process === "undefined" && typeof fetch === "undefined"',
    );
    expect((await jsVerifier.verify(task, 'x', {})).correct).toBe(true);
  });

  it('rejects a source that is not a function, a syntax error and a bad verdict', async () => {
    expect((await jsError('42')).message).toContain('"function" is not a function');
    expect(await jsError('(a) => {')).toBeInstanceOf(VerifierError);
    expect((await jsError('() => "yes"')).message).toContain(
      'must return true, false, null or {correct, details}',
    );
    expect((await jsError('async () => true')).message).toContain('returned a promise');
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = jsVerifier.verify(
      jsTask('() => { for (;;) {} }', { timeout_ms: 10_000 }),
      'x',
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 50);
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AssayError);
    expect((error as AssayError).code).toBe('ABORTED');
  });
});

/** A runner that records what it was asked to run and answers with a scripted result. */
function fakeRunner(
  respond: (candidate: string) => CodeRunResult | Promise<CodeRunResult>,
): CodeRunner & { jobs: { candidate: string; tests: string }[] } {
  const jobs: { candidate: string; tests: string }[] = [];
  return {
    jobs,
    async runTests(candidate: string, tests: string) {
      jobs.push({ candidate, tests });
      return respond(candidate);
    },
  };
}

/** Plays the part of the sandbox: the tests' process exited with `exitCode`. */
function pythonLike(_candidate: string, exitCode = 0): CodeRunResult {
  return { ok: true, stdout: 'hello\n', stderr: '', exitCode };
}

const codeTask: Task = {
  id: 'add',
  prompt: 'write add',
  verifier: 'code_tests',
  tags: [],
  tests: 'assert add(2, 3) == 5',
};
const answer = 'Here it is:\n```python\ndef add(a, b):\n    return a + b\n```\nDone.';

describe('the code_tests verifier (fake runner)', () => {
  it('hands the candidate and the tests to the runner apart, and passes on exit 0', async () => {
    const runner = fakeRunner((code) => pythonLike(code));
    const result = await codeTestsVerifier.verify(codeTask, answer, { codeRunner: runner });
    expect(result.correct).toBe(true);
    expect(result.extracted).toBe('def add(a, b):\n    return a + b');
    expect(result.details).toMatchObject({ exit_code: 0, timeout_ms: 10_000, stdout: 'hello' });
    expect(runner.jobs).toEqual([
      { candidate: 'def add(a, b):\n    return a + b', tests: 'assert add(2, 3) == 5' },
    ]);
  });

  it('fails a candidate whose tests fail', async () => {
    const runner = fakeRunner(() => ({
      ok: true,
      stdout: '',
      stderr: 'AssertionError',
      exitCode: 1,
    }));
    const result = await codeTestsVerifier.verify(codeTask, answer, { codeRunner: runner });
    expect(result.correct).toBe(false);
    expect(result.details).toMatchObject({ exit_code: 1, stderr: 'AssertionError' });
  });

  it('fails a candidate that times out, as a wrong answer', async () => {
    const runner = fakeRunner(() => ({
      ok: false,
      stdout: '',
      stderr: '',
      exitCode: null,
      error: 'timeout',
    }));
    const result = await codeTestsVerifier.verify({ ...codeTask, timeout_ms: 2000 }, answer, {
      codeRunner: runner,
    });
    expect(result).toMatchObject({
      correct: false,
      details: { error: 'timeout', timeout_ms: 2000 },
    });
  });

  it('turns a runner that throws into an infra error, never a wrong answer', async () => {
    const runner = fakeRunner(() => {
      throw new Error('docker engine gone');
    });
    const error = await codeTestsVerifier
      .verify(codeTask, answer, { codeRunner: runner })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfraError);
    expect((error as InfraError).code).toBe('SANDBOX_CRASHED');
    expect((error as Error).message).toContain('docker engine gone');
  });

  it('passes an infra error from the runner through unchanged', async () => {
    const original = new InfraError('DOCKER_UNAVAILABLE', 'no docker');
    const runner = fakeRunner(() => {
      throw original;
    });
    await expect(codeTestsVerifier.verify(codeTask, answer, { codeRunner: runner })).rejects.toBe(
      original,
    );
  });

  it('is a verifier error when no runner was given', async () => {
    await expect(codeTestsVerifier.verify(codeTask, answer, {})).rejects.toBeInstanceOf(
      VerifierError,
    );
  });

  it('scores an answer without code as wrong without running anything', async () => {
    const runner = fakeRunner((code) => pythonLike(code));
    expect((await codeTestsVerifier.verify(codeTask, '   ', { codeRunner: runner })).correct).toBe(
      false,
    );
    expect((await codeTestsVerifier.verify(codeTask, null, { codeRunner: runner })).correct).toBe(
      false,
    );
    expect(runner.jobs).toEqual([]);
  });
});

describe('extractCode', () => {
  it('prefers the last python block, then any block, then the whole answer', () => {
    expect(extractCode('```js\nx\n```\n```python\na = 1\n```\n```py\nb = 2\n```')).toBe('b = 2');
    expect(extractCode('```bash\nls\n```')).toBe('ls');
    expect(extractCode('```\nplain\n```')).toBe('plain');
    expect(extractCode('print(1)')).toBe('print(1)');
    expect(extractCode('')).toBeNull();
  });
});
