import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { listSource, packSource, safeGit } from '../../sandbox/workspace/source-files.js';
import { Workspace, type WorkspaceSummary } from '../../sandbox/workspace/workspace.js';
import { errorMessage, UsageError } from '../core/errors.js';
import { storeArtifact } from '../trace/artifacts.js';
import type { TraceRecord } from '../trace/schema.js';

/** A fingerprint of what a workspace copy would hold, to notice a folder changed meanwhile. */
export async function sourceFingerprint(dir: string): Promise<string> {
  const tar = await packSource(await listSource(dir));
  return createHash('sha256').update(tar).digest('hex');
}

export interface OpenedWorkspace {
  workspace: Workspace;
  fingerprint: string;
}

export async function openRunWorkspace(
  dir: string,
  image: string | undefined,
  signal?: AbortSignal,
): Promise<OpenedWorkspace> {
  const fingerprint = await sourceFingerprint(dir);
  const workspace = await Workspace.open(dir, { image, signal });
  return { workspace, fingerprint };
}

/** Adds the `workspace` object (diff inline, capped; in full as an artifact) to the record. */
export async function attachWorkspace(
  record: TraceRecord,
  workspace: Workspace,
  tracePath: string,
): Promise<TraceRecord> {
  const summary = await workspace.finish();
  const artifact =
    workspace.fullDiff.length === 0
      ? undefined
      : await storeArtifact(tracePath, record.trace_id, {
          name: 'workspace.diff',
          mime_type: 'text/plain',
          data: Buffer.from(workspace.fullDiff),
        });
  return {
    ...record,
    workspace: { ...summary, ...(artifact ? { diff_artifact: { ...artifact } } : {}) },
  };
}

/** `git diff --stat`-like lines for the terminal. */
export function diffStat(summary: WorkspaceSummary): string {
  const { files, insertions, deletions } = summary.diff_stats;
  if (files === 0) return 'no changes\n';
  const names = summary.files_changed.map((f) => ` ${f}\n`).join('');
  return `${names} ${files} file(s) changed, ${insertions} insertion(s)(+), ${deletions} deletion(s)(-)\n`;
}

export async function writeDiff(file: string, diff: string): Promise<void> {
  await writeFile(file, diff, 'utf8');
}

export interface ApplyDecision {
  allowed: boolean;
  reason: string;
}

/** `--apply` asks on a terminal; with nobody to ask (batch mode) it is denied. */
export async function askToApply(dir: string, summary: WorkspaceSummary): Promise<ApplyDecision> {
  if (!(process.stdin.isTTY && process.stderr.isTTY))
    return {
      allowed: false,
      reason: 'nobody at a terminal to confirm --apply (batch mode denies)',
    };
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(
      `apply ${summary.diff_stats.files} changed file(s) to ${dir}? [y/N] `,
    );
    return /^y(es)?$/i.test(answer.trim())
      ? { allowed: true, reason: 'confirmed at the terminal' }
      : { allowed: false, reason: 'declined at the terminal' };
  } finally {
    rl.close();
  }
}

/**
 * Applies the diff to the host folder: refused when the folder changed since it was copied,
 * checked with `git apply --check` first, and never running repository hooks or fsmonitor.
 */
export async function applyToSource(dir: string, fingerprint: string, diff: string): Promise<void> {
  if (diff.length === 0) return;
  if ((await sourceFingerprint(dir)) !== fingerprint) {
    throw new UsageError(
      'INPUT_INVALID',
      `--apply: ${dir} changed while the agent worked; the diff was not applied (use --diff FILE and apply it yourself)`,
    );
  }
  // An empty repository of our own: the folder's .git/config (filters, fsmonitor, hooks) is
  // never read, so applying cannot run anything the repository names.
  const scratch = await mkdtemp(join(tmpdir(), 'assay-apply-'));
  const file = join(scratch, 'changes.diff');
  try {
    await writeFile(file, diff, 'utf8');
    await safeGit(scratch, ['init', '-q', '--bare', 'git']);
    const git = ['--git-dir', join(scratch, 'git'), '--work-tree', dir];
    try {
      await safeGit(dir, [...git, 'apply', '--check', '--whitespace=nowarn', file]);
    } catch (error) {
      throw new UsageError(
        'INPUT_INVALID',
        `--apply: the diff does not apply to ${dir}: ${errorMessage(error)}`,
      );
    }
    await safeGit(dir, [...git, 'apply', '--whitespace=nowarn', file]);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
