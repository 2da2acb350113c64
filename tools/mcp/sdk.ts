/**
 * The one file that imports `@modelcontextprotocol/sdk` (1.x). Everything else in assay talks
 * to MCP through these types and functions, so the 2.x split packages are a change here only.
 */
import type { Readable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';

export type { Transport };
export { StdioServerTransport, StreamableHTTPServerTransport };

/** A tool as an MCP server lists it; every field is an untrusted claim of that server. */
export interface McpToolInfo {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

/** One content block of a tool result (text, image, audio, resource_link, resource). */
export type McpContentBlock = { type: string } & Record<string, unknown>;

export interface McpCallResult {
  content: McpContentBlock[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** One `notifications/progress` of a running request. */
export interface McpProgress {
  progress: number;
  total?: number;
  message?: string;
}

/** How a call to a server failed: the server is gone, it timed out, or it refused the request. */
export type McpFailureKind = 'connection' | 'timeout' | 'protocol';

export function classifyMcpError(error: unknown): McpFailureKind {
  if (error instanceof McpError) {
    if (error.code === ErrorCode.ConnectionClosed) return 'connection';
    if (error.code === ErrorCode.RequestTimeout) return 'timeout';
    return 'protocol';
  }
  return 'connection';
}

export type McpServerTarget =
  | { kind: 'stdio'; command: string; args: string[]; env: Record<string, string>; cwd?: string }
  | { kind: 'http'; url: string; headers: Record<string, string> };

/** A connected MCP client: promise-only, closed with `close()`. */
export interface McpClientConnection {
  listTools(signal?: AbortSignal): Promise<McpToolInfo[]>;
  /**
   * Calls a tool. With `onProgress` a progress token is sent and the server's progress
   * notifications reach it; the timeout stays the granted one whatever the server reports.
   */
  callTool(
    name: string,
    args: Record<string, unknown>,
    options: { signal: AbortSignal; timeoutMs: number; onProgress?: (p: McpProgress) => void },
  ): Promise<McpCallResult>;
  /** Called when the server says its tool list changed. */
  onToolsChanged(handler: () => void): void;
  /** Called once when the connection ends, for whatever reason. */
  onClose(handler: () => void): void;
  /** The last lines a stdio server wrote to stderr (empty for HTTP): why it failed. */
  stderrTail(): string;
  close(): Promise<void>;
}

const STDERR_TAIL_BYTES = 2_000;

export async function connectMcpClient(
  target: McpServerTarget,
  identity: { name: string; version: string },
  signal?: AbortSignal,
): Promise<McpClientConnection> {
  const client = new Client(identity, { capabilities: {} });
  const transport =
    target.kind === 'stdio'
      ? new StdioClientTransport({
          command: target.command,
          args: target.args,
          env: { ...stdioBaseEnv(), ...target.env },
          ...(target.cwd === undefined ? {} : { cwd: target.cwd }),
          stderr: 'pipe',
        })
      : new StreamableHTTPClientTransport(new URL(target.url), {
          requestInit: { headers: target.headers },
        });
  const closeHandlers: (() => void)[] = [];
  client.onclose = () => {
    for (const handler of closeHandlers.splice(0)) handler();
  };
  let stderr = '';
  if (transport instanceof StdioClientTransport) {
    // With `stderr: 'pipe'` the SDK hands out the child's stderr, a Readable.
    (transport.stderr as Readable | null)?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
    });
  }
  const tail = () => stderr.trim().split('\n').slice(-5).join(' | ');
  try {
    await client.connect(transport, signal === undefined ? {} : { signal });
  } catch (error) {
    await client.close().catch(() => {});
    const said = tail();
    throw said === ''
      ? error
      : new Error(`${String(error)}; its stderr: ${said}`, { cause: error });
  }
  return {
    async listTools(listSignal) {
      const tools: McpToolInfo[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(
          cursor === undefined ? {} : { cursor },
          listSignal === undefined ? {} : { signal: listSignal },
        );
        tools.push(...(page.tools as McpToolInfo[]));
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      return tools;
    },
    async callTool(name, args, options) {
      const result = await client.callTool({ name, arguments: args }, undefined, {
        signal: options.signal,
        timeout: options.timeoutMs,
        ...(options.onProgress === undefined
          ? {}
          : { onprogress: progressHandler(options.onProgress), resetTimeoutOnProgress: false }),
      });
      return result as McpCallResult;
    },
    onToolsChanged(handler) {
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => handler());
    },
    onClose(handler) {
      closeHandlers.push(handler);
    },
    stderrTail: tail,
    close: () => client.close(),
  };
}

/** The SDK's progress callback, passing on only the fields a server actually set. */
function progressHandler(handler: (p: McpProgress) => void) {
  return (p: { progress: number; total?: number | undefined; message?: string | undefined }) => {
    const update: McpProgress = { progress: p.progress };
    if (p.total !== undefined) update.total = p.total;
    if (typeof p.message === 'string') update.message = p.message.slice(0, 500);
    handler(update);
  };
}

/** The SDK's own minimal environment (HOME, PATH, USER …): a server sees no other secrets. */
function stdioBaseEnv(): Record<string, string> {
  const keys =
    process.platform === 'win32'
      ? [
          'APPDATA',
          'HOMEDRIVE',
          'HOMEPATH',
          'LOCALAPPDATA',
          'PATH',
          'SYSTEMROOT',
          'TEMP',
          'USERNAME',
        ]
      : ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER'];
  const env: Record<string, string> = {};
  for (const key of keys) {
    const value = process.env[key];
    if (value !== undefined && !value.startsWith('()')) env[key] = value;
  }
  return env;
}

/** A tool assay serves, as the list handler advertises it. */
export interface ServedToolInfo {
  name: string;
  title?: string;
  description: string;
  inputSchema: Record<string, unknown>;
  annotations: {
    readOnlyHint: boolean;
    destructiveHint: boolean;
    idempotentHint: boolean;
    openWorldHint: boolean;
  };
}

export interface ServedCallContext {
  signal: AbortSignal;
  /** Asks the client's user a yes/no question by elicitation; null when it cannot. */
  confirm: ((message: string, signal?: AbortSignal) => Promise<boolean>) | null;
  /** The client's name, from its `initialize` request. */
  clientName: string;
  /** Sends `notifications/progress` for this call; null when the client sent no progress token. */
  progress: ((progress: McpProgress) => Promise<void>) | null;
}

export interface McpServerHandlers {
  listTools(): ServedToolInfo[];
  callTool(
    name: string,
    args: Record<string, unknown>,
    ctx: ServedCallContext,
  ): Promise<McpCallResult>;
}

/** An MCP server whose tools are answered by `handlers`; connect it to one transport. */
export interface McpServerSession {
  connect(transport: Transport): Promise<void>;
  close(): Promise<void>;
  onClose(handler: () => void): void;
}

export function createMcpServer(
  identity: { name: string; version: string },
  handlers: McpServerHandlers,
): McpServerSession {
  const server = new Server(identity, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: handlers.listTools() }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const elicitation = server.getClientCapabilities()?.elicitation;
    const confirm =
      elicitation === undefined
        ? null
        : async (message: string, signal?: AbortSignal) => {
            const answer = await server.elicitInput(
              {
                message,
                requestedSchema: {
                  type: 'object',
                  properties: { allow: { type: 'boolean', title: 'Allow this call' } },
                  required: ['allow'],
                },
              },
              { signal: signal ?? extra.signal },
            );
            return answer.action === 'accept' && answer.content?.['allow'] === true;
          };
    const token = request.params._meta?.progressToken;
    const progress =
      token === undefined
        ? null
        : (update: McpProgress) =>
            extra.sendNotification({
              method: 'notifications/progress',
              params: { progressToken: token, ...update },
            });
    const result = await handlers.callTool(
      request.params.name,
      (request.params.arguments ?? {}) as Record<string, unknown>,
      {
        signal: extra.signal,
        confirm,
        clientName: server.getClientVersion()?.name ?? 'unknown',
        progress,
      },
    );
    return { ...result };
  });
  const closeHandlers: (() => void)[] = [];
  server.onclose = () => {
    for (const handler of closeHandlers.splice(0)) handler();
  };
  return {
    connect: (transport) => server.connect(transport),
    close: () => server.close(),
    onClose(handler) {
      closeHandlers.push(handler);
    },
  };
}

/** An unknown tool is a JSON-RPC error for the client, as in SDK 2.x. */
export function unknownToolError(name: string): Error {
  return new McpError(ErrorCode.InvalidParams, `unknown tool "${name}"`);
}
