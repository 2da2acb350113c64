import { APIError, OpenAIError } from 'openai';
import { SseDecoder } from './sse-decoder.js';

/**
 * The JSON chunks of a streamed chat completion, read from the response body with
 * {@link SseDecoder} (linear in the body's size) instead of the `openai` client's decoder
 * (quadratic in the events per network read). Everything else is the client's behaviour, so
 * errors map the same way: events after `[DONE]` are ignored; an event whose data is not JSON
 * throws its SyntaxError; `{"error": …}` throws an APIError with the response's headers;
 * `thread.*` events (Assistants API) are not chat chunks and are skipped. An abort ends the
 * iteration quietly, as with the client: the caller checks its signal.
 */
export async function* sseChunks(response: Response): AsyncGenerator<unknown> {
  if (!response.body) throw new OpenAIError('Attempted to iterate over a response with no body');
  const reader = response.body.getReader();
  const decoder = new SseDecoder();
  let done = false;
  let finished = false;
  try {
    for (;;) {
      let read: Awaited<ReturnType<typeof reader.read>>;
      try {
        read = await reader.read();
      } catch (error) {
        if (isAbort(error)) return;
        throw error;
      }
      const events = read.done ? decoder.end() : decoder.push(read.value);
      for (const sse of events) {
        if (done) continue;
        if (sse.data.startsWith('[DONE]')) {
          done = true;
          continue;
        }
        const data: unknown = JSON.parse(sse.data);
        if (sse.event?.startsWith('thread.')) continue;
        if (typeof data === 'object' && data !== null && 'error' in data && data.error) {
          throw new APIError(undefined, data.error as object, undefined, response.headers);
        }
        yield data;
      }
      if (read.done) {
        finished = true;
        return;
      }
    }
  } finally {
    // A consumer that stops early (or an error above) must not leave the connection open.
    if (!finished) await reader.cancel().catch(() => {});
  }
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}
