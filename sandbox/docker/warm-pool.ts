import type { SandboxContainer } from './sandbox-container.js';

export interface WarmPoolOptions {
  /** Containers kept started and ready. */
  size: number;
  create: (signal: AbortSignal) => Promise<SandboxContainer>;
}

/**
 * Started, ready containers waiting for an episode. Each is handed out once and never comes
 * back (the episode's state stays with it); the pool refills one container at a time in the
 * background so a refill never competes with a running call for more than one core.
 */
export class WarmPool {
  readonly size: number;
  readonly #create: (signal: AbortSignal) => Promise<SandboxContainer>;
  readonly #ready: SandboxContainer[] = [];
  readonly #controller = new AbortController();
  #filling: Promise<void> | undefined;
  #lastError: unknown;
  #waiters: (() => void)[] = [];

  constructor(options: WarmPoolOptions) {
    this.size = Math.max(0, Math.floor(options.size));
    this.#create = options.create;
  }

  get readyCount(): number {
    return this.#ready.length;
  }

  /** The error of the last failed refill, cleared by the next success. */
  get lastError(): unknown {
    return this.#lastError;
  }

  /** A ready container, or undefined when none is ready. The caller decides when to refill. */
  take(): SandboxContainer | undefined {
    let container: SandboxContainer | undefined;
    while (!container && this.#ready.length > 0) {
      const next = this.#ready.shift()!;
      if (next.alive) container = next;
      else void next.dispose().catch(() => undefined);
    }
    return container;
  }

  /** Starts refilling in the background unless a refill runs or the pool is full or closed. */
  fill(): void {
    if (this.#filling || this.#controller.signal.aborted || this.#ready.length >= this.size) return;
    this.#filling = this.#refill().finally(() => {
      this.#filling = undefined;
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** Resolves once the current refill has finished (full, failed or closed). */
  async settled(): Promise<void> {
    if (!this.#filling) return;
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** Stops refilling and removes every ready container. */
  async drain(): Promise<void> {
    this.#controller.abort(new Error('the warm pool was closed'));
    await this.#filling?.catch(() => undefined);
    const ready = this.#ready.splice(0);
    await Promise.all(ready.map((c) => c.dispose().catch(() => undefined)));
  }

  async #refill(): Promise<void> {
    const signal = this.#controller.signal;
    while (!signal.aborted && this.#ready.length < this.size) {
      let container: SandboxContainer;
      try {
        container = await this.#create(signal);
      } catch (error) {
        // A failing engine is not retried in a loop; the next take() tries again.
        this.#lastError = error;
        return;
      }
      this.#lastError = undefined;
      if (signal.aborted) {
        await container.dispose().catch(() => undefined);
        return;
      }
      this.#ready.push(container);
    }
  }
}
