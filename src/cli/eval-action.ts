import { basename, resolve } from 'node:path';
import { z } from 'zod';
import type { SandboxManager } from '../../sandbox/docker/sandbox-manager.js';
import type { McpToolSet } from '../../tools/mcp/client-tools.js';
import { DEFAULT_MAX_STEPS } from '../agent/max-steps.js';
import { UsageError } from '../core/errors.js';
import type { ToolSet } from '../core/tool.js';
import type { Suite } from '../eval/suite.js';
import type { Task } from '../eval/task-schema.js';
import type { CodeRunner } from '../eval/verifiers/types.js';
import { createProgressPrinter } from './eval-progress.js';
import { type ModelChoice, modelFromOptions } from './model-options.js';
import { parseOptions } from './parse-options.js';
import { createWorkerRates } from './queue-progress.js';
import { type ToolChoice, toolsFromOptions, usableTools } from './tool-options.js';

const positiveInt = (flag: string) =>
  z.coerce
    .number({ message: `${flag} must be a number` })
    .int()
    .positive({ message: `${flag} must be a positive integer` });

const evalFlagsSchema = z.object({
  arms: z.string().default('tools,no-tools'),
  samples: positiveInt('--samples').default(1),
  concurrency: positiveInt('--concurrency').default(4),
  out: z.string().optional(),
  resume: z.boolean().default(false),
  maxSteps: positiveInt('--max-steps').default(DEFAULT_MAX_STEPS),
  maxAttempts: positiveInt('--max-attempts').default(3),
  policy: z.string().optional(),
  system: z.string().optional(),
  mcp: z.string().optional(),
  mcpPins: z.string().optional(),
  seed: z.coerce.number().int().optional(),
  queue: z.string().optional(),
});

/** What `assay eval rescore` does; eval-command.ts declares it and imports this when it runs. */
export async function rescoreCommand(dir: string, raw: { suite?: string }): Promise<number> {
  // Imported here so that `--help` loads none of the verifiers' or sandbox's modules.
  const { rescoreRun } = await import('../eval/report/rescore.js');
  const { writeRunReports, readManifest, renderSummary } = await reportModules();
  const outDir = resolve(dir);
  const sandbox = await codeSandbox({});
  const results = await rescoreRun(outDir, raw.suite, {
    onWarning: warn,
    verifierContext: { codeRunner: sandbox.runner },
  }).finally(() => sandbox.manager.close().catch(() => {}));
  await writeRunReports(outDir, { onWarning: warn });
  const manifest = await readManifest(outDir);
  if (manifest) process.stdout.write(`${renderSummary(results, manifest)}\n`);
  return 0;
}

function warn(message: string): void {
  process.stderr.write(`assay: warning: ${message}\n`);
}

/** What `assay eval` does; eval-command.ts declares its flags and imports this when it runs. */
export async function evalCommand(
  suitePath: string,
  raw: Record<string, unknown>,
  toolsExplicit: boolean,
): Promise<number> {
  const flags = parseOptions(evalFlagsSchema, raw);
  // Imported here so that `--help` loads none of the runner's, verifiers' or tools' modules.
  const { loadSuite } = await import('../eval/suite.js');
  const { parseArms } = await import('../eval/run/arms.js');
  const suite = await loadSuite(resolve(suitePath));
  const { parallelSamples } = await import('../eval/run/strategy-spec.js');
  // A vote:K or best:N arm draws K samples of each task: greedy decoding would make them one.
  const perTask = parallelSamples(flags.arms);
  const model = await modelFromOptions(raw, process.env, {
    samples: Math.max(flags.samples, perTask),
  });
  const { sampling } = model;
  const greedy =
    greedyWarning(flags.samples, sampling.temperature) ??
    greedyWarning(perTask, sampling.temperature, 'an arm with @vote or @best');
  if (greedy !== null) warn(greedy);
  const requested = await toolsFromOptions(raw, { pythonPool: flags.concurrency });
  if (flags.queue !== undefined) {
    // The workers run the tools and the sandbox: nothing of them needs to work here; a bad
    // URL is refused before anything else.
    const { parseQueueUrl } = await import('../eval/run/queue-connection.js');
    parseQueueUrl(flags.queue);
  }
  // The MCP client is loaded only for a run that names MCP servers.
  const mcp =
    flags.mcp === undefined
      ? null
      : await (await import('./mcp-options.js')).mcpToolsFromFlag(flags.mcp, {
          pins: flags.mcpPins,
        });
  try {
    // Arms are checked against every requested tool first, so that a bad --arms is reported
    // before the sandbox check, and an arm that names python counts as asking for it.
    const mcpNames = Object.keys(mcp?.tools ?? {});
    const armsAsked = parseArms(flags.arms, [...requested.names, ...mcpNames]);
    const armNamesPython = armsAsked.some((a) => a.name !== 'tools' && a.tools.includes('python'));
    const toolChoice =
      flags.queue !== undefined
        ? requested
        : await usableTools(requested, {
            requiredBy: toolsExplicit ? '--tools' : armNamesPython ? '--arms' : undefined,
            onWarning: warn,
          });
    return await evalWithTools(suitePath, suite, flags, raw, model, toolChoice, mcp);
  } finally {
    await mcp?.close();
  }
}

async function evalWithTools(
  suitePath: string,
  suite: Suite,
  flags: z.infer<typeof evalFlagsSchema>,
  raw: Record<string, unknown>,
  { provider, sampling, recordTokens }: ModelChoice,
  toolChoice: ToolChoice,
  mcp: McpToolSet | null,
): Promise<number> {
  const { parseArms } = await import('../eval/run/arms.js');
  const { runEval } = await import('../eval/run/runner.js');
  const { writeRunReports, readManifest, renderSummary } = await reportModules();
  const mcpNames = Object.keys(mcp?.tools ?? {});
  const arms = parseArms(flags.arms, [...toolChoice.names, ...mcpNames]);
  const policy =
    mcp !== null
      ? await (await import('./mcp-options.js')).policyWithMcp(flags.policy, mcp)
      : flags.policy === undefined
        ? await (await import('../policy/builtin.js')).loadBuiltinPolicy('default')
        : await (await import('../policy/load.js')).loadPolicy(resolve(flags.policy));
  if (flags.resume && flags.out === undefined) {
    throw new UsageError('USAGE', '--resume needs --out DIR: the run to continue');
  }
  const outDir = resolve(flags.out ?? defaultOutDir(suitePath));

  // code_tests tasks run the candidate's code and its tests in the python sandbox.
  const sandbox =
    flags.queue === undefined && suite.tasks.some((t) => t.verifier === 'code_tests')
      ? await codeSandbox(raw)
      : null;
  // Repository tasks get a fresh workspace per episode and are graded in another fresh one.
  const image = typeof raw['image'] === 'string' ? raw['image'] : undefined;
  const repoTasks = suite.tasks.some((t) => t.workspace !== undefined);
  // Loaded only for repository tasks: it needs the workspace sandbox and the coding tools.
  const workspaces = repoTasks ? await import('./workspace-eval.js') : null;
  const createTools = (names: readonly string[]) => withMcpTools(toolChoice, mcp, names);

  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const progress = createProgressPrinter(
    process.stderr,
    flags.queue === undefined ? undefined : createWorkerRates(),
  );
  process.stderr.write(
    `assay eval: ${suite.tasks.length} tasks × ${arms.length} arms × ${flags.samples} samples with ${provider.info.name} → ${outDir}\n`,
  );
  const queue =
    flags.queue === undefined
      ? null
      : await queueExecutor(flags.queue, outDir, flags.resume, {
          model: provider.info,
          policy,
          sampling,
          maxSteps: flags.maxSteps,
          ...(flags.system === undefined ? {} : { system: flags.system }),
          ...(recordTokens === true ? { recordTokens: true } : {}),
          ...(workspaces
            ? { shipWorkspace: (task: Task) => workspaces.shipWorkspace(suite.path, task) }
            : {}),
        });
  if (queue) process.stderr.write(`assay eval: episodes go to the workers of ${queue.redacted}\n`);
  let finished = false;
  // Episodes and grades open on containers started ahead; one starts now for the first
  // episode unless the episodes run on a queue's workers.
  const spares = workspaces?.startedAhead(image);
  if (!queue) spares?.prepare();
  const grader = workspaces?.workspaceGrader(suite.path, image, spares);
  try {
    const summary = await runEval({
      suite,
      arms,
      samples: flags.samples,
      // On a queue every episode is enqueued at once; the workers' --concurrency bounds them.
      concurrency: queue ? 1_000_000 : flags.concurrency,
      ...(queue
        ? {
            runId: queue.runId,
            execute: queue.collector.execute,
            extraResults: queue.collector.extraResults,
          }
        : {}),
      seed: flags.seed ?? sampling.seed ?? 0,
      model: provider,
      sampling,
      recordTokens,
      policy,
      createTools,
      ...(workspaces
        ? {
            workspaceEpisode: await workspaces.workspaceEpisodes(
              suite.path,
              image,
              createTools,
              spares,
            ),
          }
        : {}),
      outDir,
      resume: flags.resume,
      maxSteps: flags.maxSteps,
      maxAttempts: flags.maxAttempts,
      ...(flags.system === undefined ? {} : { system: flags.system }),
      signal: controller.signal,
      verifierContext: {
        ...(sandbox === null ? {} : { codeRunner: sandbox.runner }),
        ...(grader ? { workspaceGrader: grader.grade } : {}),
      },
      onProgress: (p) => progress.update(p),
      onWarning: warn,
    });
    progress.end();
    finished = !summary.aborted;
    await writeRunReports(summary.outDir, { onWarning: warn });
    const manifest = await readManifest(summary.outDir);
    if (manifest) process.stdout.write(`${renderSummary(summary.results, manifest)}\n`);
    process.stdout.write(`report: ${summary.outDir}/report.html\n`);
    if (summary.aborted) {
      process.stderr.write(
        `assay: interrupted; continue with: assay eval ${suitePath} --out ${outDir} --resume\n`,
      );
      return 1;
    }
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await queue?.collector.close(finished);
    await provider.close?.();
    await sandbox?.manager.close();
    await grader?.close();
  }
}

/**
 * Opens the run's queue before the runner starts. The run id comes from DIR/run.json when
 * resuming (so the jobs and results already in Redis are found again), else it is made here
 * and the runner adopts it through the manifest it writes.
 */
async function queueExecutor(
  url: string,
  outDir: string,
  resume: boolean,
  settings: Omit<import('../eval/run/queue-collector.js').QueueCollectorOptions, 'url' | 'runId'>,
) {
  const { openQueueCollector } = await import('../eval/run/queue-collector.js');
  const { readManifest } = await import('../eval/run/manifest.js');
  const { newTraceId } = await import('../agent/record.js');
  const saved = resume ? await readManifest(outDir) : null;
  const runId = saved?.run_id ?? newTraceId();
  const collector = await openQueueCollector({ url, runId, ...settings });
  return { collector, runId, redacted: collector.connection.redacted };
}

/**
 * An arm's tools: the built-in ones it names, created per episode, and the MCP tools it names,
 * whose server connections are shared by the whole run and closed when it ends.
 */
function withMcpTools(
  toolChoice: ToolChoice,
  mcp: McpToolSet | null,
  names: readonly string[],
): ToolSet {
  const builtin = toolChoice.create(
    names.filter((name) => !Object.hasOwn(mcp?.tools ?? {}, name)) as typeof toolChoice.names,
  );
  if (mcp === null) return builtin;
  const tools = { ...builtin.tools };
  for (const name of names) if (Object.hasOwn(mcp.tools, name)) tools[name] = mcp.tools[name]!;
  return { tools, close: () => builtin.close() };
}

async function reportModules() {
  const [reports, manifest, summary] = await Promise.all([
    import('../eval/report/run-reports.js'),
    import('../eval/run/manifest.js'),
    import('../eval/report/summary.js'),
  ]);
  return {
    writeRunReports: reports.writeRunReports,
    readManifest: manifest.readManifest,
    renderSummary: summary.renderSummary,
  };
}

async function codeSandbox(raw: {
  image?: unknown;
}): Promise<{ manager: SandboxManager; runner: CodeRunner }> {
  const { SandboxManager } = await import('../../sandbox/docker/sandbox-manager.js');
  const { createSandboxCodeRunner } = await import('../../sandbox/docker/code-runner.js');
  const manager = new SandboxManager({
    poolSize: 0,
    ...(typeof raw.image === 'string' ? { image: raw.image } : {}),
  });
  return { manager, runner: createSandboxCodeRunner(manager) };
}

function defaultOutDir(suitePath: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return resolve('runs', `${basename(suitePath).replace(/\.jsonl?$/, '')}-${stamp}`);
}

/**
 * `--samples K > 1` at temperature 0 repeats one sample K times: pass@k, maj@k and GRPO groups
 * (`traces export --groups with-variance`) then have nothing to work with.
 */
export function greedyWarning(
  samples: number,
  temperature: number | undefined,
  what = `--samples ${samples}`,
): string | null {
  if (samples <= 1 || temperature !== 0) return null;
  return `${what} with --temperature 0 (greedy): every sample of a task will be the same; pass --temperature 0.7 (or higher) for samples that differ`;
}
