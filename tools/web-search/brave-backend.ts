import { isPlainObject } from '../../src/core/json.js';
import { cleanSnippet, requestBackendJson, unexpectedShape } from './backend-http.js';
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
    if (!isPlainObject(json)) throw unexpectedShape(this.name, url, 'a JSON object');
    const web = json['web'];
    // Brave leaves out the `web` section when nothing matched.
    if (web === undefined) return [];
    if (!isPlainObject(web) || !Array.isArray(web['results'])) {
      throw unexpectedShape(this.name, url, 'a web.results list');
    }
    const results: SearchResult[] = [];
    for (const item of web['results']) {
      if (!isPlainObject(item) || typeof item['url'] !== 'string') continue;
      results.push({
        title: cleanSnippet(item['title']) || item['url'],
        url: item['url'],
        snippet: cleanSnippet(item['description']),
      });
      if (results.length >= maxResults) break;
    }
    return results;
  }
}

/** Brave's `ErrorResponse`: `error` (or `errors[]`) with `detail` and `code`. */
function braveErrorDetail(body: unknown, text: string): string | undefined {
  if (isPlainObject(body)) {
    const error = Array.isArray(body['errors']) ? body['errors'][0] : body['error'];
    if (isPlainObject(error)) {
      const parts = [error['code'], error['detail']].filter((p) => typeof p === 'string');
      if (parts.length > 0) return parts.join(': ');
    }
  }
  return text || undefined;
}
