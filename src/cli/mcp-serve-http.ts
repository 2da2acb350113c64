import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { McpServerSession } from '../../tools/mcp/sdk.js';
import { StreamableHTTPServerTransport } from '../../tools/mcp/sdk.js';
import { UsageError } from '../core/errors.js';

export interface HttpServeOptions {
  host: string;
  port: number;
  /** Required as `Authorization: Bearer …` when set; always set when not on loopback. */
  token: string | null;
  /** Makes the MCP server (and its episode) of a new session. */
  openSession(): { server: McpServerSession; end: () => Promise<void> };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host);
}

/**
 * Streamable HTTP at `/mcp`, one MCP session per `Mcp-Session-Id`. On loopback the Host and
 * Origin headers must name loopback too (DNS rebinding, as in CVE-2025-49596); a bearer token
 * is compared in constant time. Session ids are not credentials: the token is checked on
 * every request.
 */
export async function serveHttp(
  options: HttpServeOptions,
): Promise<{ url: string; close: () => Promise<void> }> {
  if (!isLoopback(options.host) && options.token === null) {
    throw new UsageError(
      'USAGE',
      `--host ${options.host}: a bearer token is required off loopback`,
    );
  }
  const sessions = new Map<
    string,
    { transport: StreamableHTTPServerTransport; end: () => Promise<void> }
  >();
  let actualPort = options.port;

  const refuse = (res: ServerResponse, status: number, message: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/mcp') return refuse(res, 404, 'not found: the MCP endpoint is /mcp');
    if (isLoopback(options.host)) {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
      if (!isLoopback(host)) return refuse(res, 403, `Host "${req.headers.host}" is not loopback`);
      const origin = req.headers.origin;
      if (
        origin !== undefined &&
        !isLoopback(new URL(origin, 'http://x').hostname.replace(/^\[|\]$/g, ''))
      ) {
        return refuse(res, 403, `Origin "${origin}" is not allowed`);
      }
    }
    if (options.token !== null && !bearerMatches(req.headers.authorization, options.token)) {
      res.setHeader('www-authenticate', 'Bearer');
      return refuse(res, 401, 'a valid bearer token is required');
    }
    const id = req.headers['mcp-session-id'];
    if (typeof id === 'string') {
      const session = sessions.get(id);
      if (session === undefined) return refuse(res, 404, `unknown MCP session ${id}`);
      return session.transport.handleRequest(req, res);
    }
    if (req.method !== 'POST') return refuse(res, 400, 'a new session starts with POST initialize');
    const opened = options.openSession();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sessionId) => {
        sessions.set(sessionId, { transport, end: opened.end });
      },
    });
    opened.server.onClose(() => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
      void opened.end();
    });
    await opened.server.connect(transport);
    await transport.handleRequest(req, res);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) refuse(res, 500, String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  if (typeof address === 'object' && address !== null) actualPort = address.port;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${actualPort}/mcp`,
    async close() {
      await Promise.allSettled([...sessions.values()].map((s) => s.transport.close()));
      await Promise.allSettled([...sessions.values()].map((s) => s.end()));
      sessions.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/i.exec(header ?? '');
  if (match === null) return false;
  const given = Buffer.from(match[1]!);
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}
