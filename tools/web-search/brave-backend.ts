import { cleanSnippet, errorBody, parseResponse, requestBackendJson } from './backend-http.js';
import { braveErrorSchema, braveResponseSchema, collectHits } from './response-schemas.js';
import type { SearchBackend, SearchResult } from './types.js';

export const BRAVE_DEFAULT_URL = 'https://api.search.brave.com';

/** The Brave Search web API (`/res/v1/web/search`, key in `X-Subscription-Token`). */
export class BraveBackend implements SearchBackend {
  readonly name = 'brave';
  readonly #base: string;
  readonly #apiKey: string;
  readonly #timeoutMs: number;

  constructor(apiKey: string, timeoutMs: number, baseUrl = BRAVE_DEFAULT_URL) {
    this.#base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
    this.#apiKey = apiKey;
    this.#timeoutMs = timeoutMs;
  }

  async search(query: string, maxResults: number, signal: AbortSignal): Promise<SearchResult[]> {
    const url = new URL('res/v1/web/search', this.#base);
    url.searchParams.set('q', query);
    url.searchParams.set('count', String(Math.min(20, maxResults)));
    const { json } = await requestBackendJson({
      backend: this.name,
      url,
      method: 'GET',
      headers: { accept: 'application/json', 'x-subscription-token': this.#apiKey },
      timeoutMs: this.#timeoutMs,
      signal,
      keyVariable: 'BRAVE_API_KEY',
      errorDetail: braveErrorDetail,
    });
    const data = parseResponse(this.name, url, json, braveResponseSchema, 'a web.results list');
    // Brave leaves out the `web` section when nothing matched.
    if (data.web === undefined) return [];
    return collectHits(data.web.results, 'description', maxResults, cleanSnippet);
  }
}

/** Brave's `ErrorResponse`: `error` (or `errors[]`) with `detail` and `code`. */
function braveErrorDetail(body: unknown, text: string): string | undefined {
  const parsed = errorBody(braveErrorSchema, body);
  const error = parsed?.errors?.[0] ?? parsed?.error;
  const parts = [error?.code, error?.detail].filter((p): p is string => typeof p === 'string');
  return parts.length > 0 ? parts.join(': ') : text || undefined;
}
