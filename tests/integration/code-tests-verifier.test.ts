import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxCodeRunner } from '../../sandbox/docker/code-runner.js';
import { SandboxManager } from '../../sandbox/docker/sandbox-manager.js';
import { parseTask } from '../../src/eval/suite.js';
import { getVerifier } from '../../src/eval/verifiers/registry.js';
import type { CodeRunner } from '../../src/eval/verifiers/types.js';
import { requireDocker } from '../support/docker.js';

const docker = await requireDocker();

describe.skipIf(!docker.available)('the code_tests verifier in the Docker sandbox', () => {
  let manager: SandboxManager;
  let runner: CodeRunner;
  const parsed = parseTask({
    id: 'add',
    prompt: 'Write add(a, b).',
    verifier: 'code_tests',
    tests: 'assert add(2, 3) == 5\nassert add(-1, 1) == 0',
  });
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const task = parsed.task;

  beforeAll(() => {
    manager = new SandboxManager({ engine: docker.engine, poolSize: 0, preload: [] });
    runner = createSandboxCodeRunner(manager);
  });

  afterAll(async () => {
    await manager?.close();
  });

  it('passes code whose tests pass and fails code whose tests fail', async () => {
    const verifier = getVerifier('code_tests');
    const good = '```python\ndef add(a, b):\n    return a + b\n```';
    const bad = '```python\ndef add(a, b):\n    return a - b\n```';
    expect((await verifier.verify(task, good, { codeRunner: runner })).correct).toBe(true);
    expect((await verifier.verify(task, bad, { codeRunner: runner })).correct).toBe(false);
  });

  it('reports a program that runs past its time as not finished, not as a pass', async () => {
    const result = await runner.runTests('while True:\n    pass', 'assert True', 1_000);
    expect(result.ok).toBe(false);
    expect(result.error).toBe('timeout');
    expect(result.exitCode).toBeNull();
  });
});
