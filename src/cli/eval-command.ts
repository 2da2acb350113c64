import type { Command } from 'commander';
import { DEFAULT_MAX_STEPS } from '../agent/max-steps.js';
import type { SetExit } from './commands.js';
import { MCP_OPTION_HELP, MCP_PINS_OPTION_HELP } from './mcp-flag.js';
import { addModelOptions } from './model-options.js';
import { addToolOptions, toolsGiven } from './tool-options.js';

export function registerEvalCommand(program: Command, setExit: SetExit): void {
  const command = program
    .command('eval')
    .description('run a suite with tools and without, and measure the difference')
    .argument('<suite>', 'the suite: JSONL, one task a line')
    .option(
      '--arms <list>',
      'arms: tools, no-tools, or NAME=tool1+tool2, each optionally @vote:K, @best:N:judge, @refine:R:self|tools|tests, @effort:low|medium|high (docs/strategies.md)',
      'tools,no-tools',
    )
    .option('--samples <k>', 'samples per task per arm (distinct seeds)', '1')
    .option('--concurrency <n>', 'episodes run at once', '4')
    .option('--out <dir>', 'where traces, results and reports go (default runs/<suite>-<time>)')
    .option('--resume', 'continue the run in --out: run only what is missing')
    .option('--max-steps <n>', 'most model steps per episode', String(DEFAULT_MAX_STEPS))
    .option('--max-attempts <n>', 'attempts per episode when infrastructure fails', '3')
    .option(
      '--policy <file>',
      'policy file deciding every tool call (default: policies/default.yaml)',
    )
    .option('--system <text>', 'a system prompt for every task')
    .option('--mcp <file>', MCP_OPTION_HELP)
    .option('--mcp-pins <file>', MCP_PINS_OPTION_HELP)
    .option(
      '--queue <url>',
      'run the episodes on `assay worker`s through Redis: redis://HOST:PORT[/DB] (docs/scale-out.md)',
    );
  addModelOptions(command);
  addToolOptions(command);
  command.action(async (suitePath: string, raw: Record<string, unknown>) => {
    // Verifiers may make JavaScript isolates, which need Node without its start-up snapshot.
    const rerun = await (await import('./snapshot-rerun.js')).rerunIfSnapshot();
    if (rerun !== undefined) return setExit(rerun);
    // The runner's code (and zod) loads only when the command runs, not for `--help`.
    const { evalCommand } = await import('./eval-action.js');
    setExit(await evalCommand(suitePath, raw, toolsGiven(command)));
  });
  command
    .command('rescore')
    .description(
      'score the traces of a run again (after a verifier or suite change) without sampling',
    )
    .argument('<dir>', 'the run folder (its --out)')
    .option('--suite <file>', 'the suite to score against (default: the one in DIR/run.json)')
    .action(async (dir: string, raw: { suite?: string }) => {
      const rerun = await (await import('./snapshot-rerun.js')).rerunIfSnapshot();
      if (rerun !== undefined) return setExit(rerun);
      const { rescoreCommand } = await import('./eval-action.js');
      setExit(await rescoreCommand(dir, raw));
    });
}
