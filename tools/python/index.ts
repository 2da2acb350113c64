import { extname } from 'node:path';
import { z } from 'zod';
import type { ContainerLimits } from '../../sandbox/docker/hardening.js';
import {
  SandboxManager,
  type SandboxManagerOptions,
} from '../../sandbox/docker/sandbox-manager.js';
import type { ExecutionOutcome, SandboxSession } from '../../sandbox/docker/sandbox-session.js';
import {
  defineTool,
  type ToolArtifact,
  type ToolContext,
  type ToolDefinition,
  type ToolResult,
} from '../../src/core/tool.js';
import { renderOutcome } from './render.js';

export const pythonInput = z.strictObject({
  code: z.string().min(1).max(200_000).describe('Python 3 code to run.'),
  timeout_s: z
    .number()
    .positive()
    .max(3600)
    .optional()
    .describe('Seconds the code may run (capped by the policy; default: the policy limit).'),
});

export type PythonInput = z.infer<typeof pythonInput>;

export interface PythonToolOptions {
  /** A manager shared by several tools or runs; the tool then leaves closing it to the caller. */
  manager?: SandboxManager;
  /** A local image with python3 (the `--image` flag); default the image `assay sandbox build` makes. */
  image?: string;
  /** Options of the manager the tool makes when none is given. */
  sandbox?: Omit<SandboxManagerOptions, 'image'>;
}

/** The tool, plus `close()`, which drains the warm pool and removes its containers. */
export type PythonTool = ToolDefinition<PythonInput> & {
  readonly manager: SandboxManager;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
};

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.pdf': 'application/pdf',
  '.json': 'application/json',
  '.csv': 'text/csv',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.html': 'text/html',
};

function artifactsOf(outcome: ExecutionOutcome): ToolArtifact[] {
  return [
    ...outcome.figures.map((f) => ({
      name: f.name,
      mime_type: 'image/png',
      data: new Uint8Array(f.data),
    })),
    ...outcome.files.map((f) => ({
      name: f.name,
      mime_type: MIME_TYPES[extname(f.name).toLowerCase()] ?? 'application/octet-stream',
      data: new Uint8Array(f.data),
    })),
  ];
}

const ERROR_CODES: Readonly<Record<ExecutionOutcome['status'], string>> = {
  ok: '',
  error: 'PYTHON_EXCEPTION',
  timeout: 'SANDBOX_TIMEOUT',
  killed: 'SANDBOX_TIMEOUT',
  oom: 'SANDBOX_OOM',
  crashed: 'SANDBOX_CRASHED',
};

function errorSummary(outcome: ExecutionOutcome): string {
  if (outcome.status === 'error')
    return outcome.error ? `${outcome.error.type}: ${outcome.error.message}` : 'error';
  if (outcome.status === 'timeout' || outcome.status === 'killed')
    return `timed out after ${outcome.timeoutMs} ms`;
  return outcome.lost ?? outcome.status;
}

export function toToolResult(outcome: ExecutionOutcome): ToolResult {
  const artifacts = artifactsOf(outcome);
  const result: ToolResult = {
    ok: outcome.status === 'ok',
    content: renderOutcome(outcome),
    data: {
      status: outcome.status,
      value: outcome.value,
      error_type: outcome.error?.type ?? null,
      stdout_bytes: outcome.stdout.total_bytes,
      stderr_bytes: outcome.stderr.total_bytes,
      duration_ms: Math.round(outcome.durationMs),
      timeout_ms: outcome.timeoutMs,
      container_id: outcome.containerId,
      ...(outcome.restartedAfter ? { restarted_after: outcome.restartedAfter } : {}),
    },
    usage: { sandbox_ms: Math.round(outcome.durationMs) },
  };
  if (artifacts.length > 0) result.artifacts = artifacts;
  if (outcome.status !== 'ok')
    result.error = { code: ERROR_CODES[outcome.status], message: errorSummary(outcome) };
  return result;
}

/**
 * The `python` tool: a stateful Python session per episode in a locked-down container (no
 * network, read-only root, non-root, limits). The container is created on the episode's first
 * call and removed when the episode ends. A policy's `network: true` does not open a network:
 * the sandbox always runs with NetworkMode none.
 */
export function createPythonTool(options: PythonToolOptions = {}): PythonTool {
  const owned = options.manager === undefined;
  const manager =
    options.manager ??
    new SandboxManager({ ...options.sandbox, ...(options.image ? { image: options.image } : {}) });
  const openSession = (ctx: ToolContext) => {
    const limits: Partial<ContainerLimits> = {
      memoryMb: ctx.limits.memory_mb,
      cpus: ctx.limits.cpus,
    };
    return ctx.resources.acquire<SandboxSession>(
      'python',
      () => manager.openSession({ limits, signal: ctx.signal }),
      (session) => session.close(),
    );
  };
  const close = async () => {
    if (owned) await manager.close();
  };
  const definition = defineTool<PythonInput>({
    name: 'python',
    description:
      'Run Python 3 code in a persistent sandbox, like a Jupyter notebook: variables, imports and files in the working directory stay between calls in this conversation. The value of the last expression is shown; print() output is returned. numpy, sympy and matplotlib are available (figures come back as PNG images). No network access and no package installation. Long output is truncated.',
    inputSchema: pythonInput,
    async run(args, ctx) {
      const requested =
        args.timeout_s === undefined ? ctx.limits.timeout_ms : args.timeout_s * 1000;
      const timeoutMs = Math.max(1, Math.min(requested, ctx.limits.timeout_ms));
      const session = await openSession(ctx);
      const outcome = await session.run(args.code, {
        timeoutMs,
        outputBytes: ctx.limits.output_bytes,
        signal: ctx.signal,
      });
      return toToolResult(outcome);
    },
  });
  return { ...definition, manager, close, [Symbol.asyncDispose]: close };
}
