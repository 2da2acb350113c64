import type { ServerResponse } from 'node:http';
import { sendError, sseHeaders } from './http-replies.js';
import type { Fault } from './script.js';

const PARTIAL_CHUNKS = [
  { role: 'assistant', content: '' },
  { content: 'The answer ' },
  { content: 'is' },
].map((delta) => ({
  id: 'chatcmpl-dropped',
  object: 'chat.completion.chunk',
  created: 1_700_000_000,
  model: 'scripted',
  choices: [{ index: 0, delta, finish_reason: null }],
}));

/**
 * Answers a request with a fault instead of the script's reply. The script is not called, so a
 * `sequenceScript` hands its next reply to the retry. (`stall` is handled by the server,
 * because after the stall the normal reply follows.)
 */
export function sendFault(
  res: ServerResponse,
  fault: Exclude<Fault, { kind: 'stall' }>,
  stream: boolean,
): void {
  switch (fault.kind) {
    case 'status': {
      if (fault.body === undefined) {
        if (fault.retryAfter !== undefined) res.setHeader('retry-after', String(fault.retryAfter));
        sendError(res, fault.status, `scripted fault: HTTP ${fault.status}`);
        return;
      }
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
      res.writeHead(fault.status, headers);
      res.end(fault.body);
      return;
    }
    case 'drop-mid-stream': {
      if (stream) {
        res.writeHead(200, sseHeaders());
        for (const chunk of PARTIAL_CHUNKS) res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      } else {
        const body = JSON.stringify({
          id: 'chatcmpl-dropped',
          object: 'chat.completion',
          choices: [],
        });
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': String(body.length * 4),
        });
        res.write(body.slice(0, 20));
      }
      // Give the written bytes a moment to leave before the socket is torn down.
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    case 'malformed-json': {
      if (stream) {
        res.writeHead(200, sseHeaders());
        res.end(
          'data: {"id": "chatcmpl-broken", "choices": [{"delta": {"content": "oops"\n\ndata: [DONE]\n\n',
        );
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id": "chatcmpl-broken", "object": "chat.completion", "choices": [{"message": ');
      }
      return;
    }
  }
}
