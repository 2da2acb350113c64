import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { buildTraceRecord } from '../../agent/record.js';
import { UsageError } from '../../core/errors.js';
import type { ModelInfo, Sampling } from '../../core/provider.js';
import type { Policy } from '../../policy/types.js';
import { type TraceRecord, traceRecordSchema } from '../../trace/schema.js';
import { type Task, taskMessages } from '../task-schema.js';
import type { Arm } from './arms.js';
import type { AttemptExecutor, AttemptRequest, StrategyEpisode } from './local-attempt.js';
import {
  aliveKey,
  episodeJobId,
  HEARTBEAT_MS,
  parseQueueUrl,
  probeQueue,
  type QueueConnection,
  queueNames,
  RUNS_KEY,
  scrub,
  workspaceKey,
} from './queue-connection.js';

/** What a worker needs besides the job: the run's settings, the same for every episode. */
export interface EpisodeJobData {
  runId: string;
  task: AttemptRequest['job']['task'];
  arm: Pick<Arm, 'name' | 'tools' | 'effort'>;
  sampleIndex: number;
  attempt: number;
  seed: number;
  groupId: string;
  sampling: Sampling;
  maxSteps?: number;
  system?: string;
  recordTokens?: boolean;
  /** One underlying episode of a strategy arm's decision (the coordinator makes the decision). */
  episode?: StrategyEpisode;
  /** A repository task's workspace: a tar stored once per run at `workspaceKey(run, sha256)`. */
  workspace?: { sha256: string; bytes: number };
}

export interface QueueCollectorOptions {
  url: string;
  runId: string;
  model: ModelInfo;
  policy: Policy;
  sampling: Sampling;
  maxSteps?: number;
  system?: string;
  recordTokens?: boolean;
  /** BullMQ deliveries of one job when its worker throws or dies (default 3). */
  jobAttempts?: number;
  backoffMs?: number;
  /**
   * Packs a repository task's workspace for the workers (and inlines what else it reads beside
   * the suite); without it, a task with a `workspace` is refused.
   */
  shipWorkspace?: (task: Task) => Promise<{ tar: Buffer; task: Task }>;
}

/**
 * Keeps one record per attempt: the first that arrives. BullMQ delivers at least once (a worker
 * that loses its lock has its job run again elsewhere), so later copies are counted and dropped.
 */
export class ResultCollector {
  private readonly kept = new Map<string, TraceRecord>();
  private readonly waiters = new Map<string, (record: TraceRecord) => void>();
  duplicatesDropped = 0;

  accept(jobId: string, record: TraceRecord): boolean {
    if (this.kept.has(jobId)) {
      this.duplicatesDropped++;
      return false;
    }
    this.kept.set(jobId, record);
    this.waiters.get(jobId)?.(record);
    this.waiters.delete(jobId);
    return true;
  }

  /** The record of `jobId`, now or when it arrives. */
  wait(jobId: string): Promise<TraceRecord> {
    const kept = this.kept.get(jobId);
    if (kept) return Promise.resolve(kept);
    return new Promise((resolve) => this.waiters.set(jobId, resolve));
  }
}

export interface QueueCollector {
  execute: AttemptExecutor;
  extraResults: () => Record<string, unknown>;
  /** Ends the run on the queue: `finished` removes its jobs, otherwise waiting jobs are dropped. */
  close: (finished: boolean) => Promise<void>;
  connection: QueueConnection;
}

/** How often the coordinator beats, checks that Redis still holds its jobs, and looks for failed ones. */
export const RECONCILE_MS = 1000;

/**
 * The coordinator's side of `--queue`: each attempt becomes one BullMQ job with a deterministic
 * id on the run's own queue, and its scored record comes back on the run's Redis stream.
 *
 * Jobs are added in bulk (one round trip for all the attempts the runner starts in one tick).
 * A timer, not Redis events, drives everything else, so recovery does not depend on which
 * client reconnects first: every RECONCILE_MS it renews the run's registration, re-adds what
 * Redis lost (an epoch key that vanished means Redis came back empty; a full existence check
 * every tenth tick covers an older snapshot) or what could not be sent, and turns jobs that
 * failed every delivery into infra error records.
 */
export async function openQueueCollector(options: QueueCollectorOptions): Promise<QueueCollector> {
  const connection = parseQueueUrl(options.url);
  await probeQueue(connection);
  const { Queue } = await import('bullmq');
  const { Redis } = await import('ioredis');
  const names = queueNames(options.runId);
  const queue: Queue = new Queue(names.jobs, { connection: connection.options });
  const reader: Redis = new Redis({ ...connection.options, maxRetriesPerRequest: null });
  const writer: Redis = new Redis({ ...connection.options, maxRetriesPerRequest: null });
  const errors: string[] = [];
  const onError = (error: Error) => errors.push(scrub(error.message, connection));
  queue.on('error', onError);
  reader.on('error', onError);
  writer.on('error', onError);
  const epochKey = `assay:epoch:${options.runId}`;
  const beat = () =>
    writer
      .multi()
      .set(aliveKey(options.runId), '1', 'PX', HEARTBEAT_MS * 3)
      .sadd(RUNS_KEY, options.runId)
      .set(epochKey, '1', 'NX')
      .exec();
  await beat();

  const collector = new ResultCollector();
  const requests = new Map<string, AttemptRequest>();
  // Jobs waited for and not yet known to be in Redis (never sent, or lost with its data).
  const unsent = new Set<string>();
  // Jobs waited for: re-added when Redis loses them; their ids make that a no-op otherwise.
  const pending = new Map<string, EpisodeJobData>();
  let closed = false;

  // Each workspace tar goes to Redis once per run (and again after Redis came back empty).
  const shipped = new Map<string, Promise<{ task: Task; sha256: string; bytes: number }>>();
  const tars = new Map<string, Buffer>();
  const storeTar = (sha256: string, tar: Buffer) =>
    writer.set(workspaceKey(options.runId, sha256), tar, 'NX');
  const ship = (task: Task) => {
    let done = shipped.get(task.id);
    if (!done) {
      const pack = options.shipWorkspace;
      if (!pack)
        throw new UsageError(
          'USAGE',
          `--queue: task "${task.id}" has a workspace, which this coordinator cannot ship`,
        );
      done = (async () => {
        const { tar, task: shippedTask } = await pack(task);
        const sha256 = createHash('sha256').update(tar).digest('hex');
        tars.set(sha256, tar);
        await storeTar(sha256, tar);
        return { task: shippedTask, sha256, bytes: tar.length };
      })();
      shipped.set(task.id, done);
    }
    return done;
  };

  const jobOptions = {
    attempts: options.jobAttempts ?? 3,
    backoff: { type: 'exponential', delay: options.backoffMs ?? 1000 },
    removeOnComplete: { count: 100_000 },
    removeOnFail: { age: 7 * 86_400 },
  };
  let sending: Promise<void> = Promise.resolve();
  // One round trip for the failed-state check and one for the adds, however many jobs.
  const send = (): Promise<void> => {
    sending = sending.then(async () => {
      const ids = [...unsent].filter((id) => pending.has(id));
      if (ids.length === 0) return;
      try {
        // A failed job would make `add` a no-op; a resumed run must be able to try it again.
        const scores = await writer.zmscore(queue.toKey('failed'), ...ids);
        await Promise.all(ids.filter((_, i) => scores[i] !== null).map((id) => queue.remove(id)));
        await queue.addBulk(
          ids.map((jobId) => ({
            name: 'episode',
            data: pending.get(jobId) as EpisodeJobData,
            opts: { ...jobOptions, jobId },
          })),
        );
        for (const id of ids) unsent.delete(id);
      } catch (error) {
        // Redis is away: the next tick sends them again.
        onError(error as Error);
      }
    });
    return sending;
  };
  let scheduled = false;
  const scheduleSend = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      void send();
    });
  };

  let ticks = 0;
  const tick = async () => {
    ticks++;
    const replies = await beat();
    // The epoch key was missing: Redis lost everything, so every pending job goes again.
    const emptied = replies?.[2]?.[1] === 'OK';
    if (emptied) {
      for (const [sha256, tar] of tars) await storeTar(sha256, tar);
      for (const id of pending.keys()) unsent.add(id);
    } else if (ticks % 10 === 0 && pending.size > 0) {
      const ids = [...pending.keys()];
      const pipeline = writer.pipeline();
      for (const id of ids) pipeline.exists(queue.toKey(id));
      const found = (await pipeline.exec()) ?? [];
      ids.forEach((id, i) => {
        if (found[i]?.[1] === 0) unsent.add(id);
      });
    }
    if (unsent.size > 0) await send();
    await collectFailed();
  };
  // A job that failed every delivery (its worker threw or died each time) ends as an infra
  // error record, never as a wrong answer; the runner then retries the episode up to
  // --max-attempts, as for any infra error.
  const collectFailed = async () => {
    const failed = await writer.zrange(queue.toKey('failed'), 0, -1);
    for (const jobId of failed) {
      const request = requests.get(jobId);
      if (!request || !pending.has(jobId)) continue;
      const job = await queue.getJob(jobId);
      if (!job || !(await job.isFailed())) continue;
      collector.accept(jobId, failedRecord(options, request, job.failedReason));
    }
  };
  let ticking = false;
  const timer = setInterval(() => {
    if (ticking) return;
    ticking = true;
    tick()
      .catch(onError)
      .finally(() => {
        ticking = false;
      });
  }, RECONCILE_MS);

  // Reads the stream from its start: a resumed coordinator also collects what finished while
  // it was away.
  const readLoop = (async () => {
    let last = '0';
    while (!closed) {
      const reply = await reader
        .xread('COUNT', 1000, 'BLOCK', 500, 'STREAMS', names.results, last)
        .catch(() => null);
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          last = id;
          const jobId = fields[1] ?? '';
          const parsed = traceRecordSchema.safeParse(JSON.parse(fields[3] ?? 'null'));
          if (parsed.success) collector.accept(jobId, parsed.data);
        }
      }
    }
  })();

  const execute: AttemptExecutor = async (request) => {
    const { job, attempt, runId, signal, episode } = request;
    const jobId = episodeJobId(runId, job.task.id, job.arm.name, job.sampleIndex, attempt, episode);
    const workspace = job.task.workspace === undefined ? undefined : await ship(job.task);
    requests.set(jobId, request);
    const result = collector.wait(jobId);
    pending.set(jobId, {
      runId,
      task: workspace?.task ?? job.task,
      ...(workspace ? { workspace: { sha256: workspace.sha256, bytes: workspace.bytes } } : {}),
      arm: {
        name: job.arm.name,
        tools: [...job.arm.tools],
        ...(job.arm.effort === undefined ? {} : { effort: job.arm.effort }),
      },
      sampleIndex: job.sampleIndex,
      attempt,
      seed: job.seed,
      groupId: job.groupId,
      sampling: options.sampling,
      ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }),
      ...(options.system === undefined ? {} : { system: options.system }),
      ...(options.recordTokens === true ? { recordTokens: true } : {}),
      ...(episode === undefined ? {} : { episode }),
    });
    void result.then(() => {
      pending.delete(jobId);
      unsent.delete(jobId);
    });
    unsent.add(jobId);
    scheduleSend();
    let onAbort = () => {};
    const aborted = new Promise<undefined>((resolve) => {
      onAbort = () => resolve(undefined);
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([result, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  };

  return {
    connection,
    execute,
    extraResults: () => ({ queue: { duplicates_dropped: collector.duplicatesDropped } }),
    close: async (finished) => {
      closed = true;
      clearInterval(timer);
      await readLoop;
      await sending;
      await writer.srem(RUNS_KEY, options.runId).catch(() => {});
      await writer.del(aliveKey(options.runId)).catch(() => {});
      if (finished) {
        await queue.obliterate({ force: true }).catch(() => {});
        const keys = [...tars.keys()].map((sha) => workspaceKey(options.runId, sha));
        await writer.del(names.results, epochKey, ...keys).catch(() => {});
      } else {
        // Cancelled: nothing new starts; running episodes still report to the stream, where
        // `--resume` finds them.
        await queue.drain(true).catch(() => {});
      }
      await queue.close().catch(() => {});
      reader.disconnect();
      writer.disconnect();
    },
  };
}

function failedRecord(
  options: QueueCollectorOptions,
  request: AttemptRequest,
  reason: string,
): TraceRecord {
  const now = new Date();
  const { job } = request;
  return buildTraceRecord({
    ids: {
      run_id: request.runId,
      task_id: job.task.id,
      arm: job.arm.name,
      group_id: job.groupId,
      sample_index: job.sampleIndex,
      attempt: request.attempt,
    },
    model: options.model,
    sampling: { ...options.sampling, seed: job.seed },
    tools: job.arm.tools,
    toolSpecs: [],
    messages: request.episode?.messages ?? taskMessages(job.task),
    toolCalls: [],
    turns: [],
    finalAnswer: null,
    status: 'error',
    stopReason: 'error',
    error: {
      class: 'infra',
      code: 'QUEUE_JOB_FAILED',
      message: `every delivery of the job failed: ${reason}`,
    },
    usage: { prompt_tokens: 0, completion_tokens: 0 },
    startedAt: now,
    endedAt: now,
    policy: options.policy,
  });
}
