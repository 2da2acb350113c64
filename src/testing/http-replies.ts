import type { ServerResponse } from 'node:http';

export function sseHeaders(): Record<string, string> {
  return { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** An error in the shape OpenAI and Ollama use: `{"error": {"message", "type", "code"}}`. */
export function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  type = 'server_error',
): void {
  sendJson(res, status, { error: { message, type, code: status } });
}
