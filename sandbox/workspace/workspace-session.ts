import { randomUUID } from 'node:crypto';
import { AssayError, InfraError, ModelBehaviorError } from '../../src/core/errors.js';
import { engineStatus } from '../docker/docker-errors.js';
import { DockerEngine } from '../docker/engine.js';
import {
  type ContainerLimits,
  containerSpec,
  DEFAULT_CONTAINER_LIMITS,
  hardeningProblems,
  sandboxEnv,
} from '../docker/hardening.js';
import { ownerLabels } from '../docker/labels.js';
import { ChannelClosedError } from '../docker/runner-channel.js';
import { WORKSPACE_RUNNER_COMMAND } from '../image/recipe.js';
import { resolveSandboxImage } from '../image/resolve-image.js';
import {
  type BashResult,
  baseResult,
  bashResult,
  type DiffResult,
  diffResult,
  uploadResult,
  type WorkspaceReply,
} from './protocol.js';
import type { TarStream } from './source-files.js';
import { WorkspaceChannel } from './workspace-channel.js';

/** A workspace container holds a repository and its tests: more room than a python sandbox. */
export const WORKSPACE_CONTAINER_LIMITS: Readonly<ContainerLimits> = Object.freeze({
  ...DEFAULT_CONTAINER_LIMITS,
  memoryMb: 2048,
  pids: 256,
  tmpMb: 256,
  workspaceMb: 1024,
  fileSizeMb: 512,
});

const MAX_REPLY_BYTES = 64 * 1024 * 1024;
/** How long past a bash timeout the runner has to answer before the container is given up. */
const GRACE_MS = 10_000;

export interface WorkspaceSessionOptions {
  engine?: DockerEngine;
  image?: string | undefined;
  limits?: Partial<ContainerLimits>;
  signal?: AbortSignal | undefined;
}

/**
 * One hardened container running the workspace runner (shell, file tools, diff). Requests are
 * answered in order over the attached channel: no `docker exec` per call.
 */
export class WorkspaceSession {
  readonly id: string;
  readonly #engine: DockerEngine;
  readonly #channel: WorkspaceChannel;
  #closed: Promise<void> | undefined;

  private constructor(engine: DockerEngine, id: string, channel: WorkspaceChannel) {
    this.#engine = engine;
    this.id = id;
    this.#channel = channel;
  }

  static async start(options: WorkspaceSessionOptions = {}): Promise<WorkspaceSession> {
    const engine = options.engine ?? new DockerEngine();
    const signal = options.signal;
    const limits = { ...WORKSPACE_CONTAINER_LIMITS, ...options.limits };
    const { image, envNames } = await resolveSandboxImage(engine, options.image, signal);
    const input = { image, limits, labels: ownerLabels(randomUUID(), 'session' as const) };
    const spec = { ...containerSpec(input), Cmd: [...WORKSPACE_RUNNER_COMMAND] };
    let id: string;
    try {
      id = await engine.createContainer(spec, { signal });
    } catch (error) {
      if (engineStatus(error) === 404)
        throw new InfraError(
          'SANDBOX_IMAGE_MISSING',
          `the sandbox image ${image} is not in the Docker engine at ${engine.endpoint}; build it with \`assay sandbox build\``,
          { cause: error },
        );
      throw error;
    }
    let channel: WorkspaceChannel | undefined;
    try {
      const allowed = new Set([
        ...envNames,
        ...sandboxEnv(limits).map((e) => e.split('=')[0] ?? ''),
        'PATH',
      ]);
      // Attaching sends nothing to the container, so it runs beside the inspection; the
      // container starts only once the hardening is confirmed.
      const [inspected, attached] = await Promise.allSettled([
        engine.inspectContainer(id, { signal }),
        engine.attach(id, { signal }),
      ]);
      if (attached.status === 'rejected') throw attached.reason;
      const opened = new WorkspaceChannel(attached.value, MAX_REPLY_BYTES);
      channel = opened;
      if (inspected.status === 'rejected') throw inspected.reason;
      const info = inspected.value;
      const problems = hardeningProblems(info, input, allowed);
      if (problems.length > 0)
        throw new InfraError(
          'SANDBOX_START_FAILED',
          `refusing to use container ${id.slice(0, 12)}: the engine did not apply ${problems.join('; ')}`,
        );
      await engine.startContainer(id, { signal });
      await withDeadline(opened.ready, 30_000, 'the workspace runner did not start');
      return new WorkspaceSession(engine, id, opened);
    } catch (error) {
      channel?.close('start failed');
      await engine.removeContainer(id).catch(() => undefined);
      if (error instanceof ChannelClosedError)
        throw new InfraError(
          'SANDBOX_START_FAILED',
          `the workspace runner did not start in image ${image} (${error.reason}): ${channel?.diagnostics.slice(-1000) ?? ''}`,
          { cause: error },
        );
      throw error;
    }
  }

  /**
   * Copies a tar into /workspace, sent as raw bytes after the request line (a stream is sent
   * as it is packed, so unpacking overlaps packing). The first upload
   * is the base the diff is taken against: the runner records it in the background, and the
   * first request that could change the workspace waits for that. `base: false` skips the
   * record (a grader that never diffs).
   */
  async upload(
    tar: Buffer | TarStream,
    options: { base?: boolean } = {},
  ): Promise<{ files: number }> {
    const reply = await this.#request({ type: 'upload', base: options.base ?? true }, 120_000, tar);
    if (!reply.ok) throw new AssayError('INPUT_INVALID', reply.content);
    return uploadResult.parse(reply.data);
  }

  /** The git tree of the first upload, once recorded. */
  async baseTree(): Promise<string> {
    const reply = await this.#request({ type: 'base' }, 120_000);
    if (!reply.ok)
      throw new InfraError('SANDBOX_CRASHED', `the workspace base failed: ${reply.content}`);
    return baseResult.parse(reply.data).tree;
  }

  async bash(command: string, timeoutMs: number, outputBytes: number): Promise<BashResult> {
    const reply = await this.#request(
      { type: 'bash', command, timeout_s: timeoutMs / 1000, output_bytes: outputBytes },
      timeoutMs + GRACE_MS,
    );
    return bashResult.parse(reply.data);
  }

  /** read_file, write_file, edit_file, apply_patch: text in, text out, `ok: false` for mistakes. */
  async tool(
    type: 'read_file' | 'write_file' | 'edit_file' | 'apply_patch',
    args: Record<string, unknown>,
  ): Promise<{ ok: boolean; content: string; code: string | null }> {
    const reply = await this.#request({ ...args, type });
    return { ok: reply.ok, content: reply.content, code: reply.code };
  }

  async diff(maxBytes: number, fileBytes: number): Promise<DiffResult> {
    const reply = await this.#request(
      { type: 'diff', max_bytes: maxBytes, file_bytes: fileBytes },
      120_000,
    );
    // Changes too large to record are the agent's doing, not a broken sandbox.
    if (!reply.ok && reply.code === 'DIFF_TOO_LARGE')
      throw new ModelBehaviorError('WORKSPACE_DIFF_TOO_LARGE', reply.content);
    if (!reply.ok)
      throw new InfraError('SANDBOX_CRASHED', `the workspace diff failed: ${reply.content}`);
    return diffResult.parse(reply.data);
  }

  async #request(
    message: Record<string, unknown>,
    timeoutMs = 60_000,
    payload?: Buffer | TarStream,
  ): Promise<WorkspaceReply> {
    try {
      return await withDeadline(
        this.#channel.request(message, payload),
        timeoutMs,
        `the workspace runner did not answer a ${String(message['type'])} request`,
      );
    } catch (error) {
      await this.close();
      if (error instanceof ChannelClosedError)
        throw new InfraError(
          'SANDBOX_CRASHED',
          `the workspace container stopped: ${error.reason}`,
          {
            cause: error,
          },
        );
      throw error;
    }
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#channel.close();
      await this.#engine.removeContainer(this.id, { timeoutMs: 15_000 }).catch(() => undefined);
    })();
    return this.#closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new InfraError('SANDBOX_TIMEOUT', `${what} within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
