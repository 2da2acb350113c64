import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Job as BullJob, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { sleep } from '../../core/abort.js';
import type { ModelProvider } from '../../core/provider.js';
import type { ToolSet } from '../../core/tool.js';
import type { Policy } from '../../policy/types.js';
import type { Task } from '../task-schema.js';
import type { VerifierContext } from '../verifiers/types.js';
import { runLocalAttempt, type WorkspaceEpisode } from './local-attempt.js';
import type { EpisodeJobData } from './queue-collector.js';
import {
  aliveKey,
  parseQueueUrl,
  probeQueue,
  queueNames,
  RUNS_KEY,
  scrub,
  workspaceKey,
} from './queue-connection.js';

export interface QueueWorkerOptions {
  url: string;
  /** Episodes this worker runs at once. */
  concurrency: number;
  /** Reported in every trace's `runtime.worker` (default: host name and pid). */
  name?: string;
  model: ModelProvider;
  policy: Policy;
  createTools: (names: readonly string[]) => ToolSet;
  verifierContext?: VerifierContext;
  /** Tools of one episode of a repository task, in a fresh workspace from the shipped tar. */
  workspaceEpisode?: (task: Task, tools: readonly string[]) => WorkspaceEpisode;
  /** This worker's own settings, recorded in `runtime.worker.settings` (no secrets). */
  settings: Record<string, unknown>;
  /**
   * How long a job's lock lives without renewal (default 60 s, renewed every half of it). A
   * worker that dies loses its jobs to another worker after about this long.
   */
  lockDurationMs?: number;
  /** Wait this long for running episodes on shutdown, then release them (default 30 s). */
  shutdownGraceMs?: number;
  /** Stop serving once no run is queued for this long (default: never). */
  idleExitMs?: number;
  signal: AbortSignal;
  onLog?: (message: string) => void;
}

export const DEFAULT_LOCK_DURATION_MS = 60_000;

/**
 * Serves the runs registered in Redis, one at a time, in the order of their ids: each job is
 * one attempt of one episode, run with this worker's model, tools and policy and the run's
 * sampling, scored here, and its record appended to the run's result stream before the job
 * completes. Delivery is at least once; the coordinator keeps the first record of an attempt.
 */
export async function runQueueWorker(options: QueueWorkerOptions): Promise<{ episodes: number }> {
  const connection = parseQueueUrl(options.url);
  await probeQueue(connection);
  const { Worker } = await import('bullmq');
  const { Redis } = await import('ioredis');
  const name = options.name ?? `${hostname()}-${process.pid}`;
  const lockDuration = options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS;
  const log = options.onLog ?? (() => {});
  const redis: Redis = new Redis({ ...connection.options, maxRetriesPerRequest: null });
  redis.on('error', (error) => log(`redis: ${scrub(error.message, connection)}`));
  const toolSets = new Map<string, ToolSet>();
  let episodes = 0;
  // Workspace tars fetched from Redis, one file per content hash, removed when the worker ends.
  let tarDir: Promise<string> | undefined;
  const tarFiles = new Map<string, Promise<string>>();
  const workspaceTar = (runId: string, sha256: string): Promise<string> => {
    let file = tarFiles.get(sha256);
    if (!file) {
      file = (async () => {
        if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`bad workspace hash ${sha256}`);
        const tar = await redis.getBuffer(workspaceKey(runId, sha256));
        if (tar === null) throw new Error(`workspace ${sha256} is not in Redis`);
        // The content must be what the coordinator hashed: a job names it, it cannot swap it.
        const got = createHash('sha256').update(tar).digest('hex');
        if (got !== sha256) throw new Error(`workspace ${sha256} arrived as ${got}`);
        tarDir ??= mkdtemp(join(tmpdir(), 'assay-worker-ws-'));
        const path = join(await tarDir, `${sha256}.tar`);
        await mkdir(await tarDir, { recursive: true });
        await writeFile(path, tar);
        return path;
      })();
      // A failed fetch is tried again by the next delivery.
      file.catch(() => tarFiles.delete(sha256));
      tarFiles.set(sha256, file);
    }
    return file;
  };

  // The lock is renewed on a timer, so a blocked event loop is the one way a live worker loses
  // a job to another. Episodes are I/O-bound; this watchdog says when that stops being true.
  const loop = monitorEventLoopDelay({ resolution: 50 });
  loop.enable();
  const watchdog = setInterval(() => {
    const maxMs = loop.max / 1e6;
    if (maxMs > lockDuration / 4) {
      log(
        `event loop blocked for ${Math.round(maxMs)} ms (lock ${lockDuration} ms): a job may run twice`,
      );
    }
    loop.reset();
  }, 5000);
  watchdog.unref();

  const processJob = async (
    job: BullJob<EpisodeJobData>,
    _token?: string,
    signal?: AbortSignal,
  ) => {
    const data = job.data;
    log(
      `job ${job.id} started: ${data.task.id} ${data.arm.name} #${data.sampleIndex}${data.episode ? ` ${data.episode.role} ${data.episode.index}` : ''}`,
    );
    // Made on first use: a repository task's episode gets its tools from its workspace.
    const toolsOfJob = () => {
      const key = JSON.stringify(data.arm.tools);
      let tools = toolSets.get(key);
      if (!tools) {
        tools = options.createTools(data.arm.tools);
        toolSets.set(key, tools);
      }
      return tools.tools;
    };
    // Fails the job now, not mid-episode, when this worker lacks a tool the arm names.
    if (data.workspace === undefined) toolsOfJob();
    const abort = signal ?? options.signal;
    let task = data.task;
    if (data.workspace !== undefined) {
      if (options.workspaceEpisode === undefined)
        throw new Error(`worker ${name} cannot run repository tasks (no workspace sandbox)`);
      // Workspace.open copies a `.tar` source as it is: the shipped packing is the local one.
      task = { ...task, workspace: await workspaceTar(data.runId, data.workspace.sha256) };
    }
    // The same code as a run without --queue, so a worker's record is the one it would write.
    const scored = await runLocalAttempt(
      {
        model: options.model,
        sampling: data.sampling,
        ...(data.recordTokens === true ? { recordTokens: true } : {}),
        policy: options.policy,
        ...(data.maxSteps === undefined ? {} : { maxSteps: data.maxSteps }),
        ...(data.system === undefined ? {} : { system: data.system }),
        ...(options.verifierContext === undefined
          ? {}
          : { verifierContext: options.verifierContext }),
        toolsOf: toolsOfJob,
        ...(options.workspaceEpisode === undefined
          ? {}
          : { workspaceEpisode: options.workspaceEpisode }),
      },
      {
        runId: data.runId,
        job: {
          task,
          arm: data.arm,
          sampleIndex: data.sampleIndex,
          attempt: data.attempt,
          seed: data.seed,
          groupId: data.groupId,
        },
        attempt: data.attempt,
        signal: abort,
        ...(data.episode === undefined ? {} : { episode: data.episode }),
      },
    );
    // Released, not recorded: the job is delivered again (to this or another worker).
    if (scored === undefined || abort.aborted) throw new Error('worker stopping');
    const traced = {
      ...scored,
      runtime: {
        ...scored.runtime,
        worker: {
          name,
          bullmq_job: job.id,
          delivery: job.attemptsMade,
          settings: options.settings,
        },
      },
    };
    await redis.xadd(
      queueNames(data.runId).results,
      '*',
      'job',
      job.id ?? '',
      'record',
      JSON.stringify(traced),
    );
    episodes++;
    return { trace_id: traced.trace_id };
  };

  const serve = async (runId: string): Promise<void> => {
    const worker: Worker<EpisodeJobData> = new Worker(queueNames(runId).jobs, processJob, {
      connection: { ...connection.options, maxRetriesPerRequest: null },
      concurrency: options.concurrency,
      lockDuration,
      lockRenewTime: lockDuration / 2,
      stalledInterval: Math.max(1000, Math.round(lockDuration / 2)),
      maxStalledCount: 2,
      // BullMQ waits this long before fetching again after a Redis error (default 15 s): a
      // Redis that restarts would leave the worker idle for that long.
      runRetryDelay: 1000,
      name,
    });
    worker.on('error', (error) => log(`worker: ${scrub(error.message, connection)}`));
    worker.on('failed', (job, error) => log(`job ${job?.id} failed: ${error.message}`));
    log(`serving run ${runId} as ${name} (concurrency ${options.concurrency})`);
    // Serves until the coordinator unregisters the run or this worker is told to stop.
    while (!options.signal.aborted && (await redis.exists(aliveKey(runId))) === 1) {
      await sleep(500, options.signal).catch(() => {});
    }
    if (options.signal.aborted) {
      const grace = options.shutdownGraceMs ?? 30_000;
      const closing = worker.close();
      const timer = setTimeout(() => worker.cancelAllJobs('worker stopping'), grace);
      await closing;
      clearTimeout(timer);
    } else {
      await worker.close();
    }
  };

  try {
    let idleSince = Date.now();
    while (!options.signal.aborted) {
      const runId = await liveRun(redis);
      if (runId !== undefined) {
        await serve(runId);
        idleSince = Date.now();
        continue;
      }
      if (options.idleExitMs !== undefined && Date.now() - idleSince > options.idleExitMs) break;
      await sleep(500, options.signal).catch(() => {});
    }
  } finally {
    clearInterval(watchdog);
    loop.disable();
    await Promise.allSettled([...toolSets.values()].map((set) => set.close()));
    if (tarDir) await rm(await tarDir, { recursive: true, force: true }).catch(() => {});
    redis.disconnect();
  }
  return { episodes };
}

/** The first registered run whose coordinator is alive; dead ones are unregistered. */
async function liveRun(redis: Redis): Promise<string | undefined> {
  for (const runId of (await redis.smembers(RUNS_KEY)).sort()) {
    if ((await redis.exists(aliveKey(runId))) === 1) return runId;
    await redis.srem(RUNS_KEY, runId);
  }
  return undefined;
}
