import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AssayError } from '../../src/core/errors.js';
import { DEFAULT_LIMITS, type ToolLimits } from '../../src/core/limits.js';
import type { ToolContext, ToolResult } from '../../src/core/tool.js';
import { createWebFetchTool, type WebFetchOptions } from '../../tools/web-fetch/index.js';
import { createWebSearchTool } from '../../tools/web-search/index.js';

const LOOPBACK: ToolLimits = { ...DEFAULT_LIMITS, private_network: ['127.0.0.1/32'] };

function context(limits: Partial<ToolLimits> = LOOPBACK, signal?: AbortSignal): ToolContext {
  return {
    signal: signal ?? new AbortController().signal,
    limits: { ...LOOPBACK, ...limits },
    resources: { acquire: (_key, create) => create() },
    episodeId: 'episode-1',
    step: 1,
  };
}

const ARTICLE = `<!doctype html><html><head><title>Varnholm - Gazetteer</title>
<script>window.tracking = 'secret-script-text';</script><style>.x{color:red}</style></head>
<body><nav><a href="/">Home</a> | <a href="/about">About</a></nav>
<article><h1>Varnholm</h1>
<p>Varnholm was founded in 1412 by the salt merchant <a href="/people/edda">Edda Marsk</a>, who
built a fortified warehouse at a ford of the river Ulve. The settlement received its town charter
in 1438 and grew into the second-largest city of the province.</p>
<h2>Today</h2>
<p>At the census of 2019 Varnholm had 84,300 inhabitants. The old town is dominated by the
Tidebell Tower, a clock tower with fourteen bells completed in 1688.</p>
<ul><li>University of Kessendal</li><li>The Varnholm Chronicle</li></ul>
</article><footer>Gazetteer footer</footer></body></html>`;

const LONG_TEXT = Array.from(
  { length: 400 },
  (_, i) => `Line ${String(i).padStart(3, '0')} of the long document.`,
).join('\n');

interface Fixture {
  server: Server;
  port: number;
  base: string;
  hits: Map<string, number>;
}

let fixture: Fixture;
let bomb: Buffer;
let brBomb: Buffer;

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  extra: Record<string, string> = {},
) {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    ...extra,
  });
  res.end(body);
}

beforeAll(async () => {
  const text = Buffer.alloc(20 * 1024 * 1024, 'a');
  bomb = gzipSync(text, { level: 9 });
  brBomb = brotliCompressSync(text);
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    const port = (server.address() as AddressInfo).port;
    switch (url.pathname) {
      case '/page.html':
        return send(res, 200, 'text/html; charset=utf-8', ARTICLE);
      case '/short.html':
        return send(
          res,
          200,
          'text/html',
          '<html><body><table><tr><td>Tide</td><td>14:05</td></tr></table><a href="next.html">next</a></body></html>',
        );
      case '/data.json':
        return send(
          res,
          200,
          'application/json',
          '{"city":"Varnholm","founded":1412,"bells":[1,2]}',
        );
      case '/plain.txt':
        return send(
          res,
          200,
          'text/plain; charset=utf-8',
          'Plain text, passed as it is.\n  Indented line.',
        );
      case '/long.txt':
        return send(res, 200, 'text/plain', LONG_TEXT);
      case '/latin1.txt':
        return send(
          res,
          200,
          'text/plain; charset=iso-8859-1',
          Buffer.from([0x53, 0x6f, 0x6e, 0x64, 0x20, 0xf8]),
        );
      case '/image.png':
        return send(
          res,
          200,
          'image/png',
          Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
        );
      case '/pretend.txt':
        return send(res, 200, 'text/plain', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]));
      case '/untyped':
        res.writeHead(200, { 'content-length': '11' });
        return res.end('no type set');
      case '/gzip.html':
        return send(res, 200, 'text/html', gzipSync(ARTICLE), { 'content-encoding': 'gzip' });
      case '/br.json':
        return send(res, 200, 'application/json', brotliCompressSync('{"a":1}'), {
          'content-encoding': 'br',
        });
      case '/deflate.txt':
        return send(res, 200, 'text/plain', deflateSync('deflated text'), {
          'content-encoding': 'deflate',
        });
      case '/bomb.txt':
        return send(res, 200, 'text/plain', bomb, { 'content-encoding': 'gzip' });
      case '/br-bomb.txt':
        return send(res, 200, 'text/plain', brBomb, { 'content-encoding': 'br' });
      case '/big.txt': {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = Buffer.alloc(64 * 1024, 'b');
        let sent = 0;
        const pump = () => {
          while (sent < 3 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('error', () => undefined);
        return pump();
      }
      case '/missing':
        return send(res, 404, 'text/html', '<h1>Not here</h1>');
      case '/broken':
        return send(res, 500, 'text/plain', 'boom');
      case '/slow-headers':
        return; // never answers
      case '/slow-body':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first part, then silence');
        return;
      case '/redirect':
        return send(res, 302, 'text/plain', '', { location: '/page.html' });
      case '/redirect-chain': {
        const n = Number(url.searchParams.get('n') ?? '0');
        return send(res, 302, 'text/plain', '', {
          location: n >= 3 ? '/plain.txt' : `/redirect-chain?n=${n + 1}`,
        });
      }
      case '/loop':
        return send(res, 302, 'text/plain', '', { location: '/loop' });
      case '/to': {
        const target = (url.searchParams.get('target') ?? '').replace('PORT', String(port));
        return send(res, 301, 'text/plain', '', { location: target });
      }
      default:
        return send(res, 404, 'text/plain', 'not found');
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  fixture = { server, port, base: `http://127.0.0.1:${port}`, hits };
});

afterAll(async () => {
  fixture.server.closeAllConnections();
  fixture.server.close();
});

beforeEach(() => {
  fixture.hits.clear();
});

const tools: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  await Promise.all(tools.map((t) => t.close()));
});

function tool(options: WebFetchOptions = {}) {
  const t = createWebFetchTool(options);
  tools.push(t);
  return t;
}

function fetchUrl(
  url: string,
  limits?: Partial<ToolLimits>,
  options: WebFetchOptions = {},
  extra = {},
): Promise<ToolResult> {
  return tool(options).run({ url, ...extra }, context(limits));
}

function expectRefused(result: ToolResult, ...parts: string[]) {
  expect(result.ok).toBe(false);
  expect(result.error?.code).toBe('FETCH_BLOCKED');
  for (const part of parts) expect(result.content).toContain(part);
}

describe('content', () => {
  it('turns an HTML article into Markdown without scripts, styles or navigation', async () => {
    const result = await fetchUrl(`${fixture.base}/page.html`);
    expect(result.ok).toBe(true);
    expect(result.content).toContain(`URL: ${fixture.base}/page.html`);
    expect(result.content).toContain('Title: Varnholm - Gazetteer');
    expect(result.content).toContain('Type: text/html');
    expect(result.content).toContain(`[Edda Marsk](${fixture.base}/people/edda)`);
    expect(result.content).toContain('## Today');
    expect(result.content).toMatch(/-\s+University of Kessendal/);
    expect(result.content).not.toContain('secret-script-text');
    expect(result.content).not.toContain('color:red');
    expect(result.content).not.toContain('Gazetteer footer');
  });

  it('converts the whole body when there is no article, with absolute links', async () => {
    const result = await fetchUrl(`${fixture.base}/short.html`);
    expect(result.content).toContain('Tide');
    expect(result.content).toContain('14:05');
    expect(result.content).toContain(`[next](${fixture.base}/next.html)`);
  });

  it('pretty-prints JSON', async () => {
    const result = await fetchUrl(`${fixture.base}/data.json`);
    expect(result.content).toContain('{\n  "city": "Varnholm",\n  "founded": 1412,');
  });

  it('passes plain text through and decodes its charset', async () => {
    const plain = await fetchUrl(`${fixture.base}/plain.txt`);
    expect(plain.content).toContain('Plain text, passed as it is.\n  Indented line.');
    const latin = await fetchUrl(`${fixture.base}/latin1.txt`);
    expect(latin.content).toContain('Sond ø');
  });

  it('reads a body without a content type by sniffing it', async () => {
    const result = await fetchUrl(`${fixture.base}/untyped`);
    expect(result.ok).toBe(true);
    expect(result.content).toContain('no type set');
  });

  it('decodes gzip, brotli and deflate bodies', async () => {
    expect((await fetchUrl(`${fixture.base}/gzip.html`)).content).toContain('Edda Marsk');
    expect((await fetchUrl(`${fixture.base}/br.json`)).content).toContain('"a": 1');
    expect((await fetchUrl(`${fixture.base}/deflate.txt`)).content).toContain('deflated text');
  });

  it('refuses binary types with a message naming the type', async () => {
    const result = await fetchUrl(`${fixture.base}/image.png`);
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('FETCH_UNSUPPORTED_TYPE');
    expect(result.content).toContain(`${fixture.base}/image.png is image/png content`);
  });

  it('refuses binary data sent as text', async () => {
    const result = await fetchUrl(`${fixture.base}/pretend.txt`);
    expect(result.error?.code).toBe('FETCH_UNSUPPORTED_TYPE');
    expect(result.content).toContain('holds binary data');
  });

  it('reports HTTP errors of the site to the model', async () => {
    const missing = await fetchUrl(`${fixture.base}/missing`);
    expect(missing.ok).toBe(false);
    expect(missing.error).toEqual({
      code: 'FETCH_HTTP_ERROR',
      message: `${fixture.base}/missing answered HTTP 404 Not Found`,
    });
    const broken = await fetchUrl(`${fixture.base}/broken`);
    expect(broken.content).toBe(`${fixture.base}/broken answered HTTP 500 Internal Server Error`);
  });

  it('counts fetched bytes and hosts as usage', async () => {
    const result = await fetchUrl(`${fixture.base}/data.json`);
    expect(result.usage).toEqual({ fetched_bytes: 48, hosts: ['127.0.0.1'] });
  });
});

describe('pagination and the cache', () => {
  it('pages a long document with a footer naming the next offset', async () => {
    const fetcher = tool();
    const url = `${fixture.base}/long.txt`;
    const first = await fetcher.run({ url, max_chars: 5000 }, context());
    expect(first.content).toContain('Line 000 of the long document.');
    expect(first.content).toContain(
      `[Characters 0-5000 of ${LONG_TEXT.length}. For more, call web_fetch with {"url": "${url}", "offset": 5000}.]`,
    );
    const second = await fetcher.run({ url, max_chars: 5000, offset: 5000 }, context());
    expect(second.content).toContain(LONG_TEXT.slice(5000, 5100));
    expect(second.content).not.toContain('Line 000 ');
    const last = await fetcher.run({ url, max_chars: 100_000, offset: 10_000 }, context());
    expect(last.content).toContain(`the end of the document.]`);
    expect(last.content).toContain('Line 399 of the long document.');
    const past = await fetcher.run({ url, offset: 50_000 }, context());
    expect(past.ok).toBe(false);
    expect(past.content).toContain(`offset 50000 is past the end of ${url}`);
    expect(fixture.hits.get('/long.txt')).toBe(1);
    expect(second.usage?.fetched_bytes).toBe(0);
  });

  it('keeps a page within the output limit of the call', async () => {
    const result = await fetchUrl(`${fixture.base}/long.txt`, { output_bytes: 2000 });
    expect(Buffer.byteLength(result.content)).toBeLessThanOrEqual(2000);
    expect(result.content).toMatch(/"offset": \d+\}\.\]$/);
  });

  it('does not serve a cached private page to a call without the allowance', async () => {
    const fetcher = tool();
    const url = `${fixture.base}/plain.txt`;
    expect((await fetcher.run({ url }, context())).ok).toBe(true);
    const denied = await fetcher.run({ url }, context({ private_network: [] }));
    expectRefused(denied, '127.0.0.1');
  });
});

describe('redirects', () => {
  it('follows redirects and names the final URL', async () => {
    const result = await fetchUrl(`${fixture.base}/redirect`);
    expect(result.ok).toBe(true);
    expect(result.content).toContain(
      `URL: ${fixture.base}/page.html (redirected from ${fixture.base}/redirect)`,
    );
    const chain = await fetchUrl(`${fixture.base}/redirect-chain`);
    expect(chain.content).toContain('Plain text');
  });

  it('stops after five redirects', async () => {
    const result = await fetchUrl(`${fixture.base}/loop`);
    expect(result.error?.code).toBe('FETCH_TOO_MANY_REDIRECTS');
    expect(result.content).toContain('redirected more than 5 times');
    expect(fixture.hits.get('/loop')).toBe(6);
  });

  it.each([
    ['http://127.0.0.2:PORT/page.html', '127.0.0.2', 'loopback'],
    ['http://[::1]:PORT/page.html', '::1', 'loopback'],
    ['http://[::ffff:127.0.0.2]:PORT/', '::ffff:7f00:2', 'loopback'],
    ['http://2130706434:PORT/', '127.0.0.2', 'loopback'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254', 'cloud metadata'],
    ['http://10.0.0.8/', '10.0.0.8', 'private network'],
  ])('refuses a redirect to %s when only 127.0.0.1 is allowed', async (target, address, kind) => {
    const result = await fetchUrl(`${fixture.base}/to?target=${encodeURIComponent(target)}`);
    expectRefused(result, address, kind, `redirected from ${fixture.base}/to`);
  });

  it('refuses a redirect to a host name that resolves to a loopback address', async () => {
    const resolver = async (host: string) => (host === 'sneaky.test' ? ['127.0.0.53'] : []);
    const target = 'http://sneaky.test:PORT/page.html';
    const result = await fetchUrl(
      `${fixture.base}/to?target=${encodeURIComponent(target)}`,
      LOOPBACK,
      { resolver },
    );
    expectRefused(result, '"sneaky.test" (127.0.0.53) is a loopback address');
  });

  it.each(['file:///etc/passwd', 'ftp://example.com/x', 'gopher://example.com/'])(
    'refuses a redirect to the scheme of %s',
    async (target) => {
      const result = await fetchUrl(`${fixture.base}/to?target=${encodeURIComponent(target)}`);
      expectRefused(result, 'only http and https URLs can be fetched');
    },
  );
});

describe('SSRF protection', () => {
  it('refuses 127.0.0.1 under the default limits without sending anything', async () => {
    const result = await fetchUrl(`${fixture.base}/page.html`, { private_network: [] });
    expectRefused(
      result,
      `refused to fetch ${fixture.base}/page.html`,
      'the address 127.0.0.1 is a loopback address',
    );
    expect(fixture.hits.size).toBe(0);
    expect(result.usage).toEqual({ fetched_bytes: 0, hosts: [] });
  });

  it('refuses a host name that resolves to a private address', async () => {
    const resolver = async () => ['192.168.1.10'];
    const result = await fetchUrl('http://intranet.test/', { private_network: [] }, { resolver });
    expectRefused(result, '"intranet.test" (192.168.1.10) is a private network address');
  });

  it('refuses a host name when any one of its addresses is not allowed', async () => {
    const resolver = async () => ['127.0.0.1', '10.0.0.7'];
    const result = await fetchUrl(`http://mixed.test:${fixture.port}/page.html`, LOOPBACK, {
      resolver,
    });
    expectRefused(result, '"mixed.test" (10.0.0.7)');
    expect(fixture.hits.size).toBe(0);
  });

  it('refuses the metadata host name whatever it resolves to', async () => {
    const resolver = async () => ['8.8.8.8'];
    const result = await fetchUrl(
      'http://metadata.google.internal/computeMetadata/v1/',
      { private_network: [] },
      { resolver },
    );
    expectRefused(result, '"metadata.google.internal" (8.8.8.8) is a cloud metadata address');
  });

  it.each([
    ['http://[::1]/', '::1'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1'],
    ['http://[::ffff:a9fe:a9fe]/', 'cloud metadata'],
    ['http://[fd00:ec2::254]/', 'cloud metadata'],
    ['http://169.254.169.254/', 'cloud metadata'],
    ['http://[64:ff9b::a00:1]/', 'private network'],
    ['http://[fe80::1]/', 'link-local'],
    ['http://[fc00::5]/', 'private network'],
    ['http://0x7f.1/', '127.0.0.1'],
    ['http://2130706433/', '127.0.0.1'],
    ['http://017700000001/', '127.0.0.1'],
    ['http://0.0.0.0/', 'unspecified'],
    ['http://[::]/', 'unspecified'],
    ['http://100.64.0.1/', 'carrier-grade NAT'],
    ['http://224.0.0.1/', 'multicast'],
  ])('refuses %s (%s)', async (url, part) => {
    const resolver = async () => {
      throw new Error('an address literal must not be resolved');
    };
    const result = await fetchUrl(url, { private_network: [] }, { resolver });
    expectRefused(result, part);
  });

  it.each([
    'file:///etc/passwd',
    'ftp://example.com/',
    'gopher://example.com/',
    'data:text/plain,hi',
    'javascript:alert(1)',
  ])('refuses the non-http URL %s', async (url) => {
    const result = await fetchUrl(url, { private_network: [] });
    expectRefused(result, 'only http and https URLs can be fetched');
  });

  it('connects to the checked address instead of resolving the name again', async () => {
    let lookups = 0;
    const resolver = async (host: string) => {
      lookups++;
      return host === 'pinned.test' ? ['127.0.0.1'] : [];
    };
    const result = await fetchUrl(`http://pinned.test:${fixture.port}/plain.txt`, LOOPBACK, {
      resolver,
    });
    expect(result.ok).toBe(true);
    expect(result.usage?.hosts).toEqual(['pinned.test']);
    expect(lookups).toBe(1);
  });

  it('reports a name that does not resolve', async () => {
    const resolver = async () => {
      throw Object.assign(new Error('queryA ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    const result = await fetchUrl('http://nowhere.test/', {}, { resolver });
    expect(result.error?.code).toBe('FETCH_DNS');
    expect(result.content).toContain(
      'cannot resolve the host "nowhere.test" of http://nowhere.test/ (ENOTFOUND)',
    );
  });
});

describe('limits', () => {
  it('times out a server that sends no headers, within the call time limit', async () => {
    const result = await fetchUrl(`${fixture.base}/slow-headers`, { timeout_ms: 300 });
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('FETCH_TIMEOUT');
    expect(result.content).toContain(
      `${fixture.base}/slow-headers did not finish within the time limit`,
    );
  });

  it('times out a body that stalls', async () => {
    const result = await fetchUrl(`${fixture.base}/slow-body`, {}, { bodyTimeoutMs: 200 });
    expect(result.error?.code).toBe('FETCH_TIMEOUT');
    expect(result.content).toContain('stopped sending its body for 200 ms');
  });

  it('cuts an oversized body and says so', async () => {
    const result = await fetchUrl(`${fixture.base}/big.txt`, {}, { maxBytes: 100_000 });
    expect(result.ok).toBe(true);
    expect(result.content).toContain('Note: the response was cut at 100000 bytes');
    expect(result.usage?.fetched_bytes).toBeLessThan(1024 * 1024);
    expect(result.data).toMatchObject({ total_chars: 100_000 });
  });

  it.each(['/bomb.txt', '/br-bomb.txt'])(
    'cuts the decompression of %s at the cap',
    async (path) => {
      const result = await fetchUrl(`${fixture.base}${path}`, {}, { maxDecodedBytes: 1024 * 1024 });
      expect(result.ok).toBe(true);
      expect(result.content).toContain('Note: the decompressed body was cut at 1048576 bytes');
      expect(result.data).toMatchObject({ total_chars: 1024 * 1024 });
    },
  );

  it('reports a refused connection', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    const result = await fetchUrl(`http://127.0.0.1:${port}/`);
    expect(result.error?.code).toBe('FETCH_FAILED');
    expect(result.content).toBe(`could not fetch http://127.0.0.1:${port}/: ECONNREFUSED`);
  });

  it('throws when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = tool().run(
      { url: `${fixture.base}/slow-headers` },
      context(LOOPBACK, controller.signal),
    );
    setTimeout(() => controller.abort(), 50);
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AssayError);
    expect((error as AssayError).code).toBe('ABORTED');
  });
});

describe('corpus URLs', () => {
  it('reads a local search result through its corpus URL', async () => {
    const search = createWebSearchTool({
      backend: 'local',
      cacheDir: `${process.env['TMPDIR'] ?? '/tmp'}/assay-fetch-test-cache`,
    });
    const found = await search.run({ query: 'Who founded Varnholm' }, context());
    const url = (found.data as { results: { url: string }[] }).results[0]!.url;
    expect(url).toBe('corpus://places/varnholm.md');
    const page = await tool({ corpusDir: 'tools/web-search/corpus' }).run(
      { url },
      context({ private_network: [] }),
    );
    expect(page.ok).toBe(true);
    expect(page.content).toContain(
      'Varnholm was founded in 1412 by the salt merchant **Edda Marsk**',
    );
    expect(page.usage?.hosts).toEqual([]);
    const html = await tool({ corpusDir: 'tools/web-search/corpus' }).run(
      { url: 'corpus://inventions/pellan-cell.html' },
      context(),
    );
    expect(html.content).toContain('Title: Pellan cell - Kessendal Encyclopedia of Science');
    expect(html.content).toContain('**1.3 volts**');
  });

  it('refuses corpus URLs without a corpus and paths that leave it', async () => {
    const none = await tool().run({ url: 'corpus://places/varnholm.md' }, context());
    expectRefused(none, 'readable only with the local search back end');
    const outside = await tool({ corpusDir: 'tools/web-search/corpus' }).run(
      { url: 'corpus://places/../../package.json' },
      context(),
    );
    expect(outside.ok).toBe(false);
    expect(outside.content).toContain('malformed corpus URL');
  });
});
