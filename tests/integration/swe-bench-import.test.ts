import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspaceGrader } from '../../src/cli/workspace-eval.js';
import { importSweBench } from '../../src/eval/importers/swe-bench.js';
import { loadSuite } from '../../src/eval/suite.js';
import { requireDocker } from '../support/docker.js';
import { makeRepo } from '../support/repo-fixture.js';

const docker = await requireDocker();

const TEST_PATCH =
  'diff --git a/tests/test_add.py b/tests/test_add.py\nnew file mode 100644\n--- /dev/null\n+++ b/tests/test_add.py\n@@ -0,0 +1,5 @@\n+from calc import add\n+\n+\n+def test_add():\n+    assert add(2, 3) == 5\n';
const GOLD =
  'diff --git a/calc.py b/calc.py\n--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n-    return a - b\n+    return a + b\n';

async function fixture() {
  const repos = await mkdtemp(join(tmpdir(), 'assay-swe-repos-'));
  const clone = await makeRepo({
    'calc.py': 'def add(a, b):\n    return a - b\n',
    'tests/test_other.py': 'def test_other():\n    assert True\n',
  });
  await rename(clone, join(repos, 'acme__calc'));
  const commit = execFileSync('git', ['-C', join(repos, 'acme__calc'), 'rev-parse', 'HEAD'])
    .toString()
    .trim();
  const row = {
    instance_id: 'acme__calc-1',
    repo: 'acme/calc',
    base_commit: commit,
    problem_statement: 'add(2, 3) returns -1.',
    patch: GOLD,
    test_patch: TEST_PATCH,
    FAIL_TO_PASS: JSON.stringify(['tests/test_add.py::test_add']),
    PASS_TO_PASS: ['tests/test_other.py::test_other'],
  };
  const out = await mkdtemp(join(tmpdir(), 'assay-swe-out-'));
  const rows = join(out, 'rows.jsonl');
  await writeFile(rows, `${JSON.stringify(row)}\n`);
  return { repos, out, rows, row };
}

describe.skipIf(!docker.available)('assay suites import swe-bench', { timeout: 180_000 }, () => {
  it('turns rows into repository tasks graded by FAIL_TO_PASS and PASS_TO_PASS after test_patch', async () => {
    const { repos, out, rows } = await fixture();
    const tasks = await importSweBench(rows, {
      reposDir: repos,
      suiteDir: out,
      workspacesDir: join(out, 'ws'),
    });
    expect(tasks).toHaveLength(1);
    expect(JSON.stringify(tasks)).not.toContain('return a + b');
    expect(tasks[0]).toMatchObject({
      id: 'acme__calc-1',
      workspace: 'ws/acme__calc-1.tar',
      verifier: 'tests',
      tests: {
        command:
          "python3 -m pytest -rA -p no:cacheprovider 'tests/test_add.py' 'tests/test_other.py'",
        fail_to_pass: ['tests/test_add.py::test_add'],
        pass_to_pass: ['tests/test_other.py::test_other'],
      },
    });
    const suitePath = join(out, 'suite.jsonl');
    await writeFile(suitePath, `${JSON.stringify(tasks[0])}\n`);
    const suite = await loadSuite(suitePath);
    const task = suite.tasks[0]!;
    const { grade, close } = workspaceGrader(suite.path, undefined);
    try {
      expect(await grade(task, GOLD)).toMatchObject({
        status: 'passed',
        reward: 1,
        tests: { 'tests/test_add.py::test_add': 'PASSED' },
      });
      // An agent that wrote its own version of the test file does not get to keep it.
      const cheat =
        'diff --git a/tests/test_add.py b/tests/test_add.py\nnew file mode 100644\n--- /dev/null\n+++ b/tests/test_add.py\n@@ -0,0 +1,2 @@\n+def test_add():\n+    pass\n';
      expect(await grade(task, cheat)).toMatchObject({ status: 'failed', reward: 0 });
    } finally {
      await close();
    }
  });

  it('refuses a base commit the clone does not have, naming the file line', async () => {
    const { repos, out, rows, row } = await fixture();
    await writeFile(rows, `${JSON.stringify({ ...row, base_commit: 'deadbeef'.repeat(5) })}\n`);
    await expect(
      importSweBench(rows, { reposDir: repos, suiteDir: out, workspacesDir: join(out, 'ws') }),
    ).rejects.toThrow(
      `rows.jsonl:1: base commit ${'deadbeef'.repeat(5)} of acme__calc-1 is not in ${join(repos, 'acme__calc')}; fetch it there first`,
    );
    expect(await readFile(rows, 'utf8')).toContain('deadbeef');
  });
});
