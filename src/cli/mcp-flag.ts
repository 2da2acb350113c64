/** The help of `--mcp`, apart from the MCP client so that `--help` loads none of it. */
export const MCP_OPTION_HELP =
  'an mcpServers JSON file (Claude Desktop / Claude Code / Cursor format): its tools join as mcp__<server>__<tool>';

export const MCP_PINS_OPTION_HELP =
  "where the --mcp tools' definition hashes are kept between runs, so a changed definition is caught (default: under the cache dir, keyed by the --mcp file; 'off': this run only)";
