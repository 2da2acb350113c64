import { errorMessage } from '../core/errors.js';
import type { EpisodeResources } from '../core/tool.js';

interface Entry {
  value: Promise<unknown>;
  dispose: (value: never) => Promise<void>;
}

/**
 * Per-episode resources: one value per key, created on first use, disposed in reverse order of
 * creation by `disposeAll`, which never throws (a failed dispose is reported, not propagated).
 */
export class EpisodeResourcePool implements EpisodeResources {
  readonly #entries = new Map<string, Entry>();
  #closed = false;

  acquire<T>(
    key: string,
    create: () => Promise<T>,
    dispose: (value: T) => Promise<void>,
  ): Promise<T> {
    if (this.#closed) return Promise.reject(new Error(`episode resources are closed (${key})`));
    const existing = this.#entries.get(key);
    if (existing) return existing.value as Promise<T>;
    const value = create();
    // A failed creation is forgotten so the next call can try again.
    value.catch(() => {
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
    });
    this.#entries.set(key, { value, dispose: dispose as (value: never) => Promise<void> });
    return value;
  }

  /** Drops a resource without disposing it (its owner already did, e.g. after a crash). */
  forget(key: string): void {
    this.#entries.delete(key);
  }

  async disposeAll(onError?: (key: string, message: string) => void): Promise<void> {
    this.#closed = true;
    const entries = [...this.#entries.entries()].reverse();
    this.#entries.clear();
    for (const [key, entry] of entries) {
      try {
        const value = await entry.value;
        await entry.dispose(value as never);
      } catch (error) {
        onError?.(key, errorMessage(error));
      }
    }
  }
}
