import { isPlainObject } from '../../src/core/json.js';
import { cleanSnippet, requestBackendJson, unexpectedShape } from './backend-http.js';
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
    if (!isPlainObject(json) || !Array.isArray(json['results'])) {
      throw unexpectedShape(this.name, url, 'a results list');
    }
    const results: SearchResult[] = [];
    for (const item of json['results']) {
      if (!isPlainObject(item) || typeof item['url'] !== 'string') continue;
      results.push({
        title: cleanSnippet(item['title']) || item['url'],
        url: item['url'],
        snippet: cleanSnippet(item['content']),
      });
      if (results.length >= maxResults) break;
    }
    return results;
  }
}

/** Tavily's errors: `{"detail": {"error": "..."}}`, sometimes `{"detail": "..."}`. */
function tavilyErrorDetail(body: unknown, text: string): string | undefined {
  if (isPlainObject(body)) {
    const detail = body['detail'];
    if (typeof detail === 'string') return detail;
    if (isPlainObject(detail) && typeof detail['error'] === 'string') return detail['error'];
    if (typeof body['error'] === 'string') return body['error'];
  }
  return text || undefined;
}
