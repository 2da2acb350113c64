import { resolve } from 'node:path';
import { connectMcpTools, type McpToolSet } from '../../tools/mcp/client-tools.js';
import { loadMcpConfig } from '../../tools/mcp/config.js';
import { defaultPinsPath, McpPinStore } from '../../tools/mcp/pin-store.js';
import { BUILTIN_TOOL_NAMES, POLICY_ACTION_NAMES } from '../core/tool-names.js';
import { loadBuiltinPolicy } from '../policy/builtin.js';
import { loadPolicy } from '../policy/load.js';
import type { Policy } from '../policy/types.js';
import type { TraceRecord } from '../trace/schema.js';

export { MCP_OPTION_HELP, MCP_PINS_OPTION_HELP } from './mcp-flag.js';

/**
 * Connects the servers of an `--mcp` file; null when the flag was not given. Definitions are
 * pinned in `--mcp-pins` (default: under the cache folder, keyed by the `--mcp` file; `off`
 * pins for this run only), so a tool that changed since an earlier run is caught.
 */
export async function mcpToolsFromFlag(
  file: string | undefined,
  options: { signal?: AbortSignal; pins?: string | undefined } = {},
): Promise<McpToolSet | null> {
  if (file === undefined) return null;
  const config = resolve(file);
  const servers = await loadMcpConfig(config);
  const pinsPath =
    options.pins === 'off'
      ? null
      : options.pins === undefined
        ? defaultPinsPath(config)
        : resolve(options.pins);
  const pins = pinsPath === null ? undefined : await McpPinStore.open(pinsPath, config);
  return connectMcpTools(servers, {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(pins === undefined ? {} : { pins }),
  });
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
