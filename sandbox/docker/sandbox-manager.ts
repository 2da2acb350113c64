import { AssayError, InfraError } from '../../src/core/errors.js';
import { resolveSandboxImage } from '../image/resolve-image.js';
import { DockerEngine } from './engine.js';
import { onExitSignal } from './exit-cleanup.js';
import {
  type ContainerLimits,
  chooseRuntime,
  DEFAULT_CONTAINER_LIMITS,
  sandboxEnv,
} from './hardening.js';
import { type ReapResult, reapOrphans } from './reaper.js';
import { SandboxContainer } from './sandbox-container.js';
import { SandboxSession } from './sandbox-session.js';
import { WarmPool } from './warm-pool.js';

export interface SandboxManagerOptions {
  /** A local image with python3; default `assay/python:<recipe-hash>` from `assay sandbox build`. */
  image?: string | undefined;
  engine?: DockerEngine;
  /** Ready containers kept for new episodes (default 1; 0 turns the pool off). */
  poolSize?: number;
  /** Container resources of pooled containers and of sessions that ask for nothing else. */
  limits?: Partial<ContainerLimits>;
  /** Modules imported in pooled containers while they wait, so first calls do not pay for them. */
  preload?: readonly string[];
  /** `auto` uses gVisor when the engine lists `runsc`. */
  runtime?: 'auto' | 'runc' | 'runsc';
  /** Remove containers of dead assay processes when starting (default true). */
  reap?: boolean;
  /** How long past its timeout a call may take to stop before its container is killed. */
  graceMs?: number;
  readyTimeoutMs?: number;
}

export interface ManagerState {
  image: string;
  runtime: string | undefined;
  reaped: ReapResult;
}

function sameLimits(a: ContainerLimits, b: ContainerLimits): boolean {
  return (Object.keys(a) as (keyof ContainerLimits)[]).every((k) => a[k] === b[k]);
}

/**
 * Owns the sandbox side of a process: the engine connection, the image, the reaper, the warm
 * pool and the exit-signal cleanup. Started lazily by the first session; `close()` drains it.
 */
export class SandboxManager {
  readonly engine: DockerEngine;
  readonly limits: ContainerLimits;
  readonly #options: SandboxManagerOptions;
  #started: Promise<ManagerState> | undefined;
  #pool: WarmPool | undefined;
  #allowedEnv = new Set<string>();
  #live = new Set<SandboxContainer>();
  #unregister: (() => void) | undefined;
  #closed = false;

  constructor(options: SandboxManagerOptions = {}) {
    this.#options = options;
    this.engine = options.engine ?? new DockerEngine();
    this.limits = { ...DEFAULT_CONTAINER_LIMITS, ...options.limits };
  }

  /**
   * Checks the engine and image and reaps leftovers. Idempotent. The pool starts filling after
   * the first container is handed out, or when `prewarm()` is called.
   */
  start(signal?: AbortSignal): Promise<ManagerState> {
    if (this.#closed)
      return Promise.reject(new AssayError('ABORTED', 'the sandbox manager is closed'));
    this.#started ??= this.#start(signal);
    // A failed start (engine down, image missing) is retried by the next caller.
    this.#started.catch(() => {
      this.#started = undefined;
    });
    return this.#started;
  }

  async #start(signal?: AbortSignal): Promise<ManagerState> {
    const info = await this.engine.info({ signal });
    const runtime = chooseRuntime(this.#options.runtime ?? 'auto', info.runtimes);
    if (runtime && !info.runtimes.includes(runtime)) {
      throw new InfraError(
        'SANDBOX_START_FAILED',
        `the Docker engine at ${this.engine.endpoint} has no ${runtime} runtime (it has ${info.runtimes.join(', ')})`,
      );
    }
    const reaped =
      this.#options.reap === false
        ? { removed: [], failed: [] }
        : await reapOrphans(this.engine, signal);
    const { image, envNames } = await resolveSandboxImage(this.engine, this.#options.image, signal);
    const ownEnv = sandboxEnv(this.limits).map((e) => e.slice(0, e.indexOf('=')));
    this.#allowedEnv = new Set([...envNames, ...ownEnv, 'PATH']);
    this.#unregister ??= onExitSignal(() => this.close());
    const state = { image, runtime, reaped };
    const preload = this.#options.preload ?? ['numpy', 'sympy'];
    this.#pool = new WarmPool({
      size: this.#options.poolSize ?? 1,
      create: async (poolSignal) => {
        const container = await this.#createContainer(state, this.limits, 'pool', poolSignal);
        await container.warmup(preload, poolSignal);
        return container;
      },
    });
    return state;
  }

  async #createContainer(
    state: ManagerState,
    limits: ContainerLimits,
    role: 'pool' | 'session',
    signal?: AbortSignal,
  ): Promise<SandboxContainer> {
    const container = await SandboxContainer.start(this.engine, {
      image: state.image,
      limits,
      runtime: state.runtime,
      allowedEnv: this.#allowedEnv,
      role,
      signal,
      onDispose: (c) => this.#live.delete(c),
      ...(this.#options.readyTimeoutMs ? { readyTimeoutMs: this.#options.readyTimeoutMs } : {}),
    });
    if (this.#closed) {
      await container.dispose();
      throw new AssayError('ABORTED', 'the sandbox manager is closed');
    }
    this.#live.add(container);
    return container;
  }

  /**
   * A ready container for one episode: from the warm pool when it holds one with these limits,
   * else started now. The caller owns it and disposes of it.
   */
  async acquireContainer(
    limits?: Partial<ContainerLimits>,
    signal?: AbortSignal,
  ): Promise<SandboxContainer> {
    const state = await this.start(signal);
    const wanted = { ...this.limits, ...limits };
    const pooled = sameLimits(wanted, this.limits) ? this.#pool?.take() : undefined;
    // The pool refills after a cold start, not during it, so the two never compete for CPU.
    const container = pooled ?? (await this.#createContainer(state, wanted, 'session', signal));
    this.#pool?.fill();
    return container;
  }

  /** A session whose container is acquired now, so engine and image faults surface here. */
  async openSession(
    options: { limits?: Partial<ContainerLimits>; signal?: AbortSignal } = {},
  ): Promise<SandboxSession> {
    const session = new SandboxSession((signal) => this.acquireContainer(options.limits, signal), {
      ...(this.#options.graceMs === undefined ? {} : { graceMs: this.#options.graceMs }),
    });
    await session.prepare(options.signal);
    return session;
  }

  /** Starts the engine checks and the pool's first refill now, ahead of the first session. */
  async prewarm(signal?: AbortSignal): Promise<void> {
    await this.start(signal);
    this.#pool?.fill();
  }

  /** Resolves when the pool has finished its current refill (for benchmarks and tests). */
  async poolSettled(): Promise<void> {
    await this.#started;
    await this.#pool?.settled();
  }

  get pool(): WarmPool | undefined {
    return this.#pool;
  }

  /** Drains the pool and removes every container this manager started. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unregister?.();
    await this.#started?.catch(() => undefined);
    await this.#pool?.drain();
    await Promise.all([...this.#live].map((c) => c.dispose().catch(() => undefined)));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
