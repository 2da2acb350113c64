import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerSuitesCommand } from '../../src/cli/suites-command.js';
import { UsageError } from '../../src/core/errors.js';

const DATASETS = join(import.meta.dirname, '..', 'fixtures', 'datasets');
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'suites');

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'assay-suites-cli-'));
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs `assay suites …` in process and collects what it printed. */
async function suites(
  args: string[],
): Promise<{ code: number | undefined; stdout: string; stderr: string }> {
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
  registerSuitesCommand(program, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(['suites', ...args], { from: 'user' });
  } finally {
    vi.restoreAllMocks();
  }
  return { code, stdout, stderr };
}

describe('assay suites import', () => {
  it('prints the imported suite as JSONL on stdout', async () => {
    const result = await suites([
      'import',
      'gsm8k',
      join(DATASETS, 'gsm8k', 'test.jsonl'),
      '--limit',
      '2',
    ]);
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; answer: string });
    expect(lines.map((l) => [l.id, l.answer])).toEqual([
      ['gsm8k-0', '18'],
      ['gsm8k-1', '3'],
    ]);
  });

  it('writes a seeded random sample to --out and says so on stderr', async () => {
    const out = join(dir, 'math.jsonl');
    const args = [
      'import',
      'math500',
      join(DATASETS, 'math500', 'test.jsonl'),
      '--limit',
      '5',
      '--seed',
      '3',
      '--out',
      out,
    ];
    const first = await suites(args);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('');
    expect(first.stderr).toBe(`wrote 5 tasks to ${out}\n`);
    const text = await readFile(out, 'utf8');
    expect(text.trimEnd().split('\n')).toHaveLength(5);
    await suites(args);
    expect(await readFile(out, 'utf8')).toBe(text);
  });

  it('rejects an unknown dataset format with a usage error', async () => {
    await expect(suites(['import', 'mmlu', 'x.jsonl'])).rejects.toThrow(UsageError);
    await expect(suites(['import', 'mmlu', 'x.jsonl'])).rejects.toThrow(
      'unknown dataset format "mmlu"; use gsm8k, math500 or swe-bench',
    );
  });

  it('rejects a limit that is not a positive integer, naming the flag', async () => {
    const error = await suites([
      'import',
      'gsm8k',
      join(DATASETS, 'gsm8k', 'test.jsonl'),
      '--limit',
      '0',
    ]).catch((e: unknown) => e);
    expect((error as Error).message).toBe('--limit: must be a positive integer');
  });
});

describe('assay suites validate', () => {
  it('prints a summary of a valid suite', async () => {
    const result = await suites(['validate', join(FIXTURES, 'mixed.jsonl')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `${join(FIXTURES, 'mixed.jsonl')}: ok, 7 tasks (verifiers: math 2, exact 1, choice 1, regex 1, code_tests 1, js 1; tags: arithmetic 1, facts 1)\n`,
    );
  });

  it('fails with exit code 2 and the bad lines of an invalid suite', async () => {
    const error = await suites(['validate', join(FIXTURES, 'invalid.jsonl')]).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as Error).message).toContain('invalid.jsonl:2: unknown key "anwser"');
  });
});
