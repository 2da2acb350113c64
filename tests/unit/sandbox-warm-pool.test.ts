import { describe, expect, it } from 'vitest';
import type { SandboxContainer } from '../../sandbox/docker/sandbox-container.js';
import { WarmPool } from '../../sandbox/docker/warm-pool.js';

interface Fake {
  id: number;
  alive: boolean;
  disposed: boolean;
  dispose(): Promise<void>;
}

/** A pool whose containers are plain objects, counting creations and disposals. */
function fakePool(size: number, fail = false) {
  const created: Fake[] = [];
  let inFlight = 0;
  let peak = 0;
  const pool = new WarmPool({
    size,
    create: async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      if (fail) throw new Error('engine down');
      const fake: Fake = {
        id: created.length,
        alive: true,
        disposed: false,
        async dispose() {
          this.disposed = true;
          this.alive = false;
        },
      };
      created.push(fake);
      return fake as unknown as SandboxContainer;
    },
  });
  return { pool, created, peak: () => peak };
}

describe('the warm pool', () => {
  it('fills to its size one container at a time', async () => {
    const { pool, created, peak } = fakePool(3);
    pool.fill();
    await pool.settled();
    expect(pool.readyCount).toBe(3);
    expect(created).toHaveLength(3);
    expect(peak()).toBe(1);
  });

  it('hands each container out once and refills when asked', async () => {
    const { pool, created } = fakePool(1);
    expect(pool.take()).toBeUndefined();
    pool.fill();
    await pool.settled();
    const first = pool.take() as unknown as Fake;
    expect(first.id).toBe(0);
    expect(pool.take()).toBeUndefined();
    pool.fill();
    await pool.settled();
    expect((pool.take() as unknown as Fake).id).toBe(1);
    expect(created).toHaveLength(2);
  });

  it('skips and disposes of containers that died while waiting', async () => {
    const { pool, created } = fakePool(2);
    pool.fill();
    await pool.settled();
    created[0]!.alive = false;
    expect((pool.take() as unknown as Fake).id).toBe(1);
    expect(created[0]!.disposed).toBe(true);
  });

  it('keeps the last refill error instead of retrying in a loop', async () => {
    const { pool } = fakePool(2, true);
    pool.fill();
    await pool.settled();
    expect(pool.readyCount).toBe(0);
    expect(pool.lastError).toBeInstanceOf(Error);
  });

  it('disposes of every ready container when drained, and stops refilling', async () => {
    const { pool, created } = fakePool(2);
    pool.fill();
    await pool.settled();
    await pool.drain();
    expect(created.map((c) => c.disposed)).toEqual([true, true]);
    pool.fill();
    expect(pool.take()).toBeUndefined();
    expect(created).toHaveLength(2);
  });
});
