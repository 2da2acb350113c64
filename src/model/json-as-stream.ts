import { isPlainObject, safeJsonParse } from '../core/json.js';

/**
 * Some servers and proxies answer a `stream: true` request with one plain `chat.completion`
 * (content-type `application/json`). The `openai` client reads such a body as an empty event
 * stream, so before it sees the response the body is re-framed as a single SSE chunk carrying
 * the whole message. Anything else passes through untouched.
 */
export async function reframeJsonAnswer(response: Response): Promise<Response> {
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || !/\bapplication\/json\b/i.test(type)) return response;
  const text = await response.text();
  const parsed = safeJsonParse(text);
  const chunk = parsed.ok ? completionAsChunk(parsed.value) : null;
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  if (chunk === null) {
    return new Response(text, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  }
  headers.set('content-type', 'text/event-stream');
  return new Response(`data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n`, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

/** The `chat.completion.chunk` equivalent of a completion, or null when `body` is not one. */
export function completionAsChunk(body: unknown): Record<string, unknown> | null {
  if (!isPlainObject(body) || !Array.isArray(body['choices'])) return null;
  const choices = body['choices'].filter(isPlainObject);
  if (choices.length === 0 || !choices.every((choice) => isPlainObject(choice['message']))) {
    return null;
  }
  return {
    ...body,
    object: 'chat.completion.chunk',
    choices: choices.map((choice) => {
      const { message, ...rest } = choice;
      const delta = { ...(message as Record<string, unknown>) };
      // In a message each call is its own entry; in a delta the index says which call it is.
      if (Array.isArray(delta['tool_calls'])) {
        delta['tool_calls'] = delta['tool_calls'].map((call, index) =>
          isPlainObject(call) ? { index, ...call } : call,
        );
      }
      return { ...rest, delta, finish_reason: choice['finish_reason'] ?? null };
    }),
  };
}
