import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LABEL_PID } from '../../sandbox/docker/labels.js';
import { runCli } from '../support/cli.js';
import { requireDocker } from '../support/docker.js';
import { type ScriptRequest, startScriptedServer } from '../support/scripted-server.js';

const docker = await requireDocker();
const suite = join(import.meta.dirname, '..', '..', 'examples', 'suites', 'coding.jsonl');

/** Fixes py-mean with whatever tool the arm offers and gives up on every other task. */
function fixOneTask(request: ScriptRequest) {
  const prompt = request.messages.find((m) => m.role === 'user')?.content ?? '';
  if (request.messages.some((m) => m.role === 'tool') || !prompt.startsWith('stats.mean'))
    return { content: 'done' };
  const tools = request.tools.map((t) => t.name);
  if (tools.includes('edit_file'))
    return {
      tool_calls: [
        {
          name: 'edit_file',
          arguments: { path: 'stats.py', old_string: '(len(xs) - 1)', new_string: 'len(xs)' },
        },
      ],
    };
  return {
    tool_calls: [
      { name: 'bash', arguments: { command: "sed -i 's/(len(xs) - 1)/len(xs)/' stats.py" } },
    ],
  };
}

describe.skipIf(!docker.available)('assay eval on the coding suite', { timeout: 600_000 }, () => {
  it('runs both tool-surface arms end to end, grades diffs with hidden tests and reports', async () => {
    await using server = await startScriptedServer({ script: fixOneTask });
    const out = join(await mkdtemp(join(tmpdir(), 'assay-coding-')), 'run');
    const result = await runCli(
      [
        'eval',
        suite,
        '--base-url',
        server.url,
        '--model',
        'm',
        '--tools',
        'workspace',
        '--arms',
        'bash=bash,editor=bash+read_file+edit_file',
        '--concurrency',
        '2',
        '--out',
        out,
      ],
      // Without the start-up snapshot, eval runs in this process instead of a rerun child, so
      // its pid is the one the containers are labelled with.
      { timeoutMs: 540_000, env: { NODE_OPTIONS: '--no-node-snapshot' } },
    );
    expect(result.code).toBe(0);
    // The containers started ahead for episodes and grades were all removed at the end.
    const left = await docker.engine.docker.listContainers({
      all: true,
      filters: { label: [`${LABEL_PID}=${result.pid}`] },
    });
    expect(left).toEqual([]);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as {
      arms: Record<string, { n: number; scored: number; infra_errors: number; accuracy: number }>;
    };
    for (const arm of ['bash', 'editor']) {
      expect(results.arms[arm]).toMatchObject({ n: 12, scored: 12, infra_errors: 0 });
      expect(results.arms[arm]?.accuracy).toBeCloseTo(1 / 12);
    }
    const lines = (await readFile(join(out, 'traces.jsonl'), 'utf8')).trim().split('\n');
    const fixed = lines.map((l) => JSON.parse(l)).filter((r) => r.task_id === 'py-mean');
    expect(fixed.map((r) => [r.arm, r.reward, r.workspace.files_changed])).toEqual(
      expect.arrayContaining([
        ['bash', 1, ['stats.py']],
        ['editor', 1, ['stats.py']],
      ]),
    );
    for (const record of fixed) {
      const artifact = record.workspace.diff_artifact;
      expect(artifact).toMatchObject({ name: 'workspace.diff', mime_type: 'text/plain' });
      expect(await readFile(join(out, artifact.path), 'utf8')).toContain(
        '+    return sum(xs) / len(xs)',
      );
    }
    const other = lines.map((l) => JSON.parse(l)).find((r) => r.task_id === 'js-sum');
    expect(other.verifier.details.outcome).toBe('empty_diff');
    expect(await readFile(join(out, 'report.md'), 'utf8')).toContain('editor');
  });
});
