import { describe, expect, it } from 'vitest';
import { LABEL_PID } from '../../sandbox/docker/labels.js';
import { SpareWorkspaceSessions } from '../../sandbox/workspace/spare-sessions.js';
import { verifyDiff } from '../../sandbox/workspace/verify-diff.js';
import { requireDocker } from '../support/docker.js';
import { makeRepo } from '../support/repo-fixture.js';

const docker = await requireDocker();

const diff =
  'diff --git a/new.txt b/new.txt\nnew file mode 100644\n--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1 @@\n+x\n';

async function ownContainers(): Promise<string[]> {
  const listed = await docker.engine.docker.listContainers({
    all: true,
    filters: { label: [`${LABEL_PID}=${process.pid}`] },
  });
  return listed.map((c) => c.Id);
}

describe.skipIf(!docker.available)(
  'grading with containers started ahead',
  { timeout: 180_000 },
  () => {
    it('gives each grade a container nobody used, starts the next meanwhile, and removes it on close', async () => {
      const source = await makeRepo({ 'a.txt': 'a\n' });
      const spares = new SpareWorkspaceSessions({ engine: docker.engine });
      spares.prepare();
      // A grade that leaves a mark: a container handed out twice would show it to the next grade.
      const tests = { command: 'test -f new.txt && test ! -e /tmp/graded && touch /tmp/graded' };
      for (let i = 0; i < 3; i++) {
        const verdict = await verifyDiff({ source, diff, tests, engine: docker.engine, spares });
        expect(verdict.status).toBe('passed');
      }
      // The graded containers are gone; only the one waiting for a next grade remains.
      expect(await ownContainers()).toHaveLength(1);
      await spares.close();
      expect(await ownContainers()).toEqual([]);
    });
  },
);
