import { join } from 'node:path';
import { z } from 'zod';
import { withTimeout } from '../../src/core/abort.js';
import { defaultCacheDir } from '../../src/core/cache-dir.js';
import { UsageError } from '../../src/core/errors.js';
import { defineTool, type ToolDefinition } from '../../src/core/tool.js';
import { WEB_SEARCH_BACKENDS, type WebSearchBackendName } from './backend-names.js';
import { BraveBackend } from './brave-backend.js';
import { checkCorpusDir } from './corpus.js';
import { formatResults } from './format-results.js';
import { LocalSearchBackend } from './local-backend.js';
import { cacheFileFor } from './local-index.js';
import { SearxngBackend } from './searxng-backend.js';
import { TavilyBackend } from './tavily-backend.js';
import type { SearchBackend } from './types.js';

export { WEB_SEARCH_BACKENDS, type WebSearchBackendName } from './backend-names.js';
export { corpusUrl, defaultCorpusDir } from './corpus.js';
export { LocalSearchBackend } from './local-backend.js';
export type { SearchBackend, SearchResult } from './types.js';

export interface WebSearchOptions {
  backend: WebSearchBackendName;
  /** The `local` back end's folder; default `<package>/tools/web-search/corpus`. */
  corpusDir?: string;
  /** SearXNG's base URL (required for it); for brave and tavily an override of the API's. */
  url?: string;
  /** API key for brave or tavily; default from `BRAVE_API_KEY` / `TAVILY_API_KEY`. */
  apiKey?: string;
  env?: NodeJS.ProcessEnv;
  /** Timeout of one back-end request; the call's policy timeout applies too. */
  timeoutMs?: number;
  /** Where the local index is cached; default `search/` in assay's cache folder (ASSAY_CACHE_DIR). */
  cacheDir?: string;
  /** How long the local index is trusted before the corpus files are listed again. */
  refreshIntervalMs?: number;
}

export const webSearchInput = z.strictObject({
  query: z.string().trim().min(1).max(1000).describe('What to search for.'),
  max_results: z
    .number()
    .int()
    .min(1)
    .max(20)
    .optional()
    .describe('How many results to return (1-20, default 5).'),
});

export type WebSearchInput = z.infer<typeof webSearchInput>;

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_RESULTS = 5;

/**
 * Creates the back end the options name. Everything a user can get wrong (no corpus folder,
 * no URL, no API key) is a UsageError here, before the first call.
 */
export function createSearchBackend(options: WebSearchOptions): SearchBackend {
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  switch (options.backend) {
    case 'local': {
      const corpusDir = checkCorpusDir(options.corpusDir);
      const cacheDir = options.cacheDir ?? join(defaultCacheDir(env), 'search');
      return new LocalSearchBackend({
        corpusDir,
        cacheFile: cacheFileFor(cacheDir, corpusDir),
        refreshIntervalMs: options.refreshIntervalMs ?? 2_000,
      });
    }
    case 'searxng': {
      if (!options.url) {
        throw new UsageError(
          'USAGE',
          'the searxng search back end needs the URL of a SearXNG instance (--search-url)',
        );
      }
      return new SearxngBackend(checkHttpUrl(options.url, 'searxng'), timeoutMs);
    }
    case 'brave': {
      const key = apiKey(options.apiKey, env, 'BRAVE_API_KEY', 'brave');
      const base = options.url === undefined ? undefined : checkHttpUrl(options.url, 'brave');
      return new BraveBackend(key, timeoutMs, base);
    }
    case 'tavily': {
      const key = apiKey(options.apiKey, env, 'TAVILY_API_KEY', 'tavily');
      const base = options.url === undefined ? undefined : checkHttpUrl(options.url, 'tavily');
      return new TavilyBackend(key, timeoutMs, base);
    }
    default:
      throw new UsageError(
        'USAGE',
        `unknown search back end "${String(options.backend)}"; the back ends are ${WEB_SEARCH_BACKENDS.join(', ')}`,
      );
  }
}

/** The `web_search` tool. Its output is untrusted web content, so it taints the episode. */
export function createWebSearchTool(options: WebSearchOptions): ToolDefinition<WebSearchInput> {
  const backend = createSearchBackend(options);
  const where = backend.name === 'local' ? 'a local document collection' : 'the web';
  return defineTool<WebSearchInput>({
    name: 'web_search',
    description: `Search ${where} for a query. Returns a numbered list of results, each with a title, a URL and a snippet; read a result in full with web_fetch on its URL.`,
    inputSchema: webSearchInput,
    taints: true,
    async run(args, ctx) {
      const signal = withTimeout(ctx.signal, ctx.limits.timeout_ms);
      const results = await backend.search(args.query, args.max_results ?? DEFAULT_RESULTS, signal);
      return {
        ok: true,
        content: formatResults(args.query, results, ctx.limits.output_bytes),
        data: { backend: backend.name, query: args.query, results },
      };
    },
  });
}

function apiKey(
  given: string | undefined,
  env: NodeJS.ProcessEnv,
  variable: string,
  backend: string,
): string {
  const key = given ?? env[variable];
  if (!key?.trim()) {
    throw new UsageError(
      'USAGE',
      `the ${backend} search back end needs an API key: set the ${variable} environment variable`,
      { details: { variable } },
    );
  }
  return key.trim();
}

function checkHttpUrl(value: string, backend: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError('USAGE', `invalid URL for the ${backend} search back end: "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(
      'USAGE',
      `the ${backend} search back end URL must be http or https, not "${value}"`,
    );
  }
  return url.href;
}
