import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AttemptContext, runLocalAttempt } from '../../src/eval/run/local-attempt.js';
import { taskSchema } from '../../src/eval/task-schema.js';
import { allowListedPolicy } from '../../src/policy/builtin.js';
import { storeArtifact } from '../../src/trace/artifacts.js';
import { traceRecordSchema } from '../../src/trace/schema.js';
import { createScriptedModel, sequenceScript } from '../support/scripted-server.js';

const DIFF =
  'diff --git a/stats.py b/stats.py\n--- a/stats.py\n+++ b/stats.py\n@@ -1 +1 @@\n-a\n+b\n';

/**
 * A repository task's attempt with the workspace and grader replaced by stand-ins (the real
 * ones need Docker and are covered by tests/e2e/eval-coding.test.ts): what is tested is that
 * the attempt stores the whole diff next to the traces and references it from the record.
 */
async function attempt(diff: string) {
  const tracesPath = join(await mkdtemp(join(tmpdir(), 'assay-eval-diff-')), 'traces.jsonl');
  const graded: string[] = [];
  const context: AttemptContext = {
    model: createScriptedModel(sequenceScript([{ content: 'done' }])),
    sampling: {},
    policy: allowListedPolicy([]),
    toolsOf: () => ({}),
    workspaceEpisode: () => ({
      tools: {},
      async finish(record) {
        const summary = {
          source: '/repo',
          base: { commit: null, tree: 'a'.repeat(40) },
          diff: diff.slice(0, 20),
          diff_truncated: diff.length > 20,
          diff_bytes: diff.length,
          files_changed: diff ? ['stats.py'] : [],
          diff_stats: { files: diff ? 1 : 0, insertions: diff ? 1 : 0, deletions: diff ? 1 : 0 },
        };
        return { record: { ...record, workspace: summary }, diff };
      },
      async close() {},
    }),
    verifierContext: {
      async workspaceGrader(_task, gradedDiff) {
        graded.push(gradedDiff);
        return { status: 'passed', reward: 1, exit_code: 0, output_tail: '1 passed' };
      },
    },
    artifactSink: (traceId) => (artifact) => storeArtifact(tracesPath, traceId, artifact),
  };
  const task = taskSchema.parse({
    id: 'py-mean',
    prompt: 'fix mean',
    verifier: 'tests',
    workspace: 'coding/py-mean',
    tests: { command: 'pytest -q' },
  });
  const record = await runLocalAttempt(context, {
    runId: 'run-1',
    job: {
      task,
      arm: { name: 'bash', tools: ['bash'] },
      sampleIndex: 0,
      attempt: 0,
      seed: 1,
      groupId: 'g',
    },
    attempt: 0,
    signal: new AbortController().signal,
  });
  return { record: traceRecordSchema.parse(record), tracesPath, graded };
}

describe('repository tasks in assay eval', () => {
  it('store the whole diff as an artifact next to the traces, referenced from the workspace object', async () => {
    const { record, tracesPath, graded } = await attempt(DIFF);
    expect(graded).toEqual([DIFF]);
    expect(record.reward).toBe(1);
    expect(record.workspace).toMatchObject({
      diff_truncated: true,
      diff_artifact: { name: 'workspace.diff', mime_type: 'text/plain', bytes: DIFF.length },
    });
    const artifact = record.workspace!.diff_artifact!;
    expect(artifact.path).toMatch(/^traces\.artifacts\//);
    expect(await readFile(join(dirname(tracesPath), artifact.path), 'utf8')).toBe(DIFF);
  });

  it('store no artifact for an empty diff', async () => {
    const { record } = await attempt('');
    expect(record.workspace).toBeDefined();
    expect(record.workspace?.diff_artifact).toBeUndefined();
  });
});
