import { cleanSnippet, errorBody, parseResponse, requestBackendJson } from './backend-http.js';
import { collectHits, tavilyErrorSchema, tavilyResponseSchema } from './response-schemas.js';
import type { SearchBackend, SearchResult } from './types.js';

export const TAVILY_DEFAULT_URL = 'https://api.tavily.com';

/** The Tavily search API (`POST /search`, key as a Bearer token). */
export class TavilyBackend implements SearchBackend {
  readonly name = 'tavily';
  readonly #base: string;
  readonly #apiKey: string;
  readonly #timeoutMs: number;

  constructor(apiKey: string, timeoutMs: number, baseUrl = TAVILY_DEFAULT_URL) {
    this.#base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
    this.#apiKey = apiKey;
    this.#timeoutMs = timeoutMs;
  }

  async search(query: string, maxResults: number, signal: AbortSignal): Promise<SearchResult[]> {
    const url = new URL('search', this.#base);
    const { json } = await requestBackendJson({
      backend: this.name,
      url,
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        authorization: `Bearer ${this.#apiKey}`,
      },
      body: JSON.stringify({
        query,
        max_results: Math.min(20, maxResults),
        search_depth: 'basic',
        include_answer: false,
        include_raw_content: false,
        include_images: false,
      }),
      timeoutMs: this.#timeoutMs,
      signal,
      keyVariable: 'TAVILY_API_KEY',
      errorDetail: tavilyErrorDetail,
    });
    const data = parseResponse(this.name, url, json, tavilyResponseSchema, 'a results list');
    return collectHits(data.results, 'content', maxResults, cleanSnippet);
  }
}

/** Tavily's errors: `{"detail": {"error": "..."}}`, sometimes `{"detail": "..."}`. */
function tavilyErrorDetail(body: unknown, text: string): string | undefined {
  const error = errorBody(tavilyErrorSchema, body);
  const detail = error?.detail;
  if (typeof detail === 'string') return detail;
  return detail?.error ?? error?.error ?? (text || undefined);
}
