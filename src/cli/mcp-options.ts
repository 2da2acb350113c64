import { resolve } from 'node:path';
import { connectMcpTools, type McpToolSet } from '../../tools/mcp/client-tools.js';
import { loadMcpConfig } from '../../tools/mcp/config.js';
import { BUILTIN_TOOL_NAMES, POLICY_ACTION_NAMES } from '../core/tool-names.js';
import { loadBuiltinPolicy } from '../policy/builtin.js';
import { loadPolicy } from '../policy/load.js';
import type { Policy } from '../policy/types.js';
import type { TraceRecord } from '../trace/schema.js';

export { MCP_OPTION_HELP } from './mcp-flag.js';

/** Connects the servers of an `--mcp` file; null when the flag was not given. */
export async function mcpToolsFromFlag(
  file: string | undefined,
  signal?: AbortSignal,
): Promise<McpToolSet | null> {
  if (file === undefined) return null;
  const servers = await loadMcpConfig(resolve(file));
  return connectMcpTools(servers, signal === undefined ? {} : { signal });
}

/**
 * Loads `--policy` knowing the MCP tools too, so that a rule naming `mcp__fs__read_file` or
 * `mcp__fs__*` is checked like a rule naming a built-in tool. The built-in default policy
 * names no MCP tool, so it denies them all until a policy file allows them.
 */
export async function policyWithMcp(
  file: string | undefined,
  mcp: McpToolSet | null,
): Promise<Policy> {
  if (file === undefined) return loadBuiltinPolicy('default');
  const knownTools = [
    ...BUILTIN_TOOL_NAMES,
    ...POLICY_ACTION_NAMES,
    ...Object.keys(mcp?.tools ?? {}),
  ];
  return loadPolicy(resolve(file), { knownTools });
}

/** The record with the MCP servers' pinned definitions added (an extra trace field). */
export function withMcpInfo(record: TraceRecord, mcp: McpToolSet | null): TraceRecord {
  if (mcp === null) return record;
  return { ...record, mcp: mcp.info() } as TraceRecord;
}
