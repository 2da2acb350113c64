import { mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../sandbox/workspace/workspace.js';
import { EpisodeResourcePool } from '../../src/agent/resources.js';
import { DEFAULT_LIMITS, type ToolLimits } from '../../src/core/limits.js';
import type { AnyToolDefinition, ToolContext } from '../../src/core/tool.js';
import { createWorkspaceTools } from '../../tools/workspace/index.js';
import { requireDocker } from '../support/docker.js';
import { makeRepo, treeHash } from '../support/repo-fixture.js';

const docker = await requireDocker();

function context(limits: Partial<ToolLimits> = {}): ToolContext {
  return {
    signal: new AbortController().signal,
    limits: { ...DEFAULT_LIMITS, ...limits },
    resources: new EpisodeResourcePool(),
    episodeId: 'e',
    step: 1,
  };
}

describe.skipIf(!docker.available)('the workspace tools', { timeout: 120_000 }, () => {
  let dir: string;
  let secretDir: string;
  let before: string;
  let workspace: Workspace;
  let tools: Record<string, AnyToolDefinition>;
  const call = (name: string, args: unknown, limits: Partial<ToolLimits> = {}) =>
    tools[name]!.run(tools[name]!.inputSchema.parse(args), context(limits));

  beforeAll(async () => {
    secretDir = await mkdtemp(join(tmpdir(), 'assay-secret-'));
    await writeFile(join(secretDir, 'secret.txt'), 'host secret\n');
    dir = await makeRepo({
      'calc.py': 'def add(a, b):\n    return a - b\n\n\ndef twice(x):\n    return add(x, x)\n',
      'notes.txt': 'one\ntwo\none\n',
      'bin.dat': 'a\0b',
    });
    await symlink(join(secretDir, 'secret.txt'), join(dir, 'host-link'));
    before = await treeHash(dir);
    workspace = await Workspace.open(dir, { engine: docker.engine });
    tools = Object.fromEntries(
      createWorkspaceTools(() => Promise.resolve(workspace.session)).map((t) => [t.name, t]),
    );
  });

  afterAll(async () => {
    await workspace?.close();
  });

  it('copies tracked files and .git into the container and reads them with line numbers', async () => {
    const read = await call('read_file', { path: 'calc.py', limit: 2 });
    expect(read).toEqual({
      ok: true,
      content:
        '     1\tdef add(a, b):\n     2\t    return a - b\n[lines 1-2 of 6; 4 more: read_file with offset=3]',
    });
    const log = await call('bash', { command: 'git log --format=%s' });
    expect(log.content).toContain('stdout:\nbase\n');
    const binary = await call('read_file', { path: 'bin.dat' });
    expect(binary.content).toBe('bin.dat is a binary file of 3 bytes; it is not shown.');
  });

  it('keeps the working directory and exported variables between bash calls', async () => {
    await call('bash', { command: 'mkdir -p sub && cd sub && export GREETING=hi' });
    const again = await call('bash', { command: 'echo "$GREETING from $(pwd)"; cd /workspace' });
    expect(again).toMatchObject({ ok: true, data: { exit_code: 0 } });
    expect(again.content).toBe('exit code: 0\nstdout:\nhi from /workspace/sub\n');
  });

  it('returns the exit code and stderr of a failing command', async () => {
    const failed = await call('bash', { command: 'echo oops >&2; exit_status=7; (exit 7)' });
    expect(failed.content).toBe('exit code: 7\nstderr:\noops\n');
    expect(failed.data).toMatchObject({ exit_code: 7, timed_out: false });
  });

  it('kills a command past its timeout and answers the next command in the same shell', async () => {
    await call('bash', { command: 'export KEPT=yes' });
    const slow = await call('bash', { command: 'sleep 30', timeout_s: 1 });
    expect(slow.ok).toBe(false);
    expect(slow.error?.code).toBe('TIMEOUT');
    expect(slow.content).toMatch(/^The command timed out and was killed\./);
    const next = await call('bash', { command: 'echo $KEPT' });
    expect(next.content).toBe('exit code: 0\nstdout:\nyes\n');
  });

  it('keeps the head and tail of long output and says how much was dropped', async () => {
    const long = await call('bash', { command: 'seq 1 100000' }, { output_bytes: 200 });
    expect(long.content).toMatch(/^exit code: 0\nstdout:\n1\n2\n3\n/);
    expect(long.content).toMatch(/99999\n100000\n\n\[\d+ bytes of output dropped\]$/);
    expect((long.data as { dropped_bytes: number }).dropped_bytes).toBeGreaterThan(500_000);
  });

  it('refuses an edit whose old_string is missing or not unique, saying where', async () => {
    const missing = await call('edit_file', {
      path: 'calc.py',
      old_string: 'a * b',
      new_string: 'x',
    });
    expect(missing).toMatchObject({ ok: false, error: { code: 'EDIT_NO_MATCH' } });
    expect(missing.content).toBe(
      'No replacement was performed, old_string `a * b` did not appear verbatim in calc.py.',
    );
    const twice = await call('edit_file', {
      path: 'notes.txt',
      old_string: 'one',
      new_string: '1',
    });
    expect(twice.content).toBe(
      'No replacement was performed. Multiple occurrences of old_string `one` in lines [1, 3] (2 matches). Please ensure it is unique, or set replace_all.',
    );
    const all = await call('edit_file', {
      path: 'notes.txt',
      old_string: 'one',
      new_string: '1',
      replace_all: true,
    });
    expect(all.ok).toBe(true);
    expect((await call('read_file', { path: 'notes.txt' })).content).toBe(
      '     1\t1\n     2\ttwo\n     3\t1',
    );
  });

  it('refuses paths that leave /workspace: "..", absolute paths and symlinks', async () => {
    const up = await call('write_file', { path: '../etc/x', content: 'x' });
    expect(up).toMatchObject({ ok: false, error: { code: 'PATH_OUTSIDE_WORKSPACE' } });
    const abs = await call('read_file', { path: '/etc/passwd' });
    expect(abs.content).toMatch(
      /^The path \/etc\/passwd resolves to \/etc\/passwd, outside \/workspace/,
    );
    // The repository's link points at a host path; inside it resolves outside /workspace.
    const link = await call('read_file', { path: 'host-link' });
    expect(link).toMatchObject({ ok: false, error: { code: 'PATH_OUTSIDE_WORKSPACE' } });
    await call('bash', { command: 'ln -s /tmp escape' });
    const through = await call('write_file', { path: 'escape/owned.txt', content: 'x' });
    expect(through.content).toBe(
      'The path escape/owned.txt resolves to /tmp/owned.txt, outside /workspace; only files inside the workspace can be used.',
    );
    const check = await call('bash', {
      command: 'if [ -e /tmp/owned.txt ]; then echo present; else echo absent; fi; rm escape',
    });
    expect(check.content).toBe('exit code: 0\nstdout:\nabsent\n');
  });

  it('applies a Codex patch, and a patch with a failing hunk changes nothing', async () => {
    const good = await call('apply_patch', {
      patch: [
        '*** Begin Patch',
        '*** Update File: calc.py',
        '@@ def add(a, b):',
        '-    return a - b',
        '+    return a + b',
        '*** Add File: docs/readme.md',
        '+# calc',
        '*** End Patch',
      ].join('\n'),
    });
    expect(good).toEqual({
      ok: true,
      content: 'Done! The patch changed:\nM calc.py\nA docs/readme.md',
    });
    const bad = await call('apply_patch', {
      patch: [
        '*** Begin Patch',
        '*** Add File: partial.txt',
        '+should not exist',
        '*** Update File: calc.py',
        '@@',
        '-    return nothing_like_this',
        '+    return 0',
        '*** End Patch',
      ].join('\n'),
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'PATCH_FAILED' } });
    expect(bad.content).toMatch(/^calc\.py: hunk 1 did not apply/);
    expect((await call('read_file', { path: 'partial.txt' })).ok).toBe(false);
  });

  it('reports the diff against the copy and never changes the host folder', async () => {
    const summary = await workspace.finish();
    expect(summary.files_changed).toEqual(['calc.py', 'docs/readme.md', 'notes.txt']);
    expect(summary.diff).toContain('-    return a - b\n+    return a + b\n');
    expect(summary.diff_stats).toEqual({ files: 3, insertions: 4, deletions: 3 });
    expect(summary.base.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(await treeHash(dir)).toBe(before);
  });
});
