import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { parsePolicy } from '../../src/policy/load.js';

function decide(yaml: string, tool: string, args: Record<string, unknown>) {
  return parsePolicy(`version: 1\n${yaml}`, 'coding.yaml')
    .startEpisode({ prompt: '', interactive: false })
    .decide({ tool, args, step: 1 });
}

describe('command conditions by rule effect', () => {
  const allowTests = `
default: deny
rules:
  - id: tests-only
    tool: bash
    effect: allow
    when: { command: ["python3 -m pytest*", "git diff*"] }
`;

  it('allows a line only when every command in it is covered', async () => {
    expect(
      await decide(allowTests, 'bash', { command: 'python3 -m pytest -q && git diff' }),
    ).toMatchObject({ decision: 'allow', rule: 'tests-only' });
    expect(
      await decide(allowTests, 'bash', { command: 'python3 -m pytest -q; rm -rf /' }),
    ).toMatchObject({ decision: 'deny', rule: 'default' });
    expect(
      await decide(allowTests, 'bash', { command: 'python3 -m pytest "unterminated' }),
    ).toMatchObject({ decision: 'deny', rule: 'default' });
  });

  it('lets an unless block on an allow rule take effect for an unclear line', async () => {
    const yaml = `
default: deny
rules:
  - id: shell
    tool: bash
    effect: allow
    unless: { command: "git push*" }
`;
    expect(await decide(yaml, 'bash', { command: 'ls' })).toMatchObject({ decision: 'allow' });
    expect(await decide(yaml, 'bash', { command: 'ls; \\git push' })).toMatchObject({
      decision: 'deny',
      rule: 'default',
    });
    expect(await decide(yaml, 'bash', { command: '$X push' })).toMatchObject({
      decision: 'deny',
    });
  });

  it('exempts from a deny only a line whose every command is covered', async () => {
    const yaml = `
default: allow
rules:
  - id: no-git
    tool: bash
    effect: deny
    when: { command: "git *" }
    unless: { command: "git status*" }
`;
    expect(await decide(yaml, 'bash', { command: 'git status' })).toMatchObject({
      decision: 'allow',
    });
    expect(await decide(yaml, 'bash', { command: 'git status && git push' })).toMatchObject({
      decision: 'deny',
      rule: 'no-git',
    });
  });

  it('applies file conditions to workspace.apply by the files it changes', async () => {
    const yaml = `
default: deny
rules:
  - id: apply-src
    tool: workspace.apply
    effect: allow
    when: { file: "src/**", args: { insertions: { lte: 100 } } }
`;
    expect(
      await decide(yaml, 'workspace.apply', { files: ['src/a.ts'], insertions: 3 }),
    ).toMatchObject({ decision: 'allow', rule: 'apply-src' });
    expect(
      await decide(yaml, 'workspace.apply', { files: ['src/a.ts', '.env'], insertions: 3 }),
    ).toMatchObject({ decision: 'deny', rule: 'default' });
  });
});

describe('loading command and file conditions', () => {
  it('names the file, line and field of an absolute file glob', () => {
    const text = `version: 1
rules:
  - id: env
    tool: write_file
    effect: deny
    when:
      file: ["**/.env", "/workspace/.git/**"]
`;
    let thrown: unknown;
    try {
      parsePolicy(text, 'bad.yaml');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect(thrown).toMatchObject({ code: 'POLICY_INVALID' });
    const message = (thrown as Error).message;
    expect(message).toContain('bad.yaml:7');
    expect(message).toContain('rules[0].when.file[1]');
    expect(message).toContain('must be relative to the workspace');
  });

  it('names the field of a command pattern that is not a string', () => {
    const text =
      'version: 1\nrules:\n  - id: x\n    tool: bash\n    effect: deny\n    when: { command: [1] }\n';
    expect(() => parsePolicy(text, 'bad.yaml')).toThrow(
      /bad\.yaml:6:\d+: rules\[0\]\.when\.command: /,
    );
  });
});
