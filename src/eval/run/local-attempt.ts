import { type EpisodeOptions, runEpisode } from '../../agent/episode.js';
import { AssayError, errorMessage } from '../../core/errors.js';
import type { ChatMessage } from '../../core/messages.js';
import type { ModelProvider, Sampling } from '../../core/provider.js';
import type { AnyToolDefinition } from '../../core/tool.js';
import type { Policy } from '../../policy/types.js';
import type { TraceRecord } from '../../trace/schema.js';
import { scoreRecord } from '../score.js';
import { type Task, taskMessages } from '../task-schema.js';
import type { VerifierContext } from '../verifiers/types.js';
import type { Arm } from './arms.js';
import type { Job } from './jobs.js';

/** One episode's workspace, made by the composition root (it needs Docker). */
export interface WorkspaceEpisode {
  tools: Record<string, AnyToolDefinition>;
  /** Adds the `workspace` object to the record and returns the whole diff. */
  finish(record: TraceRecord): Promise<{ record: TraceRecord; diff: string }>;
  close(): Promise<void>;
}

/**
 * One underlying episode of a strategy arm's decision (a sample, a judge or a refine round):
 * its own messages, whether it has the arm's tools, its seed offset and whether it is scored.
 */
export interface StrategyEpisode {
  messages: ChatMessage[];
  useTools: boolean;
  seedOffset: number;
  score: boolean;
  role: string;
  index: number;
}

/** One attempt of one episode, with everything a worker needs to run it. */
export interface AttemptRequest {
  runId: string;
  job: Job;
  attempt: number;
  signal: AbortSignal;
  /** Set for an episode of a strategy arm; absent for the task's single episode. */
  episode?: StrategyEpisode;
}

/** Runs and scores one attempt; undefined when it was interrupted before it ended. */
export type AttemptExecutor = (request: AttemptRequest) => Promise<TraceRecord | undefined>;

/** What running one attempt here needs: the coordinator's and a worker's settings alike. */
export interface AttemptContext {
  model: ModelProvider;
  sampling: Sampling;
  recordTokens?: boolean;
  policy: Policy;
  maxSteps?: number;
  system?: string;
  verifierContext?: VerifierContext;
  /** The tools of an arm, made once per arm by the caller. */
  toolsOf: (arm: Arm) => Record<string, AnyToolDefinition>;
  /** Tools of one episode of a task with a `workspace`: a fresh copy per episode. */
  workspaceEpisode?: (task: Task, tools: readonly string[]) => WorkspaceEpisode;
  artifactSink?: EpisodeOptions['artifactSink'];
}

/** Seeds of a decision's samples are `seed + i × SEED_STRIDE`: apart from other sample indexes. */
export const SEED_STRIDE = 1_000_003;

/**
 * The sampling of one episode. Episodes of one decision get distinct seeds (the job's seed
 * plus a stride per sample, so they never collide with another sample index's), and an
 * arm's `@effort:…` overrides `--reasoning-effort`.
 */
export function samplingOf(sampling: Sampling, job: Job, offset: number): Sampling {
  return {
    ...sampling,
    seed: job.seed + offset * SEED_STRIDE,
    ...(job.arm.effort ? { reasoning_effort: job.arm.effort } : {}),
  };
}

/**
 * Runs one attempt of a single-episode job in this process and scores it: the runner's local
 * path and a queue worker's job both come here, so they record the same thing.
 */
export async function runLocalAttempt(
  context: AttemptContext,
  { runId, job, attempt, signal, episode }: AttemptRequest,
): Promise<TraceRecord | undefined> {
  const workspace =
    episode === undefined &&
    job.task.workspace !== undefined &&
    context.workspaceEpisode !== undefined
      ? context.workspaceEpisode(job.task, job.arm.tools)
      : undefined;
  let record = await runEpisode({
    model: context.model,
    messages: episode?.messages ?? taskMessages(job.task),
    ...(context.system === undefined ? {} : { system: context.system }),
    tools: episode?.useTools === false ? {} : (workspace?.tools ?? context.toolsOf(job.arm)),
    policy: context.policy,
    ...(context.maxSteps === undefined ? {} : { maxSteps: context.maxSteps }),
    sampling: samplingOf(context.sampling, job, episode?.seedOffset ?? 0),
    ...(context.recordTokens === true ? { recordTokens: true } : {}),
    signal,
    interactive: false,
    ids: {
      run_id: runId,
      task_id: job.task.id,
      arm: job.arm.name,
      group_id: job.groupId,
      sample_index: job.sampleIndex,
      attempt,
    },
    ...(context.artifactSink === undefined ? {} : { artifactSink: context.artifactSink }),
  });
  let workspaceDiff = '';
  try {
    if (workspace && record.outcome.status !== 'aborted' && !signal.aborted) {
      ({ record, diff: workspaceDiff } = await workspace.finish(record));
      record = await withDiffArtifact(record, workspaceDiff, context.artifactSink);
    }
  } catch (error) {
    // The diff could not be taken (the container died): not the model's fault.
    const code = error instanceof AssayError ? error.code : 'SANDBOX_CRASHED';
    record = {
      ...record,
      outcome: { status: 'error', stop_reason: 'workspace' },
      error: { class: 'infra', code, message: errorMessage(error) },
    };
  } finally {
    await workspace?.close();
  }
  // An interrupted episode is not written: a missing line means "not done".
  if (record.outcome.status === 'aborted' || signal.aborted) return undefined;
  // A judge is not scored: its reward is the chosen candidate's (strategies.ts).
  if (episode?.score === false) return record;
  const scored = await scoreRecord(record, job.task, {
    ...context.verifierContext,
    signal,
    workspaceDiff,
  });
  return signal.aborted ? undefined : scored;
}

/**
 * Stores the whole diff next to the traces, as `run --workspace` does, and references it from
 * the record's `workspace` object: the inline diff is capped, the artifact never is.
 */
async function withDiffArtifact(
  record: TraceRecord,
  diff: string,
  sink: AttemptContext['artifactSink'],
): Promise<TraceRecord> {
  if (diff.length === 0 || sink === undefined || record.workspace === undefined) return record;
  const stored = await sink(record.trace_id)({
    name: 'workspace.diff',
    mime_type: 'text/plain',
    data: Buffer.from(diff),
  });
  return { ...record, workspace: { ...record.workspace, diff_artifact: { ...stored } } };
}
