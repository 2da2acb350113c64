import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LABEL_PID } from '../../sandbox/docker/labels.js';
import { SpareWorkspaceSessions } from '../../sandbox/workspace/spare-sessions.js';
import { EpisodeResourcePool } from '../../src/agent/resources.js';
import { workspaceEpisodes, workspaceGrader } from '../../src/cli/workspace-eval.js';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import type { ToolContext } from '../../src/core/tool.js';
import { loadSuite } from '../../src/eval/suite.js';
import { requireDocker } from '../support/docker.js';
import { makeRepo } from '../support/repo-fixture.js';

const docker = await requireDocker();

function context(): ToolContext {
  return {
    signal: new AbortController().signal,
    limits: DEFAULT_LIMITS,
    resources: new EpisodeResourcePool(),
    episodeId: 'e',
    step: 1,
  };
}

async function ownContainers(): Promise<string[]> {
  const listed = await docker.engine.docker.listContainers({
    all: true,
    filters: { label: [`${LABEL_PID}=${process.pid}`] },
  });
  return listed.map((c) => c.Id);
}

/** What a file holds in a given container, read with `docker exec` beside the runner. */
async function readInContainer(id: string, path: string): Promise<string> {
  const exec = await docker.engine.docker
    .getContainer(id)
    .exec({ Cmd: ['cat', path], AttachStdout: true, AttachStderr: true });
  const stream = (await exec.start({ hijack: true, stdin: false })) as Readable;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe.skipIf(!docker.available)(
  'an eval of repository tasks on containers started ahead',
  { timeout: 300_000 },
  () => {
    it('opens each episode in a container started before it, grades likewise, and leaves none behind', async () => {
      const root = await mkdtemp(join(tmpdir(), 'assay-spare-suite-'));
      const repos = [0, 1].map((i) => makeRepo({ 'marker.txt': `repo ${i}\n` }));
      const dirs = await Promise.all(repos);
      const suitePath = join(root, 'suite.jsonl');
      await writeFile(
        suitePath,
        dirs
          .map((dir, i) =>
            JSON.stringify({
              id: `t${i}`,
              prompt: 'mark the repository fixed',
              verifier: 'tests',
              workspace: dir,
              tests: { command: `grep -q 'repo ${i} fixed' marker.txt` },
            }),
          )
          .join('\n'),
      );
      const suite = await loadSuite(suitePath);
      expect(await ownContainers()).toEqual([]);
      const spares = new SpareWorkspaceSessions({ engine: docker.engine });
      const closing: (() => Promise<void>)[] = [];
      try {
        spares.prepare();
        const episodeOf = await workspaceEpisodes(
          suite.path,
          undefined,
          () => ({ tools: {}, close: async () => undefined }),
          spares,
        );
        const { grade } = workspaceGrader(suite.path, undefined, spares);
        for (const [i, task] of suite.tasks.entries()) {
          // A container is already started and waiting before the episode opens its workspace.
          const ahead = await spares.waiting();
          expect(ahead).toBeDefined();
          const episode = episodeOf(task, ['bash']);
          closing.push(() => episode.close());
          const bash = episode.tools['bash'];
          const ran = await bash!.run(
            bash!.inputSchema.parse({ command: `echo 'repo ${i} fixed' > marker.txt` }),
            context(),
          );
          expect(ran.ok).toBe(true);
          // The episode's copy is in that container, and another one now waits.
          expect(await readInContainer(ahead as string, '/workspace/marker.txt')).toContain(
            `repo ${i} fixed`,
          );
          const next = await spares.waiting();
          expect(next).toBeDefined();
          expect(next).not.toBe(ahead);
          const { diff } = await episode.finish({} as never);
          expect(diff).toContain(`+repo ${i} fixed`);
          // The grade takes the container waiting now, and starts the next one.
          expect((await grade(task, diff)).status).toBe('passed');
          expect(await spares.waiting()).not.toBe(next);
        }
      } finally {
        for (const close of closing) await close();
        await spares.close();
      }
      expect(await ownContainers()).toEqual([]);
    });
  },
);
