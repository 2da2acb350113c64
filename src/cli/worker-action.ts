import { resolve } from 'node:path';
import { z } from 'zod';
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
});

/** What `assay worker` does; worker-command.ts declares its flags and imports this when it runs. */
export async function workerCommand(raw: Record<string, unknown>): Promise<number> {
  const flags = parseOptions(workerFlagsSchema, raw);
  const { runQueueWorker } = await import('../eval/run/queue-worker.js');
  const { parseQueueUrl, redactQueueUrl } = await import('../eval/run/queue-connection.js');
  const { loadBuiltinPolicy } = await import('../policy/builtin.js');
  const { loadPolicy } = await import('../policy/load.js');
  const connection = parseQueueUrl(flags.queue);
  const { provider } = await modelFromOptions(raw, process.env);
  const requested = await toolsFromOptions(raw, { pythonPool: flags.concurrency });
  const toolChoice = await usableTools(requested, { requiredBy: undefined, onWarning: warn });
  const policy =
    flags.policy === undefined
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
      ...(flags.name === undefined ? {} : { name: flags.name }),
      model: provider,
      policy,
      createTools: (names) =>
        toolChoice.create(
          names.filter((n) =>
            (toolChoice.names as string[]).includes(n),
          ) as typeof toolChoice.names,
        ),
      verifierContext: { codeRunner },
      settings: {
        model: provider.info,
        tools: toolChoice.names,
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
  }
}

function warn(message: string): void {
  process.stderr.write(`assay: warning: ${message}\n`);
}
