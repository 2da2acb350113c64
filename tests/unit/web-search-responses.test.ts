import { describe, expect, it } from 'vitest';
import { InfraError } from '../../src/core/errors.js';
import { cleanSnippet, parseResponse } from '../../tools/web-search/backend-http.js';
import {
  braveResponseSchema,
  collectHits,
  searxngResponseSchema,
  tavilyResponseSchema,
} from '../../tools/web-search/response-schemas.js';

// Response bodies in the shapes the services document (SearXNG's JSON format, Brave's
// WebSearchApiResponse, Tavily's /search), trimmed to a few fields and made-up hits.
const SEARXNG = {
  query: 'varnholm',
  number_of_results: 0,
  results: [
    {
      url: 'https://example.org/a',
      title: 'A <b>town</b>',
      content: 'Founded &amp; built',
      engine: 'ddg',
    },
    { title: 'no url, skipped', content: 'x' },
    { url: 'https://example.org/b', title: '', content: null },
  ],
  answers: [],
  suggestions: [],
};
const BRAVE = {
  type: 'search',
  query: { original: 'varnholm' },
  web: {
    type: 'search',
    results: [{ title: 'B', url: 'https://example.org/b', description: 'd', age: '1 day' }],
  },
};
const BRAVE_NOTHING = { type: 'search', query: { original: 'zzzz' } };
const TAVILY = {
  query: 'varnholm',
  answer: null,
  images: [],
  results: [
    { title: 'T', url: 'https://example.org/t', content: 'c', score: 0.9, raw_content: null },
  ],
  response_time: 0.5,
};

const URL_A = new URL('https://search.example/search');

describe('the response schemas of the hosted search back ends', () => {
  it('reads SearXNG hits, skipping one without a URL and using the URL for an empty title', () => {
    const data = parseResponse('searxng', URL_A, SEARXNG, searxngResponseSchema, 'a results list');
    expect(collectHits(data.results, 'content', 10, cleanSnippet)).toEqual([
      { title: 'A town', url: 'https://example.org/a', snippet: 'Founded & built' },
      { title: 'https://example.org/b', url: 'https://example.org/b', snippet: '' },
    ]);
    expect(collectHits(data.results, 'content', 1, cleanSnippet)).toHaveLength(1);
  });

  it('reads Brave hits from web.results and no web section as no hits', () => {
    const data = parseResponse('brave', URL_A, BRAVE, braveResponseSchema, 'a web.results list');
    expect(collectHits(data.web?.results ?? [], 'description', 10, cleanSnippet)).toEqual([
      { title: 'B', url: 'https://example.org/b', snippet: 'd' },
    ]);
    expect(
      parseResponse('brave', URL_A, BRAVE_NOTHING, braveResponseSchema, '').web,
    ).toBeUndefined();
  });

  it('reads Tavily hits', () => {
    const data = parseResponse('tavily', URL_A, TAVILY, tavilyResponseSchema, 'a results list');
    expect(collectHits(data.results, 'content', 10, cleanSnippet)).toEqual([
      { title: 'T', url: 'https://example.org/t', snippet: 'c' },
    ]);
  });

  it("names the back end, the URL and the wrong field when the shape is not the service's", () => {
    const error = (() => {
      try {
        parseResponse(
          'brave',
          URL_A,
          { web: { results: 'none' } },
          braveResponseSchema,
          'a web.results list',
        );
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InfraError);
    expect((error as Error).message).toMatch(
      /^brave search back end at https:\/\/search\.example\/search answered without a web\.results list \(web\.results: .*expected array/,
    );
  });
});
