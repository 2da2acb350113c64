import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Fake SearXNG, Brave and Tavily servers on 127.0.0.1 that answer in each service's own JSON
 * format, errors included, so the back ends are tested against the wire formats they parse.
 */
export type FakeSearchKind = 'searxng' | 'brave' | 'tavily';

export type FakeSearchMode =
  | 'ok'
  | 'rate-limited'
  | 'server-error'
  | 'forbidden'
  | 'not-json'
  | 'no-results-key'
  | 'hang';

export interface FakeHit {
  title: string;
  url: string;
  content: string;
}

export interface RecordedSearchRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakeSearchServer {
  url: string;
  requests: RecordedSearchRequest[];
  mode: FakeSearchMode;
  close(): Promise<void>;
}

export const FAKE_HITS: readonly FakeHit[] = [
  {
    title: 'Varnholm - the salt city',
    url: 'https://example.org/varnholm',
    content: 'Varnholm was founded in 1412 by the salt merchant Edda Marsk.',
  },
  {
    title: 'Tidebell Tower',
    url: 'https://example.org/tidebell',
    content: 'The Tidebell Tower of Varnholm holds 14 bells.',
  },
  {
    title: 'Torvik',
    url: 'https://example.net/torvik',
    content: 'Torvik is the capital of Kessendal.',
  },
];

export async function startFakeSearchServer(
  kind: FakeSearchKind,
  options: { apiKey?: string; hits?: readonly FakeHit[] } = {},
): Promise<FakeSearchServer> {
  const hits = options.hits ?? FAKE_HITS;
  const requests: RecordedSearchRequest[] = [];
  const state = { mode: 'ok' as FakeSearchMode };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const recorded = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      if (state.mode === 'hang') return;
      const handler = kind === 'searxng' ? searxng : kind === 'brave' ? brave : tavily;
      handler(recorded, res, state.mode, hits, options.apiKey);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get mode() {
      return state.mode;
    },
    set mode(value: FakeSearchMode) {
      state.mode = value;
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

function matching(hits: readonly FakeHit[], query: string): FakeHit[] {
  const words = query.toLowerCase().split(/\W+/).filter(Boolean);
  return hits.filter((h) => words.some((w) => `${h.title} ${h.content}`.toLowerCase().includes(w)));
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The HTML error pages SearXNG's Flask server sends. */
function flaskError(status: number, title: string, text: string): string {
  return `<!doctype html>\n<html lang=en>\n<title>${status} ${title}</title>\n<h1>${title}</h1>\n<p>${text}</p>\n`;
}

function searxng(
  req: RecordedSearchRequest,
  res: ServerResponse,
  mode: FakeSearchMode,
  hits: readonly FakeHit[],
): void {
  if (req.path !== '/search') {
    send(res, 404, flaskError(404, 'Not Found', 'The requested URL was not found.'), 'text/html');
    return;
  }
  // SearXNG answers 403 to format=json unless `search.formats` in settings.yml lists json.
  if (mode === 'forbidden' || req.query.get('format') !== 'json') {
    const text =
      "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server.";
    send(res, 403, flaskError(403, 'Forbidden', text), 'text/html; charset=utf-8');
    return;
  }
  if (mode === 'rate-limited') {
    send(res, 429, flaskError(429, 'Too Many Requests', 'Too many requests.'), 'text/html');
    return;
  }
  if (mode === 'server-error') {
    const text =
      'The server encountered an internal error and was unable to complete your request.';
    send(res, 500, flaskError(500, 'Internal Server Error', text), 'text/html');
    return;
  }
  if (mode === 'not-json') {
    send(res, 200, '<html><body>results</body></html>', 'text/html');
    return;
  }
  const query = req.query.get('q') ?? '';
  const results = matching(hits, query).map((h, i) => ({
    url: h.url,
    title: h.title,
    content: h.content,
    engine: 'duckduckgo',
    parsed_url: ['https', new URL(h.url).host, new URL(h.url).pathname, '', '', ''],
    template: 'default.html',
    engines: ['duckduckgo', 'brave'],
    positions: [i + 1],
    score: 2 / (i + 1),
    category: 'general',
    publishedDate: null,
    thumbnail: '',
  }));
  const body: Record<string, unknown> = {
    query,
    number_of_results: 0,
    answers: [],
    corrections: [],
    infoboxes: [],
    suggestions: [],
    unresponsive_engines: [['wikipedia', 'timeout']],
  };
  if (mode !== 'no-results-key') body['results'] = results;
  send(res, 200, body);
}

function braveError(status: number, code: string, detail: string): unknown {
  return {
    type: 'ErrorResponse',
    error: {
      id: 'c5a1a1de-3f3b-4a7e-9a4e-2c9f8f3e0b11',
      status,
      code,
      detail,
      meta: { component: code === 'RATE_LIMITED' ? 'rate_limiter' : 'authentication' },
    },
    time: 1_763_072_993,
  };
}

function brave(
  req: RecordedSearchRequest,
  res: ServerResponse,
  mode: FakeSearchMode,
  hits: readonly FakeHit[],
  apiKey: string | undefined,
): void {
  if (req.path !== '/res/v1/web/search') {
    send(res, 404, braveError(404, 'RESOURCE_NOT_FOUND', 'Resource not found.'));
    return;
  }
  const token = req.headers['x-subscription-token'];
  if (!token || (apiKey !== undefined && token !== apiKey)) {
    send(
      res,
      422,
      braveError(422, 'SUBSCRIPTION_TOKEN_INVALID', 'The provided subscription token is invalid.'),
    );
    return;
  }
  if (mode === 'forbidden') {
    send(res, 403, braveError(403, 'OPTION_NOT_IN_PLAN', 'The option is not in your plan.'));
    return;
  }
  if (mode === 'rate-limited') {
    send(res, 429, braveError(429, 'RATE_LIMITED', 'Request rate limit exceeded for plan.'));
    return;
  }
  if (mode === 'server-error') {
    send(res, 500, braveError(500, 'INTERNAL_ERROR', 'An internal error occurred.'));
    return;
  }
  if (mode === 'not-json') {
    send(res, 200, 'upstream connect error', 'text/plain');
    return;
  }
  const query = req.query.get('q') ?? '';
  const count = Number(req.query.get('count') ?? '20');
  const found = matching(hits, query).slice(0, count);
  const body: Record<string, unknown> = {
    type: 'search',
    query: { original: query, show_strict_warning: false, is_navigational: false },
    mixed: { type: 'mixed', main: found.map((_, index) => ({ type: 'web', index, all: false })) },
  };
  if (found.length > 0 && mode !== 'no-results-key') {
    body['web'] = {
      type: 'search',
      family_friendly: true,
      results: found.map((h) => ({
        title: h.title,
        url: h.url,
        is_source_local: false,
        is_source_both: false,
        description: h.content.replace(/(\w*Varnholm\w*)/g, '<strong>$1</strong>'),
        language: 'en',
        family_friendly: true,
        type: 'search_result',
        subtype: 'generic',
        meta_url: { scheme: 'https', netloc: new URL(h.url).host, path: new URL(h.url).pathname },
      })),
    };
  }
  if (mode === 'no-results-key') body['web'] = { type: 'search' };
  send(res, 200, body);
}

function tavily(
  req: RecordedSearchRequest,
  res: ServerResponse,
  mode: FakeSearchMode,
  hits: readonly FakeHit[],
  apiKey: string | undefined,
): void {
  if (req.path !== '/search' || req.method !== 'POST') {
    send(res, 404, { detail: 'Not Found' });
    return;
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(req.body) as Record<string, unknown>;
  } catch {
    send(res, 400, { detail: { error: 'Invalid JSON body.' } });
    return;
  }
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const key = bearer ?? body['api_key'];
  if (!key || (apiKey !== undefined && key !== apiKey)) {
    send(res, 401, { detail: { error: 'Unauthorized: missing or invalid API key.' } });
    return;
  }
  if (mode === 'forbidden') {
    send(res, 432, {
      detail: {
        error: "This request exceeds your plan's set usage limit. Please upgrade your plan.",
      },
    });
    return;
  }
  if (mode === 'rate-limited') {
    send(res, 429, {
      detail: { error: 'Your request has been blocked due to excessive requests.' },
    });
    return;
  }
  if (mode === 'server-error') {
    send(res, 500, { detail: { error: 'Internal Server Error' } });
    return;
  }
  if (mode === 'not-json') {
    send(res, 200, '<html>gateway</html>', 'text/html');
    return;
  }
  const query = typeof body['query'] === 'string' ? body['query'] : '';
  const max = typeof body['max_results'] === 'number' ? body['max_results'] : 5;
  const answer: Record<string, unknown> = {
    query,
    follow_up_questions: null,
    answer: null,
    images: [],
    response_time: 0.42,
    request_id: '3f1d6a0e-7b52-4c8e-9a55-0d1f2b3c4d5e',
  };
  if (mode !== 'no-results-key') {
    answer['results'] = matching(hits, query)
      .slice(0, max)
      .map((h, i) => ({ ...h, score: 0.9 - i / 10, raw_content: null }));
  }
  send(res, 200, answer);
}
