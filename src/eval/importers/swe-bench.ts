import { execFile } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { UsageError } from '../../core/errors.js';
import type { Task } from '../task-schema.js';
import { readSourceRows, rowError, type SourceRow, stringField } from './source-rows.js';

const run = promisify(execFile);
const INSTANCE_ID = /^[A-Za-z0-9_.-]{1,200}$/;
const COMMIT = /^[0-9a-f]{7,64}$/;

export interface SweBenchImportOptions {
  /** Folder of local clones: `<owner>__<name>`, `<owner>/<name>` or `<name>`. */
  reposDir: string;
  /** Folder where `<instance_id>.tar` (the base commit's tree) is written. */
  workspacesDir: string;
  /** Folder the suite file is written to; task paths are relative to it. */
  suiteDir: string;
}

/** Git without hooks, fsmonitor or the user's config, on a clone that is only read. */
async function git(dir: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run(
    'git',
    ['-c', 'core.fsmonitor=false', '-c', 'core.hooksPath=/dev/null', '-C', dir, ...args],
    {
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        GIT_CONFIG_NOSYSTEM: '1',
        HOME: '/nonexistent',
      },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return stdout;
}

/** FAIL_TO_PASS / PASS_TO_PASS: a JSON string in SWE-bench, a list in SWE-Gym and others. */
function testList(path: string, row: SourceRow, field: string): string[] {
  let value = row.value[field];
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      throw rowError(path, row.line, `"${field}": not a JSON list of test ids`);
    }
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw rowError(path, row.line, `"${field}": expected a list of test ids`);
  return value;
}

async function findClone(reposDir: string, repo: string): Promise<string | undefined> {
  const name = repo.split('/')[1];
  const candidates = [join(reposDir, repo.replace('/', '__')), join(reposDir, repo)];
  if (name) candidates.push(join(reposDir, name));
  for (const dir of candidates)
    if ((await stat(dir).catch(() => undefined))?.isDirectory()) return dir;
  return undefined;
}

/**
 * SWE-bench rows (`instance_id, repo, base_commit, problem_statement, test_patch,
 * FAIL_TO_PASS, PASS_TO_PASS`) against local clones, without network: each base commit must
 * exist in its clone, and its tree is written as `<instance_id>.tar`, the task's workspace.
 * The gold `patch` is never copied into the suite.
 */
export async function importSweBench(
  path: string,
  options: SweBenchImportOptions,
): Promise<Task[]> {
  const rows = await readSourceRows(path);
  await mkdir(options.workspacesDir, { recursive: true });
  const tasks: Task[] = [];
  for (const row of rows) {
    const id = stringField(path, row, 'instance_id');
    if (!INSTANCE_ID.test(id))
      throw rowError(
        path,
        row.line,
        `"instance_id": ${JSON.stringify(id)} is not a safe file name`,
      );
    const repo = stringField(path, row, 'repo');
    const commit = stringField(path, row, 'base_commit');
    if (!COMMIT.test(commit))
      throw rowError(
        path,
        row.line,
        `"base_commit": ${JSON.stringify(commit)} is not a commit hash`,
      );
    const clone = await findClone(options.reposDir, repo);
    if (clone === undefined)
      throw rowError(
        path,
        row.line,
        `no local clone of ${repo} in ${options.reposDir} (looked for ${repo.replace('/', '__')}, ${repo})`,
      );
    try {
      await git(clone, ['cat-file', '-e', `${commit}^{commit}`]);
    } catch {
      throw rowError(
        path,
        row.line,
        `base commit ${commit} of ${id} is not in ${clone}; fetch it there first`,
      );
    }
    const tar = join(options.workspacesDir, `${id}.tar`);
    await git(clone, ['archive', '--format=tar', '-o', tar, commit]);
    const testPatch = stringField(path, row, 'test_patch');
    const failToPass = testList(path, row, 'FAIL_TO_PASS');
    const passToPass = testList(path, row, 'PASS_TO_PASS');
    // The test files the test patch touches (as SWE-bench's eval script), and those the named
    // pytest ids live in.
    const patched = [...testPatch.matchAll(/^diff --git a\/(\S+) b\//gm)].map((m) => m[1] ?? '');
    const named = [...failToPass, ...passToPass].map((t) => t.split('::')[0] ?? '');
    const files = [...new Set([...patched, ...named].filter((f) => f.endsWith('.py')))].map(
      (f) => `'${f.replaceAll("'", "'\\''")}'`,
    );
    tasks.push({
      id,
      prompt: stringField(path, row, 'problem_statement'),
      verifier: 'tests',
      workspace: relative(options.suiteDir, tar),
      tests: {
        command: ['python3 -m pytest -rA -p no:cacheprovider', ...files].join(' '),
        patch: testPatch,
        fail_to_pass: failToPass,
        pass_to_pass: passToPass,
      },
      tags: ['swe-bench', repo],
    });
  }
  if (tasks.length === 0) throw new UsageError('INPUT_INVALID', `${path}: no rows`);
  return tasks;
}
