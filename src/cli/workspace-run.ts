import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listSource, packSource, safeGit } from '../../sandbox/workspace/source-files.js';
import { Workspace, type WorkspaceSummary } from '../../sandbox/workspace/workspace.js';
import { errorMessage, UsageError } from '../core/errors.js';
import type { Policy, PolicyDecision } from '../policy/types.js';
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

/** The arguments of the `workspace.apply` action, which policy rules can match. */
export function applyArguments(
  dir: string,
  summary: Pick<WorkspaceSummary, 'files_changed' | 'diff_stats' | 'diff_bytes'>,
): Record<string, unknown> {
  return {
    dir,
    files: summary.files_changed,
    files_count: summary.diff_stats.files,
    insertions: summary.diff_stats.insertions,
    deletions: summary.diff_stats.deletions,
    diff_bytes: summary.diff_bytes,
  };
}

/**
 * `--apply` is decided by the policy like a tool call, as the `workspace.apply` action: the
 * shipped default asks a person at the terminal, and `batch_ask` answers when nobody is there.
 */
export async function decideApply(
  policy: Policy,
  args: Record<string, unknown>,
  interactive: boolean,
  signal?: AbortSignal,
): Promise<PolicyDecision> {
  const session = policy.startEpisode({ prompt: '', interactive });
  return session.decide({ tool: 'workspace.apply', args, step: 0 }, signal);
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
