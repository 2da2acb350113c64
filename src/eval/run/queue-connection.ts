import { createHash } from 'node:crypto';
import type { RedisOptions } from 'ioredis';
import { InfraError, UsageError } from '../../core/errors.js';

/** A parsed `--queue redis://[USER:PASSWORD@]HOST:PORT[/DB]`, with its printable form. */
export interface QueueConnection {
  options: RedisOptions;
  /** The URL with any password replaced: the only form ever printed, logged or traced. */
  redacted: string;
}

/** The Redis set listing the runs whose jobs wait for workers. */
export const RUNS_KEY = 'assay:runs';

/**
 * A run is live while its coordinator refreshes this key (every HEARTBEAT_MS, expiring after
 * three times that): workers skip, and unregister, the runs of coordinators that died.
 */
export function aliveKey(runId: string): string {
  return `assay:alive:${runId}`;
}
export const HEARTBEAT_MS = 5000;

export function parseQueueUrl(url: string): QueueConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError('USAGE', `--queue: not a URL (expected redis://HOST:PORT[/DB])`);
  }
  const redacted = redactQueueUrl(parsed);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new UsageError('USAGE', `--queue ${redacted}: expected redis:// or rediss://`);
  }
  const dbPart = parsed.pathname.replace(/^\//, '');
  const db = dbPart === '' ? 0 : Number(dbPart);
  if (!Number.isInteger(db) || db < 0) {
    throw new UsageError('USAGE', `--queue ${redacted}: the database "${dbPart}" is not a number`);
  }
  const options: RedisOptions = {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    db,
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
  return { options, redacted };
}

export function redactQueueUrl(url: URL | string): string {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : new URL(url.href);
  } catch {
    return '<invalid URL>';
  }
  if (parsed.password !== '') parsed.password = '***';
  return parsed.href;
}

/**
 * Fails fast, naming the (redacted) URL, when no Redis answers: a coordinator or worker started
 * against a wrong address says so instead of retrying forever as BullMQ's clients do.
 */
export async function probeQueue(connection: QueueConnection, timeoutMs = 3000): Promise<void> {
  const { Redis } = await import('ioredis');
  const client = new Redis({
    ...connection.options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InfraError(
      'QUEUE_UNREACHABLE',
      `Redis at ${connection.redacted} did not answer: ${scrub(reason, connection)}`,
    );
  } finally {
    client.disconnect();
  }
}

/** Removes the password from a message a Redis client wrote (it may echo its options). */
export function scrub(message: string, connection: QueueConnection): string {
  const password = connection.options.password;
  return password ? message.split(password).join('***') : message;
}

/** The BullMQ queue of a run's episodes and the Redis stream its results arrive on. */
export function queueNames(runId: string): { jobs: string; results: string } {
  if (!/^[A-Za-z0-9_-]+$/.test(runId)) {
    throw new UsageError('USAGE', `run id ${JSON.stringify(runId)} cannot name a queue`);
  }
  return { jobs: `assay-run-${runId}`, results: `assay:results:${runId}` };
}

/** Where a run's workspace tar with this sha256 waits for the workers. */
export function workspaceKey(runId: string, sha256: string): string {
  return `assay:workspace:${runId}:${sha256}`;
}

/**
 * The BullMQ job id of one attempt: the same (run, task, arm, sample, attempt) always gets the
 * same id, so enqueueing it again (a resumed coordinator) adds nothing. Never a plain integer
 * and never with ':' (BullMQ's rules for custom ids). An underlying episode of a strategy arm
 * adds its role, index, seed offset and its messages: a refine round after a different answer
 * is a different job, the same round with the same input the same one.
 */
export function episodeJobId(
  runId: string,
  taskId: string,
  arm: string,
  sampleIndex: number,
  attempt: number,
  episode?: unknown,
): string {
  const key: unknown[] = [runId, taskId, arm, sampleIndex, attempt];
  if (episode !== undefined) key.push(episode);
  const hash = createHash('sha256').update(JSON.stringify(key)).digest('hex');
  return `ep-${hash.slice(0, 32)}`;
}
