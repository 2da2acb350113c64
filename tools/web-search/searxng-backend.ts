import { cleanSnippet, parseResponse, requestBackendJson } from './backend-http.js';
import { collectHits, searxngResponseSchema } from './response-schemas.js';
import type { SearchBackend, SearchResult } from './types.js';

/** A SearXNG instance's JSON API (`/search?format=json`; the instance must enable JSON). */
export class SearxngBackend implements SearchBackend {
  readonly name = 'searxng';
  readonly #base: string;
  readonly #timeoutMs: number;

  constructor(baseUrl: string, timeoutMs: number) {
    this.#base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
    this.#timeoutMs = timeoutMs;
  }

  async search(query: string, maxResults: number, signal: AbortSignal): Promise<SearchResult[]> {
    const url = new URL('search', this.#base);
    url.searchParams.set('q', query);
    url.searchParams.set('format', 'json');
    const { json } = await requestBackendJson({
      backend: this.name,
      url,
      method: 'GET',
      headers: { accept: 'application/json' },
      timeoutMs: this.#timeoutMs,
      signal,
      errorDetail: (_body, text) =>
        text.includes('<') ? text.replace(/<[^>]*>/g, ' ').trim() || undefined : text,
    });
    const data = parseResponse(this.name, url, json, searxngResponseSchema, 'a results list');
    return collectHits(data.results, 'content', maxResults, cleanSnippet);
  }
}
