import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { listSource, packSource } from '../../sandbox/workspace/source-files.js';
import { SpareWorkspaceSessions } from '../../sandbox/workspace/spare-sessions.js';
import { verifyDiff } from '../../sandbox/workspace/verify-diff.js';
import { Workspace } from '../../sandbox/workspace/workspace.js';
import { type BuiltinToolName, loadBuiltinTools, type ToolSet } from '../../tools/registry.js';
import { UsageError } from '../core/errors.js';
import { WORKSPACE_TOOL_GROUP } from '../core/tool-names.js';
import type { WorkspaceEpisode } from '../eval/run/runner.js';
import type { Task } from '../eval/task-schema.js';
import type { WorkspaceGrader } from '../eval/verifiers/types.js';

const isWorkspaceTool = (name: string) =>
  (WORKSPACE_TOOL_GROUP as readonly string[]).includes(name);

function workspaceDir(suitePath: string, task: Task): string {
  if (task.workspace === undefined)
    throw new UsageError('SUITE_INVALID', `task ${task.id} has no "workspace"`);
  return resolve(dirname(suitePath), task.workspace);
}

/**
 * Workspace containers started ahead for a run's episodes and grades (one waits at a time);
 * the run closes it at the end, which removes the one still waiting.
 */
export function startedAhead(image: string | undefined): SpareWorkspaceSessions {
  return new SpareWorkspaceSessions({ image });
}

/**
 * Per-episode tools of a repository task: the workspace is opened on the first call of a
 * coding tool (an arm without them never opens one), on a container started ahead when
 * `spares` is given, and the diff is taken at the end.
 */
export async function workspaceEpisodes(
  suitePath: string,
  image: string | undefined,
  createOther: (names: readonly BuiltinToolName[]) => ToolSet,
  spares?: SpareWorkspaceSessions,
): Promise<(task: Task, tools: readonly string[]) => WorkspaceEpisode> {
  const createCoding = await loadBuiltinTools(WORKSPACE_TOOL_GROUP);
  return (task, tools) => {
    const dir = workspaceDir(suitePath, task);
    let opened: Promise<Workspace> | undefined;
    const open = () => {
      opened ??= Workspace.open(dir, {
        image,
        ...(spares ? { startSession: () => spares.take() } : {}),
      });
      return opened;
    };
    const names = tools as readonly BuiltinToolName[];
    const other = createOther(names.filter((n) => !isWorkspaceTool(n)));
    const coding = createCoding(names.filter(isWorkspaceTool), {
      workspace: async () => (await open()).session,
    });
    return {
      tools: { ...other.tools, ...coding.tools },
      async finish(record) {
        if (opened === undefined) return { record, diff: '' };
        const workspace = await opened;
        const summary = await workspace.finish();
        return { record: { ...record, workspace: summary }, diff: workspace.fullDiff };
      },
      async close() {
        await other.close();
        await coding.close();
        if (opened) await (await opened.catch(() => undefined))?.close();
      },
    };
  };
}

async function readTree(root: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const visit = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await visit(path);
      else if (entry.isFile()) files[relative(root, path)] = await readFile(path, 'utf8');
    }
  };
  await visit(root);
  return files;
}

/**
 * The `tests` verifier's grader: a fresh container per grade (see verify-diff.ts), the next one
 * started while the current grade runs (from `spares`, which the episodes may share). `close`
 * removes the one left waiting.
 */
export function workspaceGrader(
  suitePath: string,
  image: string | undefined,
  spares: SpareWorkspaceSessions = startedAhead(image),
): { grade: WorkspaceGrader; close: () => Promise<void> } {
  const grade: WorkspaceGrader = async (task, diff, signal) => {
    const tests = task.tests;
    if (tests === undefined || typeof tests === 'string')
      throw new UsageError(
        'SUITE_INVALID',
        `task ${task.id}: verifier "tests" needs "tests" {command, ...}`,
      );
    const fromDir =
      tests.dir === undefined ? {} : await readTree(resolve(dirname(suitePath), tests.dir));
    return verifyDiff({
      source: workspaceDir(suitePath, task),
      diff,
      tests: { ...tests, files: { ...fromDir, ...tests.files } },
      image,
      spares,
      ...(signal ? { signal } : {}),
    });
  };
  return { grade, close: () => spares.close() };
}

/** The largest workspace `--queue` ships to workers, as a tar stored once per run in Redis. */
export const QUEUE_WORKSPACE_MAX_BYTES = 32 * 1024 * 1024;

/**
 * A repository task as a worker gets it on the queue: its workspace packed as a tar (the same
 * packing as a local episode's copy, capped at QUEUE_WORKSPACE_MAX_BYTES) and its hidden
 * tests from `tests.dir` inlined into `tests.files`, so nothing is read beside the suite.
 */
export async function shipWorkspace(
  suitePath: string,
  task: Task,
): Promise<{ tar: Buffer; task: Task }> {
  const listing = await listSource(workspaceDir(suitePath, task), {
    maxFiles: 20_000,
    maxBytes: QUEUE_WORKSPACE_MAX_BYTES,
  });
  const tar = await packSource(listing);
  const tests = task.tests;
  if (tests === undefined || typeof tests === 'string' || tests.dir === undefined)
    return { tar, task };
  const { dir, ...rest } = tests;
  const files = { ...(await readTree(resolve(dirname(suitePath), dir))), ...rest.files };
  return { tar, task: { ...task, tests: { ...rest, files } } };
}
