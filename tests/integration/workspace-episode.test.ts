import { describe, expect, it } from 'vitest';
import { verifyDiff } from '../../sandbox/workspace/verify-diff.js';
import { Workspace } from '../../sandbox/workspace/workspace.js';
import { runEpisode } from '../../src/agent/episode.js';
import { loadBuiltinPolicy } from '../../src/policy/builtin.js';
import type { ScriptReply } from '../../src/testing/script.js';
import { createScriptedModel } from '../../src/testing/scripted-model.js';
import { sequenceScript } from '../../src/testing/scripts.js';
import { createWorkspaceTools } from '../../tools/workspace/index.js';
import { requireDocker } from '../support/docker.js';
import { makeRepo, treeHash } from '../support/repo-fixture.js';

const docker = await requireDocker();

const BUGGY = 'def mean(xs):\n    return sum(xs) / (len(xs) - 1)\n';
const HIDDEN = {
  command: 'python3 -m pytest -q -p no:cacheprovider tests',
  files: {
    'tests/test_stats.py':
      'from stats import mean\n\n\ndef test_mean():\n    assert mean([1, 2, 3]) == 2\n',
  },
};

async function codingEpisode(fix: ScriptReply) {
  const dir = await makeRepo({ 'stats.py': BUGGY, 'README.md': '# stats\n' });
  const before = await treeHash(dir);
  const workspace = await Workspace.open(dir, { engine: docker.engine });
  try {
    const tools = Object.fromEntries(
      createWorkspaceTools(() => Promise.resolve(workspace.session)).map((t) => [t.name, t]),
    );
    const model = createScriptedModel(
      sequenceScript([
        { tool_calls: [{ name: 'read_file', arguments: { path: 'stats.py' } }] },
        fix,
        {
          tool_calls: [
            {
              name: 'bash',
              arguments: { command: 'python3 -c "from stats import mean; print(mean([1, 2, 3]))"' },
            },
          ],
        },
        { content: 'Fixed: mean divides by len(xs).' },
      ]),
    );
    const record = await runEpisode({
      model,
      prompt: 'mean([1, 2, 3]) should be 2. Fix stats.py.',
      tools,
      policy: await loadBuiltinPolicy('default'),
    });
    const summary = await workspace.finish();
    return { dir, before, record, summary, diff: workspace.fullDiff };
  } finally {
    await workspace.close();
  }
}

describe.skipIf(!docker.available)('a coding episode in a workspace', { timeout: 180_000 }, () => {
  it('reads, fixes with edit_file, runs the code, and the hidden test gives reward 1', async () => {
    const { dir, before, record, summary, diff } = await codingEpisode({
      tool_calls: [
        {
          name: 'edit_file',
          arguments: { path: 'stats.py', old_string: '(len(xs) - 1)', new_string: 'len(xs)' },
        },
      ],
    });
    expect(record.outcome.status).toBe('completed');
    expect(record.tool_calls.map((c) => [c.name, c.policy?.decision, c.result.ok])).toEqual([
      ['read_file', 'allow', true],
      ['edit_file', 'allow', true],
      ['bash', 'allow', true],
    ]);
    expect(record.tool_calls[2]?.result.content).toBe('exit code: 0\nstdout:\n2.0\n');
    expect(summary.files_changed).toEqual(['stats.py']);
    const verdict = await verifyDiff({ source: dir, diff, tests: HIDDEN, engine: docker.engine });
    expect(verdict).toMatchObject({ status: 'passed', reward: 1, exit_code: 0 });
    expect(verdict.output_tail).toMatch(/1 passed/);
    expect(await treeHash(dir)).toBe(before);
  });

  it('does the same with apply_patch', async () => {
    const { dir, before, record, diff } = await codingEpisode({
      tool_calls: [
        {
          name: 'apply_patch',
          arguments: {
            patch:
              '*** Begin Patch\n*** Update File: stats.py\n@@ def mean(xs):\n-    return sum(xs) / (len(xs) - 1)\n+    return sum(xs) / len(xs)\n*** End Patch',
          },
        },
      ],
    });
    expect(record.tool_calls[1]).toMatchObject({ name: 'apply_patch', result: { ok: true } });
    const verdict = await verifyDiff({ source: dir, diff, tests: HIDDEN, engine: docker.engine });
    expect(verdict).toMatchObject({ status: 'passed', reward: 1 });
    expect(await treeHash(dir)).toBe(before);
  });

  it('tells an empty diff, a diff that does not apply, failing tests and a timeout apart', async () => {
    const dir = await makeRepo({ 'stats.py': BUGGY });
    const verify = (diff: string, tests = HIDDEN) =>
      verifyDiff({ source: dir, diff, tests, engine: docker.engine });
    expect(await verify('')).toMatchObject({ status: 'empty_diff', reward: 0 });
    const stale =
      'diff --git a/stats.py b/stats.py\n--- a/stats.py\n+++ b/stats.py\n@@ -1,2 +1,2 @@\n def mean(xs):\n-    return 0\n+    return 1\n';
    expect(await verify(stale)).toMatchObject({ status: 'diff_does_not_apply', reward: 0 });
    const harmless =
      'diff --git a/notes.txt b/notes.txt\nnew file mode 100644\n--- /dev/null\n+++ b/notes.txt\n@@ -0,0 +1 @@\n+note\n';
    const failed = await verify(harmless);
    expect(failed).toMatchObject({ status: 'failed', reward: 0, exit_code: 1 });
    expect(failed.output_tail).toMatch(/1 failed/);
    expect(
      await verify(harmless, { ...HIDDEN, command: 'sleep 20', timeout_s: 1 } as typeof HIDDEN),
    ).toMatchObject({ status: 'timeout', reward: 0 });
  });

  it('grades named tests with SWE-bench semantics: every FAIL_TO_PASS and PASS_TO_PASS must pass', async () => {
    const dir = await makeRepo({
      'stats.py': BUGGY,
      'tests/test_other.py': 'def test_other():\n    assert True\n',
    });
    const fix =
      'diff --git a/stats.py b/stats.py\n--- a/stats.py\n+++ b/stats.py\n@@ -1,2 +1,2 @@\n def mean(xs):\n-    return sum(xs) / (len(xs) - 1)\n+    return sum(xs) / len(xs)\n';
    const verdict = await verifyDiff({
      source: dir,
      diff: fix,
      engine: docker.engine,
      tests: {
        ...HIDDEN,
        command: 'python3 -m pytest -rA -p no:cacheprovider tests',
        fail_to_pass: ['tests/test_stats.py::test_mean'],
        pass_to_pass: ['tests/test_other.py::test_other'],
      },
    });
    expect(verdict).toMatchObject({
      status: 'passed',
      reward: 1,
      tests: {
        'tests/test_stats.py::test_mean': 'PASSED',
        'tests/test_other.py::test_other': 'PASSED',
      },
    });
  });
});
