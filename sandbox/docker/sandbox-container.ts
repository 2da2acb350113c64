import { randomUUID } from 'node:crypto';
import { raceAbort } from '../../src/core/abort.js';
import { AssayError, errorMessage, InfraError } from '../../src/core/errors.js';
import { engineStatus } from './docker-errors.js';
import type { DockerEngine } from './engine.js';
import {
  type ContainerLimits,
  type ContainerSpecInput,
  containerSpec,
  hardeningProblems,
} from './hardening.js';
import { ownerLabels } from './labels.js';
import type { ReplyMessage, ResultMessage } from './protocol.js';
import { ChannelClosedError, RunnerChannel } from './runner-channel.js';

export interface ContainerStartOptions {
  image: string;
  limits: ContainerLimits;
  runtime?: string | undefined;
  /** Variable names the image itself defines; anything else in the container is refused. */
  allowedEnv: ReadonlySet<string>;
  role: 'pool' | 'session';
  readyTimeoutMs?: number;
  signal?: AbortSignal | undefined;
  /** Called once when the container is disposed of, whoever does it. */
  onDispose?: (container: SandboxContainer) => void;
}

export interface ExecOptions {
  code: string;
  /** When set, a `code_tests` verification: `code` is the candidate, this the tests. */
  tests?: string | undefined;
  timeoutMs: number;
  outputBytes: number;
  /** How long past `timeoutMs` the runner has to stop the code before the container is killed. */
  graceMs: number;
  signal?: AbortSignal | undefined;
}

/** How one execution ended, as far as the container is concerned. */
export type ExecOutcome =
  | { kind: 'result'; result: ResultMessage; wallMs: number }
  | { kind: 'killed'; wallMs: number }
  | { kind: 'died'; reason: 'oom' | 'exited' | 'protocol'; detail: string; wallMs: number };

const MAX_REPLY_BYTES = 64 * 1024 * 1024;

/** One hardened container running the runner, attached over stdin/stdout. */
export class SandboxContainer {
  readonly id: string;
  readonly sessionId: string;
  readonly limits: ContainerLimits;
  readonly python: string;
  readonly createdAt = performance.now();
  readonly #engine: DockerEngine;
  readonly #channel: RunnerChannel;
  readonly #onDispose: ((container: SandboxContainer) => void) | undefined;
  #disposed: Promise<void> | undefined;

  private constructor(
    engine: DockerEngine,
    id: string,
    sessionId: string,
    limits: ContainerLimits,
    channel: RunnerChannel,
    python: string,
    onDispose: ((container: SandboxContainer) => void) | undefined,
  ) {
    this.#engine = engine;
    this.#onDispose = onDispose;
    this.id = id;
    this.sessionId = sessionId;
    this.limits = limits;
    this.#channel = channel;
    this.python = python;
  }

  /** Creates, verifies, attaches and starts a container, and waits for the runner's ready line. */
  static async start(
    engine: DockerEngine,
    options: ContainerStartOptions,
  ): Promise<SandboxContainer> {
    const sessionId = randomUUID();
    const input: ContainerSpecInput = {
      image: options.image,
      limits: options.limits,
      labels: ownerLabels(sessionId, options.role),
      runtime: options.runtime,
    };
    const signal = options.signal;
    let id: string;
    try {
      id = await engine.createContainer(containerSpec(input), { signal });
    } catch (error) {
      if (engineStatus(error) === 404) {
        throw new InfraError(
          'SANDBOX_IMAGE_MISSING',
          `the sandbox image ${options.image} is not in the Docker engine at ${engine.endpoint}; build it with \`assay sandbox build\``,
          { cause: error },
        );
      }
      throw error;
    }
    let channel: RunnerChannel | undefined;
    try {
      const info = await engine.inspectContainer(id, { signal });
      const problems = hardeningProblems(info, input, options.allowedEnv);
      if (problems.length > 0) {
        throw new InfraError(
          'SANDBOX_START_FAILED',
          `refusing to use container ${id.slice(0, 12)}: the engine did not apply ${problems.join('; ')}`,
          { details: { problems } },
        );
      }
      channel = new RunnerChannel(await engine.attach(id, { signal }), MAX_REPLY_BYTES);
      await engine.startContainer(id, { signal });
      const ready = await waitReady(channel, options.readyTimeoutMs ?? 30_000, signal);
      return new SandboxContainer(
        engine,
        id,
        sessionId,
        options.limits,
        channel,
        ready,
        options.onDispose,
      );
    } catch (error) {
      channel?.close('start failed');
      await engine.removeContainer(id).catch(() => undefined);
      if (error instanceof ChannelClosedError) {
        throw new InfraError(
          'SANDBOX_START_FAILED',
          `the runner did not start in image ${options.image} (${error.reason})${diagnosticsNote(channel)}`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  get alive(): boolean {
    return this.#channel.isOpen && this.#disposed === undefined;
  }

  /** Imports modules so the first call does not pay for them (a pool does this while idle). */
  async warmup(modules: readonly string[], signal?: AbortSignal): Promise<void> {
    if (modules.length === 0) return;
    await raceAbort(this.#channel.request({ type: 'warmup', modules }), signal);
  }

  /** A request that does no work, to measure the channel's round trip. */
  async ping(signal?: AbortSignal): Promise<void> {
    await raceAbort(this.#channel.request({ type: 'ping' }), signal);
  }

  async exec(options: ExecOptions): Promise<ExecOutcome> {
    const started = performance.now();
    const wall = () => performance.now() - started;
    const reply = this.#channel.request({
      type: options.tests === undefined ? 'exec' : 'verify',
      code: options.code,
      ...(options.tests === undefined ? {} : { tests: options.tests }),
      timeout_s: options.timeoutMs / 1000,
      output_bytes: options.outputBytes,
    });
    let ended: 'reply' | 'deadline' | 'aborted';
    let message: ReplyMessage | undefined;
    try {
      ended = await settleFirst(reply, options.timeoutMs + options.graceMs, options.signal);
      if (ended === 'reply') message = await reply;
    } catch (error) {
      if (error instanceof ChannelClosedError)
        return { ...(await this.#diagnose(error)), wallMs: wall() };
      throw error;
    }
    if (ended === 'aborted') {
      await this.dispose();
      throw new AssayError('ABORTED', 'the python call was aborted', {
        cause: options.signal?.reason,
      });
    }
    if (ended === 'deadline' || !message) {
      // The runner interrupts at the timeout; code that ignores the interrupt ends with its container.
      await this.dispose();
      return { kind: 'killed', wallMs: wall() };
    }
    if (message.type !== 'result') {
      await this.dispose();
      return {
        kind: 'died',
        reason: 'protocol',
        detail: 'the runner gave an unexpected reply',
        wallMs: wall(),
      };
    }
    return { kind: 'result', result: message, wallMs: wall() };
  }

  /** Ends the runner's stdin, then removes the container (force kills it if it lingers). */
  dispose(): Promise<void> {
    this.#disposed ??= (async () => {
      this.#onDispose?.(this);
      this.#channel.close();
      await this.#engine.removeContainer(this.id, { timeoutMs: 15_000 });
    })();
    return this.#disposed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  /** Why the runner went away: the out-of-memory killer, an exit, or a broken reply. */
  async #diagnose(
    error: ChannelClosedError,
  ): Promise<Omit<Extract<ExecOutcome, { kind: 'died' }>, 'wallMs'>> {
    if (!/exited|stream error/.test(error.reason)) {
      await this.dispose();
      return { kind: 'died', reason: 'protocol', detail: error.reason };
    }
    try {
      await this.#engine.waitContainer(this.id, { timeoutMs: 5_000 });
      const info = await this.#engine.inspectContainer(this.id, { timeoutMs: 5_000 });
      const state = info.State;
      if (state.OOMKilled) {
        return {
          kind: 'died',
          reason: 'oom',
          detail: `the code used more than the sandbox's ${this.limits.memoryMb} MB of memory and was killed`,
        };
      }
      return {
        kind: 'died',
        reason: 'exited',
        detail: `the sandbox process exited with code ${state.ExitCode}${diagnosticsNote(this.#channel)}`,
      };
    } catch (cause) {
      if (engineStatus(cause) === 404) {
        return {
          kind: 'died',
          reason: 'exited',
          detail: 'the sandbox container was removed from outside assay',
        };
      }
      throw new InfraError(
        'DOCKER_UNAVAILABLE',
        `the sandbox stopped and the Docker engine at ${this.#engine.endpoint} could not say why: ${errorMessage(cause)}`,
        { cause },
      );
    } finally {
      await this.dispose().catch(() => undefined);
    }
  }
}

async function waitReady(
  channel: RunnerChannel,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string> {
  const ended = await settleFirst(channel.ready, timeoutMs, signal);
  if (ended === 'aborted')
    throw new AssayError('ABORTED', 'starting the sandbox was aborted', { cause: signal?.reason });
  if (ended === 'deadline') {
    throw new InfraError(
      'SANDBOX_START_FAILED',
      `the runner did not say it was ready within ${timeoutMs} ms`,
    );
  }
  return (await channel.ready).python;
}

function diagnosticsNote(channel: RunnerChannel | undefined): string {
  const text = channel?.diagnostics.trim();
  return text ? `: ${text.slice(-1000)}` : '';
}

/** Which comes first: the promise settling, the deadline passing, or the signal aborting. */
function settleFirst(
  promise: Promise<unknown>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<'reply' | 'deadline' | 'aborted'> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      finish();
      resolve('aborted');
    };
    if (signal?.aborted) {
      resolve('aborted');
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    if (Number.isFinite(timeoutMs)) {
      timer = setTimeout(() => {
        finish();
        resolve('deadline');
      }, timeoutMs);
    }
    promise.then(
      () => {
        finish();
        resolve('reply');
      },
      (error: unknown) => {
        finish();
        reject(error);
      },
    );
  });
}
