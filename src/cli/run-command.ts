import type { Command } from 'commander';
import { DEFAULT_MAX_STEPS } from '../agent/max-steps.js';
import type { SetExit } from './commands.js';
import { MCP_OPTION_HELP, MCP_PINS_OPTION_HELP } from './mcp-flag.js';
import { addModelOptions } from './model-options.js';
import { addToolOptions, rerunIfToolsNeedIsolates, toolsGiven } from './tool-options.js';

export function registerRunCommand(program: Command, setExit: SetExit): void {
  const command = program
    .command('run')
    .description('run one episode and print the final answer')
    .argument('<prompt>', 'the task for the model')
    .option('--max-steps <n>', 'most model steps before giving up', String(DEFAULT_MAX_STEPS))
    .option(
      '--trace <file>',
      'JSONL trace file to append to (default .assay/traces/YYYY-MM-DD.jsonl)',
    )
    .option('--json', 'print the whole trace record instead of the answer')
    .option('--system <text>', 'a system prompt')
    .option(
      '--policy <file>',
      'policy file deciding every tool call (default: policies/default.yaml)',
    )
    .option('--mcp <file>', MCP_OPTION_HELP)
    .option('--mcp-pins <file>', MCP_PINS_OPTION_HELP)
    .option('-v, --verbose', 'print each step and tool call to stderr')
    .option('--workspace <dir>', 'copy DIR into a fresh container for the coding tools')
    .option('--diff <file>', 'with --workspace: write the final diff to FILE')
    .option(
      '--apply',
      'with --workspace: apply the diff to DIR if the policy allows (workspace.apply)',
    );
  addModelOptions(command);
  addToolOptions(command);
  command.action(async (prompt: string, raw: Record<string, unknown>) => {
    const rerun = await rerunIfToolsNeedIsolates(raw);
    if (rerun !== undefined) return setExit(rerun);
    // The episode's code (and zod) loads only when the command runs, not for `--help`.
    const { runCommand } = await import('./run-action.js');
    setExit(await runCommand(prompt, raw, toolsGiven(command)));
  });
}
