import { readdirSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(ROOT, 'tests', 'fixtures', 'traces', 'v1');

function fixture(folder: string, name: string): string {
  return relative(ROOT, join(FIXTURES, folder, name));
}

function names(folder: string): string[] {
  return readdirSync(join(FIXTURES, folder)).filter((n) => n.endsWith('.jsonl'));
}

describe('assay traces validate', () => {
  it('exits 0 and counts the records of a valid file', async () => {
    const file = fixture('valid', 'calculator-completed.jsonl');
    const result = await runCli(['traces', 'validate', file], { cwd: ROOT });
    expect(result).toMatchObject({ code: 0, stdout: `${file}: 2 valid records\n`, stderr: '' });
  });

  it.each(names('valid'))('accepts valid/%s', async (name) => {
    const result = await runCli(['traces', 'validate', fixture('valid', name)], { cwd: ROOT });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/: \d+ valid records?\n$/);
  });

  it('exits 2 and prints FILE:LINE: message for a bad line', async () => {
    const file = fixture('invalid', 'second-line-invalid.jsonl');
    const result = await runCli(['traces', 'validate', file], { cwd: ROOT });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe(
      `${file}:2: final_answer: expected string, received number\n${file}: 1 valid record, 1 invalid line\n`,
    );
  });

  it.each(names('invalid'))('rejects invalid/%s with exit code 2', async (name) => {
    const file = fixture('invalid', name);
    const result = await runCli(['traces', 'validate', file], { cwd: ROOT });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain(`${file}:`);
    expect(result.stdout).toMatch(/1 invalid line\n$/);
  });

  it('warns about a torn last line but exits 0, and the summary says so', async () => {
    const file = fixture('torn', 'torn-last-line.jsonl');
    const result = await runCli(['traces', 'validate', file], { cwd: ROOT });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `${file}:2: warning: torn last line skipped (a crash mid-write?)\n` +
        `${file}: 1 valid record, 1 torn line skipped (not an error)\n`,
    );
  });

  it('exits 2 with a message naming a missing file', async () => {
    const result = await runCli(['traces', 'validate', 'no/such/trace.jsonl'], { cwd: ROOT });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('assay: trace file not found: no/such/trace.jsonl\n');
  });

  it('reports an empty file as holding no records', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'assay-validate-'));
    const file = join(dir, 'empty.jsonl');
    await writeFile(file, '');
    const result = await runCli(['traces', 'validate', file]);
    expect(result).toMatchObject({ code: 0, stdout: `${file}: 0 valid records\n` });
  });
});
