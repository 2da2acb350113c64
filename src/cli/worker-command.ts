import type { Command } from 'commander';
import type { SetExit } from './commands.js';
import { addModelOptions } from './model-options.js';
import { addToolOptions } from './tool-options.js';

export function registerWorkerCommand(program: Command, setExit: SetExit): void {
  const command = program
    .command('worker')
    .description(
      'run the episodes of `assay eval --queue` runs with this machine’s model and tools',
    )
    .requiredOption('--queue <url>', 'the Redis of the runs: redis://HOST:PORT[/DB]')
    .option('--concurrency <n>', 'episodes run at once', '4')
    .option('--name <name>', 'this worker’s name in traces (default: HOST-PID)')
    .option(
      '--policy <file>',
      'policy file deciding every tool call (default: policies/default.yaml)',
    )
    .option('--lock-duration <ms>', 'job lock lifetime, renewed every half of it (default 60000)')
    .option('--shutdown-grace <ms>', 'on SIGTERM, wait this long for running episodes', '30000')
    .option('--idle-exit <ms>', 'exit once no run has been queued for this long')
    .option(
      '--mcp <file>',
      'this worker’s MCP servers (JSON, as for eval --mcp): the MCP tools that queued arms name',
    );
  addModelOptions(command);
  addToolOptions(command);
  command.action(async (raw: Record<string, unknown>) => {
    // Verifiers may make JavaScript isolates, which need Node without its start-up snapshot.
    const rerun = await (await import('./snapshot-rerun.js')).rerunIfSnapshot();
    if (rerun !== undefined) return setExit(rerun);
    // The queue worker's code (and zod) loads only when the command runs, not for `--help`.
    const { workerCommand } = await import('./worker-action.js');
    setExit(await workerCommand(raw));
  });
}
