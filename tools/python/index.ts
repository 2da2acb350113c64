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
import { renderWithin } from './render.js';

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

/** Bytes of figures and files one episode may keep; the runner caps each call at 24 MB. */
export const EPISODE_ARTIFACT_BYTES = 64 * 1024 * 1024;

/**
 * The outcome with the figures and files that do not fit in what is left of the episode's
 * artifact bytes moved to `filesOmitted` (named and sized, not kept), and the bytes now used.
 */
export function withinEpisodeArtifacts(
  outcome: ExecutionOutcome,
  usedBytes: number,
  capBytes = EPISODE_ARTIFACT_BYTES,
): { outcome: ExecutionOutcome; usedBytes: number } {
  let used = usedBytes;
  const omitted = [...outcome.filesOmitted];
  const keep = (artifacts: ExecutionOutcome['files']) =>
    artifacts.filter((a) => {
      if (used + a.data.length <= capBytes) {
        used += a.data.length;
        return true;
      }
      omitted.push({ path: a.name, size: a.data.length });
      return false;
    });
  const figures = keep(outcome.figures);
  const files = keep(outcome.files);
  return { outcome: { ...outcome, figures, files, filesOmitted: omitted }, usedBytes: used };
}

/** Artifact bytes kept so far, per episode (its session). */
const artifactBytes = new WeakMap<SandboxSession, number>();

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

/** The tool's result; its content fits `maxBytes` (the policy's output_bytes) with its markers. */
export function toToolResult(
  outcome: ExecutionOutcome,
  maxBytes = Number.POSITIVE_INFINITY,
): ToolResult {
  const artifacts = artifactsOf(outcome);
  const result: ToolResult = {
    ok: outcome.status === 'ok',
    content: renderWithin(outcome, maxBytes),
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
      const kept = withinEpisodeArtifacts(outcome, artifactBytes.get(session) ?? 0);
      artifactBytes.set(session, kept.usedBytes);
      return toToolResult(kept.outcome, ctx.limits.output_bytes);
    },
  });
  return { ...definition, manager, close, [Symbol.asyncDispose]: close };
}
