import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { traceRecordSchema } from '../../src/trace/schema.js';
import { runCli } from '../support/cli.js';
import { requireDocker } from '../support/docker.js';
import { makeRepo, treeHash } from '../support/repo-fixture.js';
import { sequenceScript, startScriptedServer } from '../support/scripted-server.js';

const docker = await requireDocker();

describe.skipIf(!docker.available)('assay run --workspace', { timeout: 180_000 }, () => {
  it('prints the answer and the diff stat, writes --diff, traces the diff, denies --apply in batch mode', async () => {
    const dir = await makeRepo({ 'calc.py': 'def add(a, b):\n    return a - b\n' });
    const before = await treeHash(dir);
    await using server = await startScriptedServer({
      script: sequenceScript([
        {
          tool_calls: [
            {
              name: 'edit_file',
              arguments: { path: 'calc.py', old_string: 'a - b', new_string: 'a + b' },
            },
          ],
        },
        { tool_calls: [{ name: 'bash', arguments: { command: 'git push origin main' } }] },
        { content: 'Fixed add.' },
      ]),
    });
    const tmp = await mkdtemp(join(tmpdir(), 'assay-run-ws-'));
    const trace = join(tmp, 'trace.jsonl');
    const diffFile = join(tmp, 'fix.diff');
    const result = await runCli(
      [
        'run',
        '--base-url',
        server.url,
        '--model',
        'm',
        '--workspace',
        dir,
        '--diff',
        diffFile,
        '--apply',
        '--trace',
        trace,
        'Fix add in calc.py',
      ],
      { timeoutMs: 150_000 },
    );
    expect(result.stdout).toBe(
      'Fixed add.\n calc.py\n 1 file(s) changed, 1 insertion(s)(+), 1 deletion(s)(-)\n',
    );
    expect(result.stderr).toBe(
      'assay: --apply denied: nobody at a terminal to confirm --apply (batch mode denies)\n',
    );
    expect(result.code).toBe(1);
    const diff = await readFile(diffFile, 'utf8');
    expect(diff).toContain('-    return a - b\n+    return a + b\n');
    const record = traceRecordSchema.parse(JSON.parse((await readFile(trace, 'utf8')).trim()));
    expect(record.tools).toEqual(['bash', 'read_file', 'write_file', 'edit_file', 'apply_patch']);
    expect(record.tool_calls[1]).toMatchObject({
      name: 'bash',
      policy: { decision: 'deny', rule: 'shell-no-privilege-or-push' },
    });
    expect(record.workspace).toMatchObject({
      source: dir,
      diff,
      files_changed: ['calc.py'],
      diff_stats: { files: 1, insertions: 1, deletions: 1 },
      diff_artifact: { name: 'workspace.diff' },
    });
    expect(await treeHash(dir)).toBe(before);
  });

  it('refuses a folder that does not exist before starting anything', async () => {
    const result = await runCli(['run', '--model', 'm', '--workspace', '/nonexistent/repo', 'hi'], {
      timeoutMs: 60_000,
    });
    expect(result.stderr).toContain('workspace /nonexistent/repo is not a directory');
    expect(result.code).toBe(2);
  });
});
