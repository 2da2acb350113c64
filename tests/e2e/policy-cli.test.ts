import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'assay.js');

/** Runs the built `assay` (bin/assay.js → dist/) with no terminal attached. */
function runCli(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

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

describe('assay policy validate', () => {
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

describe('assay policy explain', () => {
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
    expect(result.stdout).toMatch(/^not matched:\n {2}fetch-no-private-network +deny/m);
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
