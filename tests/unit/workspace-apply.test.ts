import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyToSource, sourceFingerprint } from '../../src/cli/workspace-run.js';
import { makeRepo, treeHash } from '../support/repo-fixture.js';

const FIX =
  'diff --git a/calc.py b/calc.py\n--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n-    return a - b\n+    return a + b\n';

async function repo(): Promise<string> {
  return makeRepo({ 'calc.py': 'def add(a, b):\n    return a - b\n' });
}

describe('--apply on the host folder', () => {
  it('applies the diff when the folder is as it was copied', async () => {
    const dir = await repo();
    const fingerprint = await sourceFingerprint(dir);
    await applyToSource(dir, fingerprint, FIX);
    expect(await readFile(join(dir, 'calc.py'), 'utf8')).toBe('def add(a, b):\n    return a + b\n');
  });

  it('fingerprints a folder by names and bytes only, not by the time it is read', async () => {
    const dir = await repo();
    const first = await sourceFingerprint(dir);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await sourceFingerprint(dir)).toBe(first);
  });

  it('refuses when the folder changed meanwhile and leaves it as it is', async () => {
    const dir = await repo();
    const fingerprint = await sourceFingerprint(dir);
    await writeFile(join(dir, 'other.py'), 'x = 1\n');
    const before = await treeHash(dir);
    await expect(applyToSource(dir, fingerprint, FIX)).rejects.toThrow(
      `--apply: ${dir} changed while the agent worked; the diff was not applied (use --diff FILE and apply it yourself)`,
    );
    expect(await treeHash(dir)).toBe(before);
  });

  it('refuses a diff that does not apply and changes nothing', async () => {
    const dir = await repo();
    const fingerprint = await sourceFingerprint(dir);
    const before = await treeHash(dir);
    const stale = FIX.replace('-    return a - b', '-    return 0');
    await expect(applyToSource(dir, fingerprint, stale)).rejects.toThrow(
      `--apply: the diff does not apply to ${dir}`,
    );
    expect(await treeHash(dir)).toBe(before);
  });

  it('never runs fsmonitor, hooks or filters named by the repository', async () => {
    const dir = await repo();
    const marker = join(dir, '..', `pwned-${Date.now()}`);
    const script = join(dir, '.git', 'evil.sh');
    await writeFile(script, `#!/bin/sh\ntouch ${marker}\ncat\n`);
    await chmod(script, 0o755);
    await appendFile(
      join(dir, '.git', 'config'),
      `[core]\n\tfsmonitor = ${script}\n\thooksPath = ${join(dir, '.git')}\n[filter "evil"]\n\tclean = ${script}\n\tsmudge = ${script}\n`,
    );
    await writeFile(join(dir, '.gitattributes'), '*.py filter=evil\n');
    execFileSync('cp', [script, join(dir, '.git', 'post-applypatch')]);
    const fingerprint = await sourceFingerprint(dir);
    await applyToSource(dir, fingerprint, FIX);
    expect(await readFile(join(dir, 'calc.py'), 'utf8')).toContain('return a + b');
    expect(existsSync(marker)).toBe(false);
  });
});
