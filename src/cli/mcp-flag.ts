/** The help of `--mcp`, apart from the MCP client so that `--help` loads none of it. */
export const MCP_OPTION_HELP =
  'an mcpServers JSON file (Claude Desktop / Claude Code / Cursor format): its tools join as mcp__<server>__<tool>';
