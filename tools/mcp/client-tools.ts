import { z } from 'zod';
import { raceAbort } from '../../src/core/abort.js';
import { errorMessage, InfraError } from '../../src/core/errors.js';
import type {
  AnyToolDefinition,
  ChangeDecision,
  ToolResult,
  ToolSet,
} from '../../src/core/tool.js';
import type { McpServerConfig } from './config.js';
import { fromMcpResult } from './content.js';
import { McpNameMap } from './names.js';
import { definitionHash } from './pin.js';
import type { McpPinStore } from './pin-store.js';
import {
  classifyMcpError,
  connectMcpClient,
  type McpClientConnection,
  type McpProgress,
  type McpToolInfo,
} from './sdk.js';

/** What the trace records about the MCP tools of an episode. */
export interface McpTraceInfo {
  servers: Record<
    string,
    { tools: Record<string, { tool: string; sha256: string }>; alive: boolean }
  >;
  /**
   * Tools whose definitions changed after they were pinned (in this run, or since a pin an
   * earlier run kept in the pins file): refused from then on, or asked, as the policy says.
   */
  changed: { name: string; pinned: string; now: string | null; since?: 'earlier_run' }[];
}

export interface McpToolSet extends ToolSet {
  info(): McpTraceInfo;
}

const DESCRIPTION_CAP = 2_000;
const IDENTITY = { name: 'assay', version: '0.1.0' };

interface ServerState {
  name: string;
  connection: McpClientConnection;
  alive: boolean;
  /** Hash of each tool's definition when first seen, by the server's tool name. */
  pinned: Map<string, string>;
  /** Current hash, after any list_changed; null when the tool was removed. */
  current: Map<string, string | null>;
  refreshing: Promise<void> | null;
}

/**
 * Connects to every configured server, lists and pins their tools, and returns them as assay
 * tools named `mcp__<server>__<tool>`. A server that cannot start is an InfraError naming it.
 * Descriptions are passed to the model (capped) but never to the policy: the policy sees only
 * names, so an untrusted description can never widen what is allowed.
 */
export async function connectMcpTools(
  servers: readonly McpServerConfig[],
  options: { signal?: AbortSignal; connectTimeoutMs?: number; pins?: McpPinStore } = {},
): Promise<McpToolSet> {
  const states: ServerState[] = [];
  const tools: Record<string, AnyToolDefinition> = {};
  const names = new McpNameMap();
  const changed: McpTraceInfo['changed'] = [];
  const closeAll = async () => {
    await Promise.allSettled(states.map((state) => state.connection.close()));
  };
  try {
    for (const server of servers) {
      const signal = AbortSignal.any([
        AbortSignal.timeout(options.connectTimeoutMs ?? 30_000),
        ...(options.signal ? [options.signal] : []),
      ]);
      let connection: McpClientConnection;
      let listed: McpToolInfo[];
      try {
        connection = await connectMcpClient(server.target, IDENTITY, signal);
      } catch (error) {
        throw new InfraError(
          'MCP_SERVER_FAILED',
          `MCP server "${server.name}" (${describeTarget(server)}) did not start: ${errorMessage(error)}`,
          { cause: error, details: { server: server.name } },
        );
      }
      const state: ServerState = {
        name: server.name,
        connection,
        alive: true,
        pinned: new Map(),
        current: new Map(),
        refreshing: null,
      };
      states.push(state);
      try {
        listed = await connection.listTools(signal);
      } catch (error) {
        throw new InfraError(
          'MCP_SERVER_FAILED',
          `MCP server "${server.name}" did not list its tools: ${errorMessage(error)}`,
          { cause: error, details: { server: server.name } },
        );
      }
      connection.onClose(() => {
        state.alive = false;
      });
      connection.onToolsChanged(() => {
        state.refreshing = refresh(state, changed);
      });
      for (const info of listed) {
        const hash = definitionHash(info);
        // A pin from an earlier run wins: a definition that moved since is a change now.
        const earlier = options.pins?.get(server.name, info.name);
        const pin = earlier ?? hash;
        if (earlier === undefined) options.pins?.add(server.name, info.name, hash);
        else if (earlier !== hash) {
          changed.push({
            name: `${server.name}/${info.name}`,
            pinned: earlier,
            now: hash,
            since: 'earlier_run',
          });
        }
        state.pinned.set(info.name, pin);
        state.current.set(info.name, hash);
        const name = names.add(server.name, info.name);
        tools[name] = mcpTool(name, info, pin, state);
      }
    }
    await options.pins?.save();
  } catch (error) {
    await closeAll();
    throw error;
  }
  return {
    tools,
    close: closeAll,
    info() {
      const byServer: McpTraceInfo['servers'] = {};
      for (const state of states) {
        const entry: Record<string, { tool: string; sha256: string }> = {};
        for (const name of Object.keys(tools)) {
          const original = names.resolve(name);
          if (original?.server !== state.name) continue;
          entry[name] = { tool: original.tool, sha256: state.pinned.get(original.tool) ?? '' };
        }
        byServer[state.name] = { tools: entry, alive: state.alive };
      }
      return { servers: byServer, changed: [...changed] };
    },
  };
}

/** Re-lists a server's tools after list_changed and notes every definition that moved. */
async function refresh(state: ServerState, changed: McpTraceInfo['changed']): Promise<void> {
  let listed: McpToolInfo[];
  try {
    listed = await state.connection.listTools(AbortSignal.timeout(30_000));
  } catch {
    return;
  }
  const now = new Map(listed.map((info) => [info.name, definitionHash(info)]));
  for (const [toolName, pinned] of state.pinned) {
    const hash = now.get(toolName) ?? null;
    const before = state.current.get(toolName);
    state.current.set(toolName, hash);
    if (hash !== pinned && before === pinned) {
      changed.push({ name: `${state.name}/${toolName}`, pinned, now: hash });
    }
  }
}

function mcpTool(
  name: string,
  info: McpToolInfo,
  hash: string,
  state: ServerState,
): AnyToolDefinition {
  const { $schema: _dialect, ...schema } = info.inputSchema;
  const description = (info.description ?? info.title ?? '').slice(0, DESCRIPTION_CAP);
  return {
    name,
    description: `${description}\n(MCP tool "${info.name}" of server "${state.name}")`.trim(),
    // The server validates its own arguments and answers mistakes with isError.
    inputSchema: z.record(z.string(), z.unknown()),
    parameters: { ...schema, type: 'object', properties: schema['properties'] ?? {} },
    // MCP results are untrusted content, like web pages.
    taints: true,
    async run(args, ctx): Promise<ToolResult> {
      if (state.refreshing) await state.refreshing;
      const current = state.current.get(info.name);
      let change: ChangeDecision | undefined;
      if (current === null || current === undefined) {
        const message = `${name} was removed by its MCP server during the run; it was not called.`;
        return { ok: false, content: message, error: { code: 'MCP_DEFINITION_CHANGED', message } };
      }
      if (current !== hash) {
        const what = `The definition of ${name} changed after it was pinned (sha256 ${hash.slice(0, 12)} → ${current.slice(0, 12)}).`;
        change = ctx.confirmChange
          ? await ctx.confirmChange(what)
          : { decision: 'deny', effect: 'deny', rule: 'mcp.on_definition_change', reason: what };
        if (change.decision === 'deny') {
          const message = `${what} The call was refused: ${change.reason}`;
          return {
            ok: false,
            content: message,
            error: { code: 'MCP_DEFINITION_CHANGED', message },
            data: { mcp: { server: state.name, tool: info.name, definition_change: change } },
          };
        }
      }
      if (!state.alive)
        throw serverGone(state.name, name, undefined, state.connection.stderrTail());
      // Progress is asked for always: it is passed on to whoever listens (mcp serve's client)
      // and counted in the trace; it never extends the granted timeout.
      const progress = { notifications: 0, last: null as McpProgress | null };
      const onProgress = (update: McpProgress) => {
        progress.notifications += 1;
        progress.last = update;
        ctx.onProgress?.(update);
      };
      try {
        const result = await raceAbort(
          () =>
            state.connection.callTool(info.name, args, {
              signal: ctx.signal,
              timeoutMs: ctx.limits.timeout_ms,
              onProgress,
            }),
          ctx.signal,
        );
        return fromMcpResult(result, {
          server: state.name,
          tool: info.name,
          definition_sha256: current,
          ...(change === undefined ? {} : { pinned_sha256: hash, definition_change: change }),
          ...(progress.notifications === 0 ? {} : { progress }),
        });
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        const kind = classifyMcpError(error);
        if (kind === 'connection' || !state.alive) {
          throw serverGone(state.name, name, error, state.connection.stderrTail());
        }
        const message =
          kind === 'timeout'
            ? `${name} did not answer within ${Math.round(ctx.limits.timeout_ms / 1000)} s.`
            : `${name} failed: ${errorMessage(error)}`;
        return {
          ok: false,
          content: message,
          error: { code: kind === 'timeout' ? 'TOOL_TIMEOUT' : 'MCP_TOOL_ERROR', message },
        };
      }
    },
  };
}

function serverGone(server: string, tool: string, cause: unknown, stderr: string): InfraError {
  const why = cause === undefined ? '' : `: ${errorMessage(cause)}`;
  const said = stderr === '' ? '' : ` (its stderr: ${stderr})`;
  return new InfraError(
    'MCP_SERVER_FAILED',
    `MCP server "${server}" is no longer running; ${tool} cannot be called${why}${said}`,
    { cause, details: { server } },
  );
}

function describeTarget(server: McpServerConfig): string {
  return server.target.kind === 'stdio'
    ? [server.target.command, ...server.target.args].join(' ')
    : server.target.url;
}
