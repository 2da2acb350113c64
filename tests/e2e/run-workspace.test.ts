import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
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
  it('prints the answer and the diff stat, writes --diff, traces the diff, denies --apply in batch mode by policy', async () => {
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
        {
          tool_calls: [
            { name: 'bash', arguments: { command: 'git status && FOO=1 \\git -C . push' } },
          ],
        },
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
    expect(result.stderr).toMatch(
      /^assay: --apply denied: Rule "workspace-apply-asks" requires a person .*\(batch_ask: deny\)/,
    );
    expect(result.code).toBe(1);
    const diff = await readFile(diffFile, 'utf8');
    expect(diff).toContain('-    return a - b\n+    return a + b\n');
    const record = traceRecordSchema.parse(JSON.parse((await readFile(trace, 'utf8')).trim()));
    expect(record.tools).toEqual(['bash', 'read_file', 'write_file', 'edit_file', 'apply_patch']);
    for (const call of record.tool_calls.slice(1, 3)) {
      expect(call).toMatchObject({
        name: 'bash',
        policy: { decision: 'deny', rule: 'shell-no-privilege-or-push' },
        result: { ok: false },
      });
    }
    expect(record.workspace).toMatchObject({
      source: dir,
      diff,
      files_changed: ['calc.py'],
      diff_stats: { files: 1, insertions: 1, deletions: 1 },
      diff_artifact: { name: 'workspace.diff' },
      apply: {
        arguments: { dir, files: ['calc.py'], insertions: 1, deletions: 1 },
        policy: {
          decision: 'deny',
          effect: 'ask',
          rule: 'workspace-apply-asks',
          answered_by: 'batch_ask',
        },
        applied: false,
      },
    });
    expect(await treeHash(dir)).toBe(before);
  });

  const applyPolicy = `version: 1
default: deny
rules:
  - id: files
    tool: [read_file, write_file, edit_file, apply_patch]
    effect: allow
    when: { file: "**" }
  - id: apply-python
    tool: workspace.apply
    effect: allow
    when: { file: "**/*.py" }
  - id: apply-not-env
    tool: workspace.apply
    effect: deny
    when: { file: "**/.env" }
    reason: the diff touches a .env file
`;

  async function runApply(dir: string, writes: Record<string, string>) {
    await using server = await startScriptedServer({
      script: sequenceScript([
        {
          tool_calls: Object.entries(writes).map(([path, content]) => ({
            name: 'write_file',
            arguments: { path, content },
          })),
        },
        { content: 'Done.' },
      ]),
    });
    const tmp = await mkdtemp(join(tmpdir(), 'assay-run-apply-'));
    const policy = join(tmp, 'apply.yaml');
    await writeFile(policy, applyPolicy);
    const trace = join(tmp, 'trace.jsonl');
    const result = await runCli(
      [
        'run',
        '--base-url',
        server.url,
        '--model',
        'm',
        '--policy',
        policy,
        '--workspace',
        dir,
      ].concat(['--apply', '--trace', trace, 'Fix it']),
      { timeoutMs: 150_000 },
    );
    const record = traceRecordSchema.parse(JSON.parse((await readFile(trace, 'utf8')).trim()));
    return { result, record };
  }

  it('applies the diff to the folder when a policy rule allows workspace.apply', async () => {
    const dir = await makeRepo({ 'calc.py': 'def add(a, b):\n    return a - b\n' });
    const { result, record } = await runApply(dir, {
      'calc.py': 'def add(a, b):\n    return a + b\n',
    });
    expect(result.stderr).toBe(`assay: applied the diff to ${dir}\n`);
    expect(result.code).toBe(0);
    expect(await readFile(join(dir, 'calc.py'), 'utf8')).toBe('def add(a, b):\n    return a + b\n');
    expect(record.workspace?.apply).toMatchObject({
      policy: { decision: 'allow', rule: 'apply-python' },
      applied: true,
    });
  });

  it('leaves the folder unchanged when a policy rule denies workspace.apply', async () => {
    const dir = await makeRepo({ 'calc.py': 'def add(a, b):\n    return a - b\n' });
    const before = await treeHash(dir);
    const { result, record } = await runApply(dir, {
      'calc.py': 'def add(a, b):\n    return a + b\n',
      'config/.env': 'TOKEN=x\n',
    });
    expect(result.stderr).toBe(
      'assay: --apply denied: the diff touches a .env file (rule apply-not-env)\n',
    );
    expect(result.code).toBe(1);
    expect(await treeHash(dir)).toBe(before);
    expect(record.workspace?.apply).toMatchObject({
      arguments: { files: ['calc.py', 'config/.env'] },
      policy: {
        decision: 'deny',
        rule: 'apply-not-env',
        matched: ['apply-not-env'],
      },
      applied: false,
    });
  });

  it('refuses a folder that does not exist before starting anything', async () => {
    const result = await runCli(['run', '--model', 'm', '--workspace', '/nonexistent/repo', 'hi'], {
      timeoutMs: 60_000,
    });
    expect(result.stderr).toContain('workspace /nonexistent/repo is not a directory');
    expect(result.code).toBe(2);
  });
});
