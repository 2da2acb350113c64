import type { Command } from 'commander';
import type { SetExit } from './commands.js';
import { MCP_OPTION_HELP, MCP_PINS_OPTION_HELP } from './mcp-flag.js';
import { addToolOptions, rerunIfToolsNeedIsolates, toolsGiven } from './tool-options.js';

export function registerMcpCommand(program: Command, setExit: SetExit): void {
  const mcp = program.command('mcp').description('assay as an MCP server');
  const serve = mcp
    .command('serve')
    .description("serve assay's tools over MCP (stdio, or Streamable HTTP with --http)")
    .option('--policy <file>', 'policy file deciding every call (default: policies/default.yaml)')
    .option('--trace <file>', 'JSONL trace: one line per MCP session (default .assay/traces/…)')
    .option('--http <port>', 'serve Streamable HTTP at http://HOST:PORT/mcp instead of stdio')
    .option(
      '--host <host>',
      'address to listen on with --http (off loopback needs ASSAY_MCP_TOKEN)',
    )
    .option('--mcp <file>', `${MCP_OPTION_HELP}; served on under the policy`)
    .option('--mcp-pins <file>', MCP_PINS_OPTION_HELP)
    .option(
      '--workspace <dir>',
      'give each MCP session a copy of DIR in a container, with the coding tools (DIR is never changed)',
    );
  addToolOptions(serve);
  serve.action(async (raw: Record<string, unknown>) => {
    const rerun = await rerunIfToolsNeedIsolates(raw);
    if (rerun !== undefined) return setExit(rerun);
    // Imported here so that `--help` loads neither the MCP SDK nor any tool.
    const { serveCommand } = await import('./mcp-serve-command.js');
    setExit(await serveCommand(raw, toolsGiven(serve)));
  });
}
