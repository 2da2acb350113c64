import { Redis } from 'ioredis';

export interface RedisStatus {
  available: boolean;
  /** Why the queue tests are skipped; empty when they run. */
  reason: string;
  url: string;
  port: number;
}

/**
 * Whether the queue tests can run: a redis-server answers on 127.0.0.1 at the test port that
 * scripts/ensure-redis.sh starts. When not, the tests are skipped with the reason printed,
 * except under `CI=true`, where this throws so the file fails instead of passing silently.
 */
export async function requireRedis(): Promise<RedisStatus> {
  const port = Number(process.env['ASSAY_TEST_REDIS_PORT'] ?? 6390);
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  let reason = '';
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    reason = `no redis-server answers at ${url} (${error instanceof Error ? error.message : String(error)}); run \`bash scripts/ensure-redis.sh\``;
  } finally {
    client.disconnect();
  }
  if (reason && process.env['CI'] === 'true')
    throw new Error(`queue tests cannot run under CI=true: ${reason}`);
  if (reason) console.warn(`skipping queue tests: ${reason}`);
  return { available: reason === '', reason, url, port };
}
