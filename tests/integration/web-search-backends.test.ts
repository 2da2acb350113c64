import { afterEach, describe, expect, it } from 'vitest';
import { InfraError, UsageError } from '../../src/core/errors.js';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import type { ToolContext } from '../../src/core/tool.js';
import { createWebSearchTool, type WebSearchOptions } from '../../tools/web-search/index.js';
import {
  type FakeSearchKind,
  type FakeSearchServer,
  startFakeSearchServer,
} from '../support/fake-search-servers.js';

const KEY = 'test-key-123';

function context(): ToolContext {
  return {
    signal: new AbortController().signal,
    limits: DEFAULT_LIMITS,
    resources: { acquire: (_key, create) => create() },
    episodeId: 'episode-1',
    step: 1,
  };
}

let servers: FakeSearchServer[] = [];

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function start(kind: FakeSearchKind): Promise<FakeSearchServer> {
  const server = await startFakeSearchServer(kind, { apiKey: KEY });
  servers.push(server);
  return server;
}

function options(kind: FakeSearchKind, url: string, extra: Partial<WebSearchOptions> = {}) {
  const base: WebSearchOptions = { backend: kind, url, env: {} };
  if (kind !== 'searxng') base.apiKey = KEY;
  return { ...base, ...extra };
}

async function runError(kind: FakeSearchKind, url: string, extra: Partial<WebSearchOptions> = {}) {
  const tool = createWebSearchTool(options(kind, url, extra));
  return tool.run({ query: 'Varnholm' }, context()).then(
    () => {
      throw new Error('expected the search to fail');
    },
    (error: unknown) => error,
  );
}

describe.each(['searxng', 'brave', 'tavily'] as const)('the %s back end', (kind) => {
  it('returns normalized results as a numbered list', async () => {
    const server = await start(kind);
    const tool = createWebSearchTool(options(kind, server.url));
    const result = await tool.run({ query: 'Varnholm founded', max_results: 2 }, context());
    expect(result.ok).toBe(true);
    expect(result.data).toMatchObject({
      backend: kind,
      results: [
        {
          title: 'Varnholm - the salt city',
          url: 'https://example.org/varnholm',
          snippet: 'Varnholm was founded in 1412 by the salt merchant Edda Marsk.',
        },
        { title: 'Tidebell Tower', url: 'https://example.org/tidebell' },
      ],
    });
    expect(result.content).toContain(
      '1. Varnholm - the salt city\n   https://example.org/varnholm',
    );
    expect(result.content).toContain('2. Tidebell Tower');
    expect(result.content).not.toContain('<strong>');
    expect(tool.taints).toBe(true);
  });

  it('reports a results list without hits as no results', async () => {
    const server = await start(kind);
    const tool = createWebSearchTool(options(kind, server.url));
    const result = await tool.run({ query: 'zzyzx' }, context());
    expect(result.ok).toBe(true);
    expect(result.content).toBe('No results for "zzyzx". Try other words, or fewer of them.');
  });

  it('throws an infra error naming the back end and status when rate limited', async () => {
    const server = await start(kind);
    server.mode = 'rate-limited';
    const error = await runError(kind, server.url);
    expect(error).toBeInstanceOf(InfraError);
    expect((error as InfraError).code).toBe('SEARCH_BACKEND_ERROR');
    expect((error as InfraError).retryable).toBe(true);
    expect((error as Error).message).toContain(`${kind} search back end at ${server.url}/`);
    expect((error as Error).message).toContain('HTTP 429');
  });

  it('throws an infra error when the service fails with a 500', async () => {
    const server = await start(kind);
    server.mode = 'server-error';
    const error = await runError(kind, server.url);
    expect(error).toBeInstanceOf(InfraError);
    expect((error as Error).message).toMatch(/HTTP 500 Internal Server Error/);
  });

  it('throws an infra error when the service answers something that is not JSON', async () => {
    const server = await start(kind);
    server.mode = 'not-json';
    const error = await runError(kind, server.url);
    expect(error).toBeInstanceOf(InfraError);
    expect((error as Error).message).toContain('answered with invalid JSON');
  });

  it('throws an infra error, not "no results", when the results list is missing', async () => {
    const server = await start(kind);
    server.mode = 'no-results-key';
    const error = await runError(kind, server.url);
    expect(error).toBeInstanceOf(InfraError);
    expect((error as Error).message).toMatch(/answered without a (web\.)?results list/);
  });

  it('throws an infra error when the service does not answer in time', async () => {
    const server = await start(kind);
    server.mode = 'hang';
    const error = await runError(kind, server.url, { timeoutMs: 200 });
    expect(error).toBeInstanceOf(InfraError);
    expect((error as Error).message).toContain('did not answer within 200 ms');
  });

  it('throws an infra error naming the URL when nothing listens there', async () => {
    const server = await start(kind);
    await server.close();
    servers = [];
    const error = await runError(kind, server.url);
    expect(error).toBeInstanceOf(InfraError);
    expect((error as Error).message).toContain(`${server.url}/`);
    expect((error as Error).message).toContain('is unreachable: ECONNREFUSED');
  });
});

describe('requests and keys', () => {
  it('asks SearXNG for JSON with the query', async () => {
    const server = await start('searxng');
    await createWebSearchTool(options('searxng', server.url)).run({ query: 'Torvik' }, context());
    expect(server.requests[0]?.path).toBe('/search');
    expect(server.requests[0]?.query.get('format')).toBe('json');
    expect(server.requests[0]?.query.get('q')).toBe('Torvik');
  });

  it('reports a SearXNG instance without the JSON format enabled as a 403 infra error', async () => {
    const server = await start('searxng');
    server.mode = 'forbidden';
    const error = await runError('searxng', server.url);
    expect(error).toBeInstanceOf(InfraError);
    expect((error as Error).message).toContain('HTTP 403 Forbidden');
    expect((error as Error).message).toContain("You don't have the permission");
  });

  it('sends the Brave key in X-Subscription-Token and the result count', async () => {
    const server = await start('brave');
    const tool = createWebSearchTool(options('brave', server.url));
    await tool.run({ query: 'Torvik', max_results: 3 }, context());
    expect(server.requests[0]?.headers['x-subscription-token']).toBe(KEY);
    expect(server.requests[0]?.query.get('count')).toBe('3');
  });

  it('names BRAVE_API_KEY when Brave rejects the key, without printing the key', async () => {
    const server = await start('brave');
    const error = await runError('brave', server.url, { apiKey: 'wrong-key' });
    expect(error).toBeInstanceOf(InfraError);
    expect((error as InfraError).retryable).toBe(false);
    const message = (error as Error).message;
    expect(message).toContain('HTTP 422');
    expect(message).toContain('SUBSCRIPTION_TOKEN_INVALID: The provided subscription token');
    expect(message).toContain('check BRAVE_API_KEY');
    expect(message).not.toContain('wrong-key');
  });

  it('reports a Brave 403 with the service error code', async () => {
    const server = await start('brave');
    server.mode = 'forbidden';
    const error = await runError('brave', server.url);
    expect((error as Error).message).toContain('HTTP 403 Forbidden: OPTION_NOT_IN_PLAN');
  });

  it('sends the Tavily key as a Bearer token and the query in a JSON body', async () => {
    const server = await start('tavily');
    await createWebSearchTool(options('tavily', server.url)).run(
      { query: 'Torvik', max_results: 4 },
      context(),
    );
    const request = server.requests[0];
    expect(request?.method).toBe('POST');
    expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({ query: 'Torvik', max_results: 4 });
  });

  it('names TAVILY_API_KEY when Tavily rejects the key with a 401', async () => {
    const server = await start('tavily');
    const error = await runError('tavily', server.url, { apiKey: 'wrong-key' });
    expect(error).toBeInstanceOf(InfraError);
    const message = (error as Error).message;
    expect(message).toContain('HTTP 401 Unauthorized: Unauthorized: missing or invalid API key.');
    expect(message).toContain('check TAVILY_API_KEY');
  });

  it('reports a Tavily plan limit (432) as an infra error with its message', async () => {
    const server = await start('tavily');
    server.mode = 'forbidden';
    const error = await runError('tavily', server.url);
    expect(error).toBeInstanceOf(InfraError);
    expect((error as Error).message).toContain('HTTP 432');
    expect((error as Error).message).toContain('usage limit');
  });

  it('takes the API key from the environment', async () => {
    const server = await start('brave');
    const tool = createWebSearchTool({
      backend: 'brave',
      url: server.url,
      env: { BRAVE_API_KEY: KEY },
    });
    const result = await tool.run({ query: 'Varnholm' }, context());
    expect(result.ok).toBe(true);
  });

  it.each([
    ['brave', 'BRAVE_API_KEY'],
    ['tavily', 'TAVILY_API_KEY'],
  ] as const)(
    'fails at creation with a usage error naming %s when its key is missing',
    (backend, variable) => {
      const create = () => createWebSearchTool({ backend, env: {} });
      expect(create).toThrow(UsageError);
      expect(create).toThrow(`set the ${variable} environment variable`);
    },
  );

  it('fails at creation when the searxng back end has no URL or a non-http one', () => {
    expect(() => createWebSearchTool({ backend: 'searxng' })).toThrow('--search-url');
    expect(() => createWebSearchTool({ backend: 'searxng', url: 'ftp://x' })).toThrow(
      'must be http or https, not "ftp://x"',
    );
  });
});
