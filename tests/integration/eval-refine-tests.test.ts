import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxCodeRunner } from '../../sandbox/docker/code-runner.js';
import { SandboxManager } from '../../sandbox/docker/sandbox-manager.js';
import { parseArms } from '../../src/eval/run/arms.js';
import { runEval } from '../../src/eval/run/runner.js';
import type { StrategyTag } from '../../src/eval/run/strategies.js';
import { loadSuite } from '../../src/eval/suite.js';
import type { CodeRunner } from '../../src/eval/verifiers/types.js';
import { createOpenAIProvider } from '../../src/model/openai-provider.js';
import { allowListedPolicy } from '../../src/policy/builtin.js';
import { messageText } from '../../src/testing/script.js';
import { type ScriptRequest, startScriptedServer } from '../../src/testing.js';
import { readTraces } from '../../src/trace/reader.js';
import type { TraceRecord } from '../../src/trace/schema.js';
import { createBuiltinTools } from '../../tools/index.js';
import { requireDocker } from '../support/docker.js';

const docker = await requireDocker();

/** Text that exists only in the hidden tests and the reference answer: never to be sent. */
const HIDDEN = 'HIDDEN_SENTINEL_5d1c';
const REFERENCE = 'REFERENCE_SENTINEL_93ab';

const TASKS = [
  {
    // Fixed after the visible tests' output is shown.
    id: 'add',
    prompt: 'Task add: write add(a, b).',
    verifier: 'code_tests',
    answer: REFERENCE,
    tests: `# ${HIDDEN}\nassert add(2, 3) == 5, '${HIDDEN} add'\nassert add(-4, 4) == 0, '${HIDDEN}'`,
    visible_tests: "assert add(1, 1) == 2, 'visible: add(1, 1) should be 2'",
  },
  {
    // Never fixed: the model gives the same wrong code again, so the loop stops.
    id: 'mul',
    prompt: 'Task mul: write mul(a, b).',
    verifier: 'code_tests',
    answer: REFERENCE,
    tests: `assert mul(3, 3) == 9, '${HIDDEN} mul'`,
    visible_tests: "assert mul(2, 3) == 6, 'visible: mul(2, 3) should be 6'",
  },
  {
    // Right at once: the visible tests pass, so no review round is asked for.
    id: 'neg',
    prompt: 'Task neg: write neg(a).',
    verifier: 'code_tests',
    tests: `assert neg(5) == -5, '${HIDDEN} neg'`,
    visible_tests: 'assert neg(1) == -1',
  },
];

const CODE: Record<string, [wrong: string, right: string]> = {
  add: ['def add(a, b):\n    return a - b', 'def add(a, b):\n    return a + b'],
  mul: ['def mul(a, b):\n    return a + b', 'def mul(a, b):\n    return a + b'],
  neg: ['def neg(a):\n    return -a', 'def neg(a):\n    return -a'],
};

const taskOf = (r: ScriptRequest) =>
  /Task (\w+)/.exec(messageText(r.messages.find((m) => m.role === 'user')))?.[1] ?? '?';
const sawFeedback = (r: ScriptRequest) =>
  r.messages.some((m) => m.role === 'user' && messageText(m).includes('visible tests'));
const tagOf = (r: TraceRecord) => (r as unknown as { strategy: StrategyTag }).strategy;

async function suiteFile(tasks: readonly object[]) {
  const dir = await mkdtemp(join(tmpdir(), 'assay-refine-tests-'));
  const path = join(dir, 'suite.jsonl');
  await writeFile(path, `${tasks.map((t) => JSON.stringify(t)).join('\n')}\n`);
  return { dir, suite: await loadSuite(path) };
}

describe.skipIf(!docker.available)(
  'refine:R:tests in the python sandbox',
  { timeout: 120_000 },
  () => {
    let manager: SandboxManager;
    let runner: CodeRunner;
    beforeAll(() => {
      manager = new SandboxManager({ engine: docker.engine, poolSize: 0, preload: [] });
      runner = createSandboxCodeRunner(manager);
    });
    afterAll(async () => {
      await manager?.close();
    });

    it('feeds back the visible tests output, and never the hidden tests or the reference answer', async () => {
      await using server = await startScriptedServer({
        script: (r) => {
          const [wrong, right] = CODE[taskOf(r)]!;
          return { content: `\`\`\`python\n${sawFeedback(r) ? right : wrong}\n\`\`\`` };
        },
      });
      const { dir, suite } = await suiteFile(TASKS);
      const summary = await runEval({
        suite,
        arms: parseArms('fix=@refine:3:tests', []),
        samples: 1,
        concurrency: 3,
        seed: 0,
        model: createOpenAIProvider({ baseURL: server.url, model: 'scripted' }),
        sampling: { temperature: 0.7 },
        policy: allowListedPolicy([]),
        createTools: (names) => createBuiltinTools(names as []),
        outDir: join(dir, 'out'),
        resume: false,
        verifierContext: { codeRunner: runner },
      });
      const traces = await readTraces(join(dir, 'out', 'traces.jsonl'));
      const decision = (id: string) => tagOf(traces.find((r) => r.task_id === id)!).decision!;

      expect(decision('add')).toMatchObject({ stopped: 'visible_passed', chosen: 1, reward: 1 });
      expect(decision('mul')).toMatchObject({ stopped: 'kept_answer', chosen: 1, reward: 0 });
      expect(decision('neg')).toMatchObject({ stopped: 'visible_passed', chosen: 0, episodes: 1 });
      expect(summary.results.arms['fix']!.accuracy).toBeCloseTo(2 / 3);
      const firstAdd = traces.find((r) => r.task_id === 'add' && tagOf(r).index === 0)!;
      expect(tagOf(firstAdd).visible_tests).toMatchObject({ passed: false, exit_code: 1 });

      // The review request carries the visible tests' real failure...
      const reviews = server.requests.filter(sawFeedback);
      expect(reviews.map(taskOf).sort()).toEqual(['add', 'mul']);
      const addReview = messageText(reviews.find((r) => taskOf(r) === 'add')!.messages.at(-1));
      expect(addReview).toContain('visible: add(1, 1) should be 2');
      expect(addReview).toContain('AssertionError');
      // ...and no request ever carries a word of the hidden tests or the reference answer.
      expect(server.requests).toHaveLength(5);
      for (const request of server.requests) {
        const sent = JSON.stringify(request.body);
        expect(sent).not.toContain(HIDDEN);
        expect(sent).not.toContain(REFERENCE);
      }
    });
  },
);

describe('refine:R:tests on a suite without visible tests', () => {
  it('is refused before any request, naming the task', async () => {
    await using server = await startScriptedServer({ script: () => ({ content: 'x' }) });
    const { dir, suite } = await suiteFile([
      TASKS[0]!,
      { id: 'plain', prompt: 'What is 1+1?', answer: '2' },
    ]);
    const run = runEval({
      suite,
      arms: parseArms('fix=@refine:2:tests', []),
      samples: 1,
      concurrency: 1,
      seed: 0,
      model: createOpenAIProvider({ baseURL: server.url, model: 'scripted' }),
      sampling: {},
      policy: allowListedPolicy([]),
      createTools: (names) => createBuiltinTools(names as []),
      outDir: join(dir, 'out'),
      resume: false,
    });
    await expect(run).rejects.toThrow(
      /arm "fix" uses refine:…:tests, but task "plain" of .*suite\.jsonl has no "visible_tests"/,
    );
    expect(server.requests).toHaveLength(0);
  });
});

describe('strategy arms on repository tasks', () => {
  it('are refused before any request, naming the arm and the task, not graded on empty diffs', async () => {
    await using server = await startScriptedServer({ script: () => ({ content: 'x' }) });
    const dir = await mkdtemp(join(tmpdir(), 'assay-strategy-repo-'));
    const suite = await loadSuite(
      join(import.meta.dirname, '..', '..', 'examples', 'suites', 'coding.jsonl'),
    );
    const run = runEval({
      suite,
      arms: parseArms('v=@vote:2', []),
      samples: 1,
      concurrency: 1,
      seed: 0,
      model: createOpenAIProvider({ baseURL: server.url, model: 'scripted' }),
      sampling: {},
      policy: allowListedPolicy([]),
      createTools: (names) => createBuiltinTools(names as []),
      outDir: join(dir, 'out'),
      resume: false,
    });
    await expect(run).rejects.toThrow(
      /arm "v" uses the vote strategy, which does not run repository tasks yet; task "py-mean" of .*coding\.jsonl has a workspace/,
    );
    expect(server.requests).toHaveLength(0);
  });
});
