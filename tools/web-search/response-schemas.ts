import { z } from 'zod';
import type { SearchResult } from './types.js';

/*
 * The JSON the hosted search services answer with, as zod schemas: only the fields assay reads
 * are checked, everything else passes through. A response without its results list is an
 * error (not "no results"); a single hit without a URL is skipped.
 */

/** One hit of any service: the URL is required; title and snippet are cleaned from whatever is there. */
export const hitSchema = z.looseObject({ url: z.string().min(1), title: z.unknown().optional() });

/** SearXNG's `/search?format=json`: `{results: [{url, title, content}]}`. */
export const searxngResponseSchema = z.looseObject({ results: z.array(z.unknown()) });

/** Tavily's `POST /search`: `{results: [{url, title, content}]}`. */
export const tavilyResponseSchema = z.looseObject({ results: z.array(z.unknown()) });

/** Brave's web search: `{web: {results: [{url, title, description}]}}`; no `web` when nothing matched. */
export const braveResponseSchema = z.looseObject({
  web: z.looseObject({ results: z.array(z.unknown()) }).optional(),
});

const braveError = z.looseObject({ code: z.string().optional(), detail: z.string().optional() });

/** Brave's `ErrorResponse`: `error` (or `errors[]`) with `code` and `detail`. */
export const braveErrorSchema = z.looseObject({
  error: braveError.optional(),
  errors: z.array(braveError).optional(),
});

/** Tavily's errors: `{"detail": {"error": "..."}}`, sometimes `{"detail": "..."}` or `{"error": "..."}`. */
export const tavilyErrorSchema = z.looseObject({
  detail: z.union([z.string(), z.looseObject({ error: z.string() })]).optional(),
  error: z.string().optional(),
});

/** The hits of a results list that have a URL, at most `max`, as assay's search results. */
export function collectHits(
  items: readonly unknown[],
  snippetField: 'content' | 'description',
  max: number,
  clean: (value: unknown) => string,
): SearchResult[] {
  const results: SearchResult[] = [];
  for (const item of items) {
    const parsed = hitSchema.safeParse(item);
    if (!parsed.success) continue;
    const { url } = parsed.data;
    results.push({
      title: clean(parsed.data['title']) || url,
      url,
      snippet: clean(parsed.data[snippetField]),
    });
    if (results.length >= max) break;
  }
  return results;
}
