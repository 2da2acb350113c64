import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerExportCommand } from '../../src/cli/export-command.js';
import { registerTracesCommand } from '../../src/cli/traces-command.js';
import { UsageError } from '../../src/core/errors.js';
import { evalRecord } from '../support/eval-records.js';

let dir: string;
let traceFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'assay-export-'));
  traceFile = join(dir, 'traces.jsonl');
  const records = [
    evalRecord({ task: 'a', sample: 0, reward: 1 }),
    evalRecord({ task: 'a', sample: 1, reward: 0 }),
    evalRecord({ task: 'b', sample: 0, infra: true }),
    evalRecord({ task: 'b', sample: 1, infra: true }),
    { ...evalRecord({ task: 'c', sample: 0 }), reward: null, verifier: null },
  ];
  await writeFile(traceFile, records.map((r) => `${JSON.stringify(r)}\n`).join(''), 'utf8');
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs `assay traces export …` in process, with or without the traces group registered first. */
async function run(args: string[], withTracesGroup = true) {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  let code: number | undefined;
  const program = new Command('assay').exitOverride();
  const setExit = (c: number) => {
    code = c;
  };
  if (withTracesGroup) registerTracesCommand(program, setExit);
  registerExportCommand(program, setExit);
  try {
    await program.parseAsync(['traces', 'export', ...args], { from: 'user' });
  } finally {
    vi.restoreAllMocks();
  }
  return { code, stdout, stderr, program };
}

describe('assay traces export', () => {
  it('writes JSONL rows to stdout and says on stderr what it skipped and why', async () => {
    const result = await run([traceFile, '--format', 'trl']);
    expect(result.code).toBe(0);
    const rows = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { reward: number });
    expect(rows.map((r) => r.reward)).toEqual([1, 0]);
    expect(result.stderr).toBe(
      'exported 2 of 5 records (skipped 3 without a reward: 2 infra errors, 1 unscored)\n',
    );
  });

  it('writes to --out and applies --only', async () => {
    const out = join(dir, 'failed.jsonl');
    const result = await run([traceFile, '--format', 'sharegpt', '--only', 'failed', '--out', out]);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`exported 1 of 5 records to ${out}`);
    expect(result.stderr).toContain('1 filtered by --only/--groups');
    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toHaveProperty('conversations');
  });

  it('reads tool schemas from --tool-specs in OpenAI form', async () => {
    const specs = join(dir, 'tools.json');
    const parameters = { type: 'object', properties: { expression: { type: 'string' } } };
    await writeFile(
      specs,
      JSON.stringify([
        { type: 'function', function: { name: 'calculator', description: 'math', parameters } },
      ]),
    );
    const result = await run([
      traceFile,
      '--format',
      'trl',
      '--only',
      'passed',
      '--tool-specs',
      specs,
    ]);
    const row = JSON.parse(result.stdout) as { tools: unknown[] };
    expect(row.tools).toEqual([
      { type: 'function', function: { name: 'calculator', description: 'math', parameters } },
    ]);
  });

  it('joins an existing traces group instead of making a second one', async () => {
    const { program } = await run([traceFile, '--format', 'openrlhf']);
    const groups = program.commands.filter((c) => c.name() === 'traces');
    expect(groups).toHaveLength(1);
    expect(groups[0]!.commands.map((c) => c.name())).toEqual(['validate', 'export']);
  });

  it('creates the traces group when it is not there', async () => {
    const result = await run([traceFile, '--format', 'verifiers'], false);
    expect(result.code).toBe(0);
    expect(result.program.commands.map((c) => c.name())).toEqual(['traces']);
  });

  it('says why a tokens export of a run without --record-tokens wrote nothing', async () => {
    const result = await run([traceFile, '--format', 'tokens']);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('exported 0 of');
    expect(result.stderr).toContain('without usable token ids (record with --record-tokens');
  });

  it('rejects an unknown format or filter with a usage error naming the flag', async () => {
    await expect(run([traceFile, '--format', 'alpaca'])).rejects.toThrow(
      '--format: unknown format "alpaca"; use trl, trl-grpo, verifiers, openrlhf, sharegpt, tokens',
    );
    await expect(run([traceFile, '--format', 'trl', '--only', 'some'])).rejects.toThrow(
      '--only: must be one of all, passed, failed (got "some")',
    );
    await expect(run([traceFile, '--format', 'trl', '--groups', 'x'])).rejects.toBeInstanceOf(
      UsageError,
    );
  });

  it('refuses a trace file with an invalid line, naming the line', async () => {
    const bad = join(dir, 'bad.jsonl');
    await writeFile(bad, `${JSON.stringify(evalRecord({ task: 'a' }))}\n{"schema_version": 1}\n`);
    await expect(run([bad, '--format', 'trl'])).rejects.toThrow(/bad\.jsonl:2:/);
  });
});
