import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspaceGrader } from '../../src/cli/workspace-eval.js';
import { loadSuite } from '../../src/eval/suite.js';
import { requireDocker } from '../support/docker.js';

const docker = await requireDocker();
const suitePath = join(import.meta.dirname, '..', '..', 'examples', 'suites', 'coding.jsonl');
const NOTE =
  'diff --git a/NOTE.md b/NOTE.md\nnew file mode 100644\n--- /dev/null\n+++ b/NOTE.md\n@@ -0,0 +1 @@\n+unrelated\n';

describe.skipIf(!docker.available)('the example coding suite', { timeout: 300_000 }, () => {
  it('has at least 12 repository tasks in Python and JavaScript, each with hidden tests', async () => {
    const suite = await loadSuite(suitePath);
    expect(suite.tasks.length).toBeGreaterThanOrEqual(12);
    const langs = new Set(suite.tasks.flatMap((t) => t.tags));
    expect(langs).toEqual(expect.objectContaining(new Set(['python', 'javascript'])));
    for (const task of suite.tasks) expect(task).toMatchObject({ verifier: 'tests' });
  });

  it('fails every task whose diff does not fix the bug, with the test output kept', async () => {
    const suite = await loadSuite(suitePath);
    const { grade, close } = workspaceGrader(suite.path, undefined);
    try {
      for (const task of suite.tasks) {
        const verdict = await grade(task, NOTE);
        expect({ id: task.id, status: verdict.status }).toEqual({ id: task.id, status: 'failed' });
        expect(verdict.output_tail.length).toBeGreaterThan(0);
      }
    } finally {
      await close();
    }
  });
});
