/** `assay mcp serve`: assay's tools for any MCP client, each call decided by the policy and traced. */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { z } from 'zod';
import { toolHints } from '../../tools/index.js';
import { createMcpServer, StdioServerTransport } from '../../tools/mcp/sdk.js';
import { UsageError } from '../core/errors.js';
import { storeArtifact } from '../trace/artifacts.js';
import { defaultTracePath } from '../trace/defaults.js';
import { mcpToolsFromFlag, policyWithMcp } from './mcp-options.js';
import { isLoopback, serveHttp } from './mcp-serve-http.js';
import { ServeSession } from './mcp-serve-session.js';
import { ServeTrace } from './mcp-serve-trace.js';
import { parseOptions } from './parse-options.js';
import { toolsFromOptions, usableTools } from './tool-options.js';

const serveFlagsSchema = z.object({
  policy: z.string().optional(),
  trace: z.string().optional(),
  mcp: z.string().optional(),
  mcpPins: z.string().optional(),
  http: z.coerce
    .number({ message: '--http must be a port number' })
    .int()
    .min(0)
    .max(65535, { message: '--http must be a port number (0-65535)' })
    .optional(),
  host: z.string().min(1).default('127.0.0.1'),
  workspace: z.string().min(1).optional(),
});

const IDENTITY = { name: 'assay', version: '0.1.0' };

function warn(message: string): void {
  // Never stdout: with stdio it is the JSON-RPC channel.
  process.stderr.write(`assay mcp: ${message}\n`);
}

export async function serveCommand(
  raw: Record<string, unknown>,
  toolsExplicit: boolean,
): Promise<number> {
  const flags = parseOptions(serveFlagsSchema, raw);
  const envToken = process.env.ASSAY_MCP_TOKEN || null;
  if (flags.http === undefined && raw.host !== undefined) {
    throw new UsageError('USAGE', '--host needs --http PORT');
  }
  // The workspace sandbox is loaded only for `--workspace`; its tools become the default.
  const workspaces =
    flags.workspace === undefined
      ? null
      : await (await import('./mcp-serve-workspace.js')).openServeWorkspaces(
          resolve(flags.workspace),
          raw,
        );
  const toolChoice = await usableTools(
    await toolsFromOptions(raw, {
      pythonPool: 0,
      ...(workspaces === null ? {} : workspaces.toolOptions(toolsExplicit)),
    }),
    {
      requiredBy: toolsExplicit || workspaces !== null ? '--tools' : undefined,
      onWarning: warn,
    },
  );
  const upstream = await mcpToolsFromFlag(flags.mcp, { pins: flags.mcpPins });
  const toolSet = toolChoice.create();
  const tracePath = resolve(flags.trace ?? defaultTracePath(process.cwd(), new Date()));
  const cleanups: (() => Promise<void>)[] = [
    () => toolSet.close(),
    async () => upstream?.close(),
    async () => workspaces?.closeAll(),
  ];
  try {
    const policy = await policyWithMcp(flags.policy, upstream);
    const trace = await ServeTrace.open(tracePath, warn);
    cleanups.unshift(() => trace.close());
    const tools = { ...toolSet.tools, ...upstream?.tools };

    const openSession = () => {
      const session = new ServeSession({
        tools,
        hints: toolHints,
        policy,
        onCall: (record) => trace.progress(record),
        artifactSink: (traceId) => (artifact) => storeArtifact(tracePath, traceId, artifact),
      });
      const server = createMcpServer(IDENTITY, {
        listTools: () => session.listTools(),
        callTool: (name, args, ctx) => session.callTool(name, args, ctx),
      });
      let ended: Promise<void> | null = null;
      const end = () => {
        ended ??= (async () => {
          await session.close();
          const record = session.record('completed');
          await trace.finish((await workspaces?.finish(record, tracePath)) ?? record);
        })();
        return ended;
      };
      return { server, end };
    };

    const stopped = new Promise<string>((done) => {
      process.once('SIGINT', () => done('SIGINT'));
      process.once('SIGTERM', () => done('SIGTERM'));
    });

    if (flags.http === undefined) {
      const { server, end } = openSession();
      // The SDK's stdio transport does not notice its client closing stdin; the session ends then.
      const closed = new Promise<string>((done) => {
        server.onClose(() => done('closed'));
        process.stdin.once('end', () => done('stdin closed'));
      });
      await server.connect(new StdioServerTransport());
      warn(`serving ${Object.keys(tools).join(', ')} on stdio; trace: ${tracePath}`);
      await Promise.race([closed, stopped]);
      await server.close();
      await end();
      return 0;
    }

    const token =
      envToken ?? (isLoopback(flags.host) ? null : randomBytes(24).toString('base64url'));
    if (token !== null && envToken === null) warn(`bearer token: ${token}`);
    const http = await serveHttp({ host: flags.host, port: flags.http, token, openSession });
    warn(`serving ${Object.keys(tools).join(', ')} at ${http.url}; trace: ${tracePath}`);
    await stopped;
    await http.close();
    return 0;
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
  }
}
