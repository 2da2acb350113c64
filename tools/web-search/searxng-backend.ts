import { isPlainObject } from '../../src/core/json.js';
import { cleanSnippet, requestBackendJson, unexpectedShape } from './backend-http.js';
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
