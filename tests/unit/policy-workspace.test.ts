import { describe, expect, it } from 'vitest';
import { loadBuiltinPolicy } from '../../src/policy/builtin.js';

async function decide(tool: string, args: Record<string, unknown>) {
  const session = (await loadBuiltinPolicy('default')).startEpisode({
    prompt: '',
    interactive: false,
  });
  return session.decide({ tool, args, step: 1 });
}

describe('the shipped default policy for coding tools', () => {
  it.each([
    ['python3 -m pytest -q', 'workspace-shell'],
    ['git diff && git status', 'workspace-shell'],
    ['echo pushy', 'workspace-shell'],
  ])('allows the shell command %j without network', async (command, rule) => {
    const d = await decide('bash', { command });
    expect(d).toMatchObject({ decision: 'allow', rule });
    expect(d.clamps).toMatchObject({ network: false, timeout_ms: 120000, output_bytes: 32768 });
  });

  it.each([
    'sudo apt-get install x',
    'cd repo && sudo rm -rf /',
    'git push origin main',
    'git commit -am x; git push',
    'su -',
  ])('denies %j', async (command) => {
    expect(await decide('bash', { command })).toMatchObject({
      decision: 'deny',
      rule: 'shell-no-privilege-or-push',
    });
  });

  it('allows edits in the working tree and denies them under .git', async () => {
    expect(
      await decide('edit_file', { path: 'src/a.py', old_string: 'a', new_string: 'b' }),
    ).toMatchObject({ decision: 'allow', rule: 'workspace-files' });
    expect(
      await decide('write_file', { path: '.git/hooks/pre-commit', content: '#!/bin/sh' }),
    ).toMatchObject({ decision: 'deny', rule: 'files-not-git-internals' });
    expect(
      await decide('write_file', { path: '/workspace/.git/config', content: '' }),
    ).toMatchObject({ decision: 'deny', rule: 'files-not-git-internals' });
    expect(await decide('write_file', { path: 'docs/.github/x.yml', content: '' })).toMatchObject({
      decision: 'allow',
    });
  });
});
