import { defaultMaxListeners, setMaxListeners } from 'node:events';
import { mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pLimit from 'p-limit';
import { runEpisode } from '../../agent/episode.js';
import { newTraceId } from '../../agent/record.js';
import { sleep } from '../../core/abort.js';
import { writeJsonAtomic } from '../../core/atomic-file.js';
import { UsageError } from '../../core/errors.js';
import type { ModelProvider, Sampling } from '../../core/provider.js';
import type { ToolSet } from '../../core/tool.js';
import type { Policy } from '../../policy/types.js';
import { storeArtifact } from '../../trace/artifacts.js';
import { readTraces } from '../../trace/reader.js';
import type { TraceRecord } from '../../trace/schema.js';
import { TraceWriter } from '../../trace/writer.js';
import { scoreRecord } from '../score.js';
import { aggregate } from '../stats/aggregate.js';
import { collapseDecisions } from '../stats/decisions.js';
import type { EvalResults } from '../stats/results.js';
import { isCorrect, latestAttempts } from '../stats/samples.js';
import type { Suite } from '../suite.js';
import type { Task } from '../task-schema.js';
import type { VerifierContext } from '../verifiers/types.js';
import { appendOrReplace } from './append-record.js';
import type { Arm } from './arms.js';
import type { ServerN } from './first-turns.js';
import { type Job, pendingJobs } from './jobs.js';
import {
  type AttemptExecutor,
  runLocalAttempt,
  samplingOf,
  type WorkspaceEpisode,
} from './local-attempt.js';
import { checkResumable, type RunManifest, readManifest } from './manifest.js';
import { remoteEpisodes } from './remote-episodes.js';
import {
  type RunScored,
  refuseStrategyWorkspaces,
  refuseTestsFeedbackWithout,
  runDecision,
  type StrategyTag,
} from './strategies.js';
import { strategyLabel } from './strategy-spec.js';

export interface EvalRunOptions {
  suite: Suite;
  arms: readonly Arm[];
  samples: number;
  concurrency: number;
  seed: number;
  model: ModelProvider;
  sampling: Sampling;
  /** Record each turn's token ids and logprobs (`--record-tokens`). */
  recordTokens?: boolean;
  policy: Policy;
  /** Makes the tools of one arm; called once per arm, closed at the end. */
  createTools: (names: readonly string[]) => ToolSet;
  outDir: string;
  resume: boolean;
  maxSteps?: number;
  system?: string;
  /** Attempts per (task, arm, sample) when episodes end in infrastructure errors. */
  maxAttempts?: number;
  retryDelayMs?: number;
  signal?: AbortSignal;
  verifierContext?: VerifierContext;
  /** Tools of one episode of a task with a `workspace`: a fresh copy per episode. */
  workspaceEpisode?: (task: Task, tools: readonly string[]) => WorkspaceEpisode;
  onProgress?: (progress: EvalProgress) => void;
  onWarning?: (message: string) => void;
  /**
   * Runs and scores one attempt somewhere else (`--queue`: on a worker, which runs it with
   * `runLocalAttempt` too); by default the attempt runs here.
   */
  execute?: AttemptExecutor;
  /** The id of a new run (a queue names its jobs after it before the run starts). */
  runId?: string;
  /** Fields added to results.json after the statistics (e.g. the queue's dropped duplicates). */
  extraResults?: () => Record<string, unknown>;
}

export type { AttemptExecutor, AttemptRequest, WorkspaceEpisode } from './local-attempt.js';

export interface ArmProgress {
  finished: number;
  scored: number;
  correct: number;
  infraErrors: number;
}

export interface EvalProgress {
  total: number;
  finished: number;
  arms: Record<string, ArmProgress>;
  last?: TraceRecord;
}

export interface EvalRunSummary {
  runId: string;
  outDir: string;
  results: EvalResults;
  /** Episodes run now (attempts included). */
  episodes: number;
  /** Jobs already done by an earlier, resumed run. */
  resumed: number;
  aborted: boolean;
}

export const TRACES_FILE = 'traces.jsonl';
export const RESULTS_FILE = 'results.json';

/**
 * Runs a suite in every arm, `samples` times per task, and writes `DIR/traces.jsonl` (one
 * scored record per attempt, appended as each episode ends) and `DIR/results.json`. Infra
 * errors are retried up to `maxAttempts` with each attempt kept; an interrupted run writes
 * nothing for unfinished episodes, so `resume` picks up exactly what is missing.
 */
export async function runEval(options: EvalRunOptions): Promise<EvalRunSummary> {
  const outDir = resolve(options.outDir);
  const tracesPath = join(outDir, TRACES_FILE);
  await mkdir(outDir, { recursive: true });
  const maxAttempts = options.maxAttempts ?? 3;
  refuseTestsFeedbackWithout(options.arms, options.suite.tasks, options.suite.path);
  refuseStrategyWorkspaces(options.arms, options.suite.tasks, options.suite.path);

  const saved = await readManifest(outDir);
  const manifest: RunManifest = {
    version: 1,
    run_id: saved?.run_id ?? options.runId ?? newTraceId(),
    created_at: saved?.created_at ?? new Date().toISOString(),
    suite: {
      path: options.suite.path,
      sha256: options.suite.sha256,
      tasks: options.suite.tasks.length,
    },
    model: { ...options.model.info },
    arms: options.arms.map((a) => ({
      name: a.name,
      tools: [...a.tools],
      ...(a.strategy ? { strategy: strategyLabel(a.strategy) } : {}),
      ...(a.effort ? { effort: a.effort } : {}),
    })),
    samples: options.samples,
    seed: options.seed,
    sampling: {
      temperature: options.sampling.temperature ?? null,
      top_p: options.sampling.top_p ?? null,
      max_tokens: options.sampling.max_tokens ?? null,
    },
  };
  if (saved && !options.resume) {
    throw new UsageError(
      'USAGE',
      `${outDir} already holds a run (${saved.run_id}); add --resume to continue it, or choose another --out`,
    );
  }
  if (saved) checkResumable(saved, manifest, outDir);
  if (!saved && (await fileSize(tracesPath)) > 0) {
    throw new UsageError(
      'USAGE',
      `${tracesPath} exists but ${join(outDir, 'run.json')} does not; choose another --out`,
    );
  }
  await writeJsonAtomic(join(outDir, 'run.json'), manifest);

  const existing = saved
    ? await readTraces(tracesPath, { onWarning: (m) => options.onWarning?.(m) }).catch(
        (error: unknown) => {
          if (error instanceof UsageError && error.code === 'FILE_NOT_FOUND') return [];
          throw error;
        },
      )
    : [];
  const { jobs, done } = pendingJobs(
    manifest.run_id,
    options.suite.tasks,
    options.arms,
    options.samples,
    options.seed,
    collapseDecisions(existing.filter((r) => r.run_id === manifest.run_id)),
    maxAttempts,
  );

  const progress: EvalProgress = { total: jobs.length + done, finished: done, arms: {} };
  for (const arm of options.arms) {
    progress.arms[arm.name] = { finished: 0, scored: 0, correct: 0, infraErrors: 0 };
  }
  for (const record of latestAttempts(collapseDecisions(existing))) countInto(progress, record);
  options.onProgress?.(progress);

  const toolSets = new Map<string, ToolSet>();
  const toolSetOf = (arm: Arm): ToolSet => {
    let set = toolSets.get(arm.name);
    if (!set) {
      set = options.createTools(arm.tools);
      toolSets.set(arm.name, set);
    }
    return set;
  };

  const signal = options.signal ?? new AbortController().signal;
  // Every episode in flight waits on this one signal (up to --concurrency of them, plus their
  // sleeps and verifiers), so more than Node's default of 10 listeners is normal, not a leak;
  // each removes its listener when it ends.
  setMaxListeners(Math.max(defaultMaxListeners, 4 * options.concurrency + 16), signal);
  const artifactSink = (traceId: string) => (artifact: Parameters<typeof storeArtifact>[2]) =>
    storeArtifact(tracesPath, traceId, artifact);
  const execute: AttemptExecutor =
    options.execute ??
    ((request) =>
      runLocalAttempt(
        {
          model: options.model,
          sampling: options.sampling,
          ...(options.recordTokens === true ? { recordTokens: true } : {}),
          policy: options.policy,
          ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }),
          ...(options.system === undefined ? {} : { system: options.system }),
          ...(options.verifierContext === undefined
            ? {}
            : { verifierContext: options.verifierContext }),
          toolsOf: (arm) => toolSetOf(arm).tools,
          ...(options.workspaceEpisode === undefined
            ? {}
            : { workspaceEpisode: options.workspaceEpisode }),
          artifactSink,
        },
        request,
      ));
  const writer = await TraceWriter.open(tracesPath);
  const serverN: ServerN = {
    state: 'unknown',
    onUnsupported: (message) => options.onWarning?.(message),
  };
  const limit = pLimit(Math.max(1, options.concurrency));
  let episodes = 0;

  /** One episode of a strategy arm with its infra retries, scored but not yet written. */
  const episodeOf =
    (job: Job): RunScored =>
    (input) =>
      limit(async () => {
        const attempts: TraceRecord[] = [];
        for (let attempt = job.attempt; ; attempt++) {
          if (signal.aborted) return null;
          const record = await runEpisode({
            model: input.model ?? options.model,
            messages: input.messages,
            ...(options.system === undefined ? {} : { system: options.system }),
            tools: input.useTools ? toolSetOf(job.arm).tools : {},
            policy: options.policy,
            ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }),
            sampling: samplingOf(options.sampling, job, input.seedOffset),
            ...(options.recordTokens === true ? { recordTokens: true } : {}),
            signal,
            interactive: false,
            ids: {
              run_id: manifest.run_id,
              task_id: job.task.id,
              arm: job.arm.name,
              group_id: job.groupId,
              sample_index: job.sampleIndex,
              attempt,
            },
            artifactSink,
          });
          if (record.outcome.status === 'aborted' || signal.aborted) return null;
          const scored = input.score
            ? await scoreRecord(record, job.task, { ...options.verifierContext, signal })
            : record;
          if (signal.aborted) return null;
          attempts.push({
            ...scored,
            tags: job.task.tags,
            strategy: input.tag,
          } as unknown as TraceRecord);
          if (scored.error?.class !== 'infra' || attempt + 1 >= maxAttempts) return attempts;
          await sleep((options.retryDelayMs ?? 1000) * 2 ** (attempt - job.attempt), signal).catch(
            () => {},
          );
        }
      });

  /**
   * A strategy arm's task-level decision: its episodes take `--concurrency` slots one by one
   * (the decision itself holds none, so K parallel samples cannot deadlock the pool), and
   * its lines are written together once the decision is made, each carrying the decision.
   */
  const runStrategyJob = async (job: Job): Promise<void> => {
    const strategy = job.arm.strategy!;
    if (strategy.name === 'single') return;
    const verifierContext = { ...options.verifierContext, signal };
    // On the queue each sample is a worker's job from its first request on, so the samples
    // cannot share one request with n = K made here.
    const runScored =
      options.execute === undefined
        ? episodeOf(job)
        : remoteEpisodes(job, {
            runId: manifest.run_id,
            execute: options.execute,
            limit,
            maxAttempts,
            retryDelayMs: options.retryDelayMs ?? 1000,
            signal,
          });
    const context =
      options.execute === undefined
        ? { verifierContext, model: options.model, serverN }
        : { verifierContext };
    const result = await runDecision(strategy, job.task, newTraceId(), runScored, context);
    if (result === null || signal.aborted) return;
    for (const record of result.records) {
      (record as unknown as { strategy: StrategyTag }).strategy.decision = result.decision;
    }
    // Appended together, not one by one: the writer queues them in this order and commits
    // them with one fsync, where awaiting each would cost K fsyncs per decision.
    await Promise.all(result.records.map((record) => appendOrReplace(writer, record)));
    episodes += result.records.length;
    const [collapsed] = collapseDecisions(result.records);
    progress.finished++;
    if (collapsed) {
      countInto(progress, collapsed);
      progress.last = collapsed;
    }
    options.onProgress?.(progress);
  };

  const runJob = async (job: Job): Promise<void> => {
    for (let attempt = job.attempt; ; attempt++) {
      if (signal.aborted) return;
      const scored = await execute({ runId: manifest.run_id, job, attempt, signal });
      // An interrupted episode is not written: a missing line means "not done".
      if (scored === undefined || signal.aborted) return;
      await appendOrReplace(writer, { ...scored, tags: job.task.tags });
      episodes++;
      const retry = scored.error?.class === 'infra' && attempt + 1 < maxAttempts;
      if (!retry) {
        progress.finished++;
        countInto(progress, scored);
        progress.last = scored;
        options.onProgress?.(progress);
        return;
      }
      await sleep((options.retryDelayMs ?? 1000) * 2 ** (attempt - job.attempt), signal).catch(
        () => {},
      );
    }
  };

  try {
    await Promise.all(
      jobs.map((job) =>
        job.arm.strategy && job.arm.strategy.name !== 'single'
          ? runStrategyJob(job)
          : limit(() => runJob(job)),
      ),
    );
  } finally {
    await writer.close();
    await Promise.allSettled([...toolSets.values()].map((set) => set.close()));
  }

  const all = await readTraces(tracesPath, { onWarning: (m) => options.onWarning?.(m) });
  const results = aggregate(collapseDecisions(all.filter((r) => r.run_id === manifest.run_id)), {
    arms: options.arms.map((a) => a.name),
    tasks: options.suite.tasks,
    runId: manifest.run_id,
    suite: manifest.suite,
    model: manifest.model,
    sampling: manifest.sampling,
  });
  await writeJsonAtomic(join(outDir, RESULTS_FILE), { ...results, ...options.extraResults?.() });
  return {
    runId: manifest.run_id,
    outDir,
    results,
    episodes,
    resumed: done,
    aborted: signal.aborted,
  };
}

function countInto(progress: EvalProgress, record: TraceRecord): void {
  if (record.arm === null) return;
  const arm = progress.arms[record.arm];
  if (!arm) return;
  arm.finished++;
  if (record.error?.class === 'infra') arm.infraErrors++;
  if (record.reward !== null) {
    arm.scored++;
    if (isCorrect(record)) arm.correct++;
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
