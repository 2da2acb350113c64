import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../sandbox/workspace/workspace.js';
import { requireDocker } from '../support/docker.js';
import { makeRepo } from '../support/repo-fixture.js';

const docker = await requireDocker();

interface PatchCase {
  name: string;
  files: Record<string, string>;
  patch: string;
  /** Contents after the patch; null: the file must not exist. */
  after: Record<string, string | null>;
  error?: string;
}

// Scenarios modelled on Codex's apply-patch fixtures (codex-rs/apply-patch/tests/fixtures).
const cases = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'apply-patch', 'cases.json'), 'utf8'),
) as PatchCase[];

describe.skipIf(!docker.available)(
  'apply_patch on reference scenarios',
  { timeout: 120_000 },
  () => {
    let workspace: Workspace;

    beforeAll(async () => {
      workspace = await Workspace.open(await makeRepo({ '.keep': '' }, false), {
        engine: docker.engine,
      });
    });

    afterAll(async () => {
      await workspace?.close();
    });

    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const session = workspace.session;
      await session.bash('rm -rf /workspace/* /workspace/.[!.]*', 10_000, 4096);
      for (const [path, content] of Object.entries(c.files)) {
        expect((await session.tool('write_file', { path, content })).ok).toBe(true);
      }
      const result = await session.tool('apply_patch', { patch: c.patch });
      if (c.error === undefined) expect(result).toMatchObject({ ok: true });
      else {
        expect(result.ok).toBe(false);
        expect(result.content).toMatch(new RegExp(c.error));
      }
      for (const [path, content] of Object.entries(c.after)) {
        const read = await session.bash(`cat -- '${path}'`, 10_000, 1 << 20);
        if (content === null) expect(read.exit_code).not.toBe(0);
        else expect(read.stdout).toBe(content);
      }
    });
  },
);
