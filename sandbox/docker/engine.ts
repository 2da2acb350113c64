import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Duplex, Readable } from 'node:stream';
import type Docker from 'dockerode';
import pLimit, { type LimitFunction } from 'p-limit';
import { withTimeout } from '../../src/core/abort.js';
import { engineStatus, mapEngineError } from './docker-errors.js';
import { dockerOptionsFor } from './engine-host.js';

export interface DockerEngineOptions {
  /** An engine address: `unix:///path`, `tcp://host:port`, `ssh://user@host`; default DOCKER_HOST or the local socket. */
  host?: string;
  /** Engine calls in flight at once; the rest wait. */
  concurrency?: number;
  /** The deadline of one engine call. */
  callTimeoutMs?: number;
}

export interface CallOptions {
  signal?: AbortSignal | undefined;
  timeoutMs?: number;
}

/** dockerode's ping and info take an abort signal, which its typings leave out. */
interface SignalAware {
  ping(options: { abortSignal: AbortSignal }): Promise<unknown>;
  info(options: { abortSignal: AbortSignal }): Promise<unknown>;
}

export interface EngineInfo {
  serverVersion: string;
  runtimes: string[];
  defaultRuntime: string;
}

/** The engine address in the form users type, for messages. */
export function engineEndpoint(host = process.env['DOCKER_HOST']): string {
  if (host) return host;
  const userSocket = join(homedir(), '.docker', 'run', 'docker.sock');
  return `unix://${existsSync(userSocket) ? userSocket : '/var/run/docker.sock'}`;
}

/**
 * dockerode and its ssh/protobuf dependencies take most of a second to load; they are required
 * when the first engine is made, so that commands and tools that never reach Docker skip them.
 */
const requireLazily = createRequire(import.meta.url);

function dockerFor(endpoint: string): Docker {
  const Docker = requireLazily('dockerode') as typeof import('dockerode');
  return new Docker(dockerOptionsFor(endpoint));
}

/**
 * A promise-only adapter over dockerode: every call runs under a deadline and a shared
 * concurrency limit, and every failure comes out as an AssayError naming the engine.
 */
export class DockerEngine {
  readonly docker: Docker;
  readonly endpoint: string;
  readonly callTimeoutMs: number;
  readonly #limit: LimitFunction;

  constructor(options: DockerEngineOptions = {}) {
    this.endpoint = engineEndpoint(options.host);
    this.docker = dockerFor(this.endpoint);
    this.callTimeoutMs = options.callTimeoutMs ?? 30_000;
    this.#limit = pLimit(options.concurrency ?? 4);
  }

  /** Runs one engine operation with a deadline, inside the concurrency limit. */
  call<T>(
    operation: string,
    run: (signal: AbortSignal) => Promise<T>,
    options: CallOptions = {},
  ): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.callTimeoutMs;
    return this.#limit(async () => {
      const signal = withTimeout(options.signal, timeoutMs);
      let onAbort: (() => void) | undefined;
      // dockerode does not honour the signal on every path, so the deadline also races it.
      const deadline = new Promise<never>((_, reject) => {
        onAbort = () => reject(signal.reason);
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        return await Promise.race([run(signal), deadline]);
      } catch (error) {
        throw mapEngineError(error, operation, this.endpoint, signal, timeoutMs);
      } finally {
        if (onAbort) signal.removeEventListener('abort', onAbort);
      }
    });
  }

  async ping(options: CallOptions = {}): Promise<void> {
    await this.call(
      'ping',
      (abortSignal) => (this.docker as unknown as SignalAware).ping({ abortSignal }),
      options,
    );
  }

  async info(options: CallOptions = {}): Promise<EngineInfo> {
    const info = (await this.call(
      'info',
      (abortSignal) => (this.docker as unknown as SignalAware).info({ abortSignal }),
      options,
    )) as {
      ServerVersion?: string;
      Runtimes?: Record<string, unknown>;
      DefaultRuntime?: string;
    };
    return {
      serverVersion: info.ServerVersion ?? 'unknown',
      runtimes: Object.keys(info.Runtimes ?? {}),
      defaultRuntime: info.DefaultRuntime ?? 'runc',
    };
  }

  /** The image's metadata, or undefined when the engine has no image of that name. */
  async inspectImage(
    name: string,
    options: CallOptions = {},
  ): Promise<Docker.ImageInspectInfo | undefined> {
    try {
      return await this.call(
        `inspect image ${name}`,
        (abortSignal) =>
          this.docker.getImage(name).inspect({ abortSignal } as Docker.ImageInspectOptions),
        options,
      );
    } catch (error) {
      if (engineStatus(error) === 404) return undefined;
      throw error;
    }
  }

  async createContainer(
    spec: Docker.ContainerCreateOptions,
    options: CallOptions = {},
  ): Promise<string> {
    const container = await this.call(
      `create container from ${spec.Image ?? 'an image'}`,
      (abortSignal) => this.docker.createContainer({ ...spec, abortSignal }),
      options,
    );
    return container.id;
  }

  async startContainer(id: string, options: CallOptions = {}): Promise<void> {
    await this.call(
      `start container ${id.slice(0, 12)}`,
      (abortSignal) => this.docker.getContainer(id).start({ abortSignal }),
      options,
    );
  }

  async inspectContainer(
    id: string,
    options: CallOptions = {},
  ): Promise<Docker.ContainerInspectInfo> {
    return this.call(
      `inspect container ${id.slice(0, 12)}`,
      (abortSignal) => this.docker.getContainer(id).inspect({ abortSignal }),
      options,
    );
  }

  /**
   * Opens the container's stdin/stdout/stderr as one hijacked socket. No abort signal is handed
   * to dockerode here: it would stay tied to the socket and cut it when the deadline passes.
   */
  async attach(id: string, options: CallOptions = {}): Promise<Duplex> {
    let late: Duplex | undefined;
    let settled = false;
    try {
      return await this.call(
        `attach to container ${id.slice(0, 12)}`,
        async () => {
          const stream = (await this.docker.getContainer(id).attach({
            stream: true,
            stdin: true,
            stdout: true,
            stderr: true,
            hijack: true,
          })) as Duplex;
          if (settled) late = stream;
          return stream;
        },
        options,
      );
    } finally {
      settled = true;
      late?.destroy();
    }
  }

  /** Sends SIGKILL; a container that is already gone or stopped is not an error. */
  async killContainer(id: string, options: CallOptions = {}): Promise<void> {
    try {
      await this.call(
        `kill container ${id.slice(0, 12)}`,
        (abortSignal) => this.docker.getContainer(id).kill({ abortSignal }),
        options,
      );
    } catch (error) {
      const status = engineStatus(error);
      if (status === 404 || status === 409) return;
      throw error;
    }
  }

  /** Removes the container and its anonymous volumes, killing it first; gone already is fine. */
  async removeContainer(id: string, options: CallOptions = {}): Promise<void> {
    try {
      await this.call(
        `remove container ${id.slice(0, 12)}`,
        (abortSignal) =>
          this.docker
            .getContainer(id)
            .remove({ force: true, v: true, abortSignal } as Docker.ContainerRemoveOptions),
        options,
      );
    } catch (error) {
      const status = engineStatus(error);
      if (status === 404 || status === 409) return;
      throw error;
    }
  }

  /** Waits until the container has stopped and returns its exit code. */
  async waitContainer(id: string, options: CallOptions = {}): Promise<number> {
    const result = (await this.call(
      `wait for container ${id.slice(0, 12)}`,
      (abortSignal) => this.docker.getContainer(id).wait({ abortSignal }),
      options,
    )) as { StatusCode?: number };
    return result.StatusCode ?? -1;
  }

  async listContainers(
    labels: readonly string[],
    options: CallOptions = {},
  ): Promise<Docker.ContainerInfo[]> {
    return this.call(
      'list containers',
      (abortSignal) =>
        this.docker.listContainers({ all: true, filters: { label: [...labels] }, abortSignal }),
      options,
    );
  }

  /** Extracts a tar archive into the container's filesystem at `path`. */
  async putArchive(
    id: string,
    path: string,
    tar: Buffer,
    options: CallOptions = {},
  ): Promise<void> {
    await this.call(
      `copy files into container ${id.slice(0, 12)}`,
      (abortSignal) => this.docker.getContainer(id).putArchive(tar, { path, abortSignal }),
      options,
    );
  }

  /** Commits the container as `repo:tag`, applying Dockerfile instructions such as CMD and LABEL. */
  async commit(
    id: string,
    image: string,
    changes: readonly string[],
    options: CallOptions = {},
  ): Promise<void> {
    const [repo, tag] = splitImageName(image);
    await this.call(
      `commit image ${image}`,
      (abortSignal) =>
        this.docker.getContainer(id).commit({ repo, tag, changes: [...changes], abortSignal }),
      options,
    );
  }

  /** Imports a root filesystem tarball as `repo:tag`; the stream is consumed to the end. */
  async importImage(tar: Readable, image: string, options: CallOptions = {}): Promise<void> {
    const [repo, tag] = splitImageName(image);
    await this.call(
      `import image ${image}`,
      async (abortSignal) => {
        const response = (await this.docker.importImage(tar, {
          repo,
          tag,
          abortSignal,
        })) as Readable;
        await drainProgress(response, image);
      },
      options,
    );
  }

  async tagImage(source: string, target: string, options: CallOptions = {}): Promise<void> {
    const [repo, tag] = splitImageName(target);
    await this.call(
      `tag image ${source} as ${target}`,
      (abortSignal) => this.docker.getImage(source).tag({ repo, tag, abortSignal }),
      options,
    );
  }

  async removeImage(name: string, options: CallOptions = {}): Promise<void> {
    try {
      await this.call(
        `remove image ${name}`,
        (abortSignal) => this.docker.getImage(name).remove({ abortSignal }),
        options,
      );
    } catch (error) {
      if (engineStatus(error) === 404) return;
      throw error;
    }
  }
}

/** `repo:tag` → [repo, tag]; a colon inside a registry host's port is not a tag separator. */
export function splitImageName(image: string): [string, string] {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  if (colon > slash) return [image.slice(0, colon), image.slice(colon + 1)];
  return [image, 'latest'];
}

/** Reads a JSON progress stream to its end and fails on an `error` entry. */
async function drainProgress(response: Readable, image: string): Promise<void> {
  let text = '';
  for await (const chunk of response) {
    text += String(chunk);
    if (text.length > 1_000_000) text = text.slice(-100_000);
  }
  const failure = /"error"\s*:\s*"([^"]*)"/.exec(text);
  if (failure) throw new Error(`engine reported an error for ${image}: ${failure[1]}`);
}
