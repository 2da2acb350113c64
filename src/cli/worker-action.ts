import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { McpToolSet } from '../../tools/mcp/client-tools.js';
import { InfraError } from '../core/errors.js';
import type { ToolSet } from '../core/tool.js';
import { modelFromOptions } from './model-options.js';
import { parseOptions } from './parse-options.js';
import { toolsFromOptions, usableTools } from './tool-options.js';

const positiveInt = (flag: string) =>
  z.coerce
    .number({ message: `${flag} must be a number` })
    .int()
    .positive({ message: `${flag} must be a positive integer` });

const workerFlagsSchema = z.object({
  queue: z.string({ message: '--queue redis://HOST:PORT[/DB] is required' }),
  concurrency: positiveInt('--concurrency').default(4),
  name: z.string().min(1).optional(),
  policy: z.string().optional(),
  lockDuration: positiveInt('--lock-duration').optional(),
  shutdownGrace: z.coerce.number().int().nonnegative().default(30_000),
  idleExit: positiveInt('--idle-exit').optional(),
  mcp: z.string().optional(),
});

/** What `assay worker` does; worker-command.ts declares its flags and imports this when it runs. */
export async function workerCommand(raw: Record<string, unknown>): Promise<number> {
  const flags = parseOptions(workerFlagsSchema, raw);
  const { runQueueWorker } = await import('../eval/run/queue-worker.js');
  const { parseQueueUrl, redactQueueUrl } = await import('../eval/run/queue-connection.js');
  const { loadBuiltinPolicy } = await import('../policy/builtin.js');
  const { loadPolicy } = await import('../policy/load.js');
  const connection = parseQueueUrl(flags.queue);
  const workerName = flags.name ?? `${hostname()}-${process.pid}`;
  const { provider } = await modelFromOptions(raw, process.env);
  const requested = await toolsFromOptions(raw, { pythonPool: flags.concurrency });
  const toolChoice = await usableTools(requested, { requiredBy: undefined, onWarning: warn });
  // The worker's own MCP servers: a job names tools, it never starts a process here.
  const mcpOptions = flags.mcp === undefined ? null : await import('./mcp-options.js');
  const mcp = mcpOptions === null ? null : await mcpOptions.mcpToolsFromFlag(flags.mcp);
  const policy =
    mcpOptions !== null
      ? await mcpOptions.policyWithMcp(flags.policy, mcp)
      : flags.policy === undefined
        ? await loadBuiltinPolicy('default')
        : await loadPolicy(resolve(flags.policy));
  const { SandboxManager } = await import('../../sandbox/docker/sandbox-manager.js');
  const { createSandboxCodeRunner } = await import('../../sandbox/docker/code-runner.js');
  // Made on first use: only code_tests tasks need it.
  let manager: InstanceType<typeof SandboxManager> | undefined;
  const codeRunner: import('../eval/verifiers/types.js').CodeRunner = {
    runTests: (...args) => {
      manager ??= new SandboxManager({
        poolSize: 0,
        ...(toolChoice.image === undefined ? {} : { image: toolChoice.image }),
      });
      return createSandboxCodeRunner(manager).runTests(...args);
    },
  };

  // Repository tasks arrive with their workspace as a tar (docs/scale-out.md); the task's
  // `workspace` is then that file's absolute path, so no suite directory is involved here.
  // Episodes and grades share containers started ahead: the first repository job starts the
  // next one, so later jobs do not wait for a container to start.
  const workspaces = await import('./workspace-eval.js');
  const spares = workspaces.startedAhead(toolChoice.image);
  const workspaceEpisode = await workspaces.workspaceEpisodes(
    '/',
    toolChoice.image,
    (names) => workerTools(toolChoice, mcp, names, workerName),
    spares,
  );

  const grader = workspaces.workspaceGrader('/', toolChoice.image, spares);
  const controller = new AbortController();
  const onSignal = () => {
    process.stderr.write('assay worker: stopping after the running episodes\n');
    controller.abort(new Error('stopping'));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.stderr.write(`assay worker: ${provider.info.name} ← ${connection.redacted}\n`);
  try {
    const { episodes } = await runQueueWorker({
      url: flags.queue,
      concurrency: flags.concurrency,
      name: workerName,
      model: provider,
      policy,
      createTools: (names) => workerTools(toolChoice, mcp, names, workerName),
      verifierContext: {
        codeRunner,
        workspaceGrader: grader.grade,
      },
      workspaceEpisode,
      settings: {
        model: provider.info,
        tools: toolChoice.names,
        ...(mcp === null ? {} : { mcp_tools: Object.keys(mcp.tools) }),
        concurrency: flags.concurrency,
        policy: policy.file,
        ...(toolChoice.image === undefined ? {} : { image: toolChoice.image }),
        ...(process.env['DOCKER_HOST']
          ? { docker_host: redactQueueUrl(process.env['DOCKER_HOST']) }
          : {}),
      },
      ...(flags.lockDuration === undefined ? {} : { lockDurationMs: flags.lockDuration }),
      shutdownGraceMs: flags.shutdownGrace,
      ...(flags.idleExit === undefined ? {} : { idleExitMs: flags.idleExit }),
      signal: controller.signal,
      onLog: (message) => process.stderr.write(`assay worker: ${message}\n`),
    });
    process.stderr.write(`assay worker: ran ${episodes} episodes\n`);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await provider.close?.();
    await manager?.close();
    await mcp?.close();
    await grader.close();
  }
}

/**
 * An arm's tools on this worker: its built-in tools and its MCP tools. A tool the worker does
 * not have fails the job (an infra error once every delivery failed), naming the tool and the
 * flag that would provide it, rather than running the arm without it.
 */
export function workerTools(
  toolChoice: Awaited<ReturnType<typeof usableTools>>,
  mcp: McpToolSet | null,
  names: readonly string[],
  worker: string,
): ToolSet {
  const builtin = toolChoice.names as readonly string[];
  const missing = names.filter((n) => !builtin.includes(n) && !Object.hasOwn(mcp?.tools ?? {}, n));
  if (missing.length > 0) {
    const flag = missing[0]!.startsWith('mcp__') ? '--mcp FILE' : '--tools';
    throw new InfraError(
      'QUEUE_TOOL_MISSING',
      `worker ${worker} has no tool ${missing.map((n) => `"${n}"`).join(', ')}: start it with ${flag} naming it`,
    );
  }
  const set = toolChoice.create(
    names.filter((n) => builtin.includes(n)) as typeof toolChoice.names,
  );
  if (mcp === null) return set;
  const tools = { ...set.tools };
  for (const n of names) if (Object.hasOwn(mcp.tools, n)) tools[n] = mcp.tools[n]!;
  return { tools, close: () => set.close() };
}

function warn(message: string): void {
  process.stderr.write(`assay: warning: ${message}\n`);
}
