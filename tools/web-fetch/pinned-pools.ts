import type { LookupAddress, LookupOptions } from 'node:dns';
import { Pool } from 'undici';

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

export interface PoolTimeouts {
  connectTimeoutMs: number;
}

/**
 * Connection pools keyed by origin and checked address. A pool's sockets only ever go to the
 * address it was made for (its `lookup` answers with that address alone), so keep-alive
 * reuse never skips the check, and a later call that resolves elsewhere gets its own pool.
 */
export class PinnedPools {
  readonly #pools = new Map<string, Pool>();
  readonly #max: number;
  readonly #timeouts: PoolTimeouts;

  constructor(timeouts: PoolTimeouts, max = 16) {
    this.#timeouts = timeouts;
    this.#max = max;
  }

  get(origin: string, address: string, family: 4 | 6): Pool {
    const key = `${origin}|${address}`;
    const existing = this.#pools.get(key);
    if (existing) {
      this.#pools.delete(key);
      this.#pools.set(key, existing);
      return existing;
    }
    const lookup = (_host: string, options: LookupOptions, callback: LookupCallback) => {
      if (options.all) callback(null, [{ address, family }]);
      else callback(null, address, family);
    };
    const pool = new Pool(origin, {
      connections: 8,
      keepAliveTimeout: 4_000,
      connect: { lookup, timeout: this.#timeouts.connectTimeoutMs },
    });
    this.#pools.set(key, pool);
    while (this.#pools.size > this.#max) {
      const [oldestKey, oldest] = this.#pools.entries().next().value as [string, Pool];
      this.#pools.delete(oldestKey);
      void oldest.close().catch(() => undefined);
    }
    return pool;
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }
}
