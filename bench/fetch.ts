/**
 * web_fetch against a local keep-alive server, beside plain `fetch` + `text()` on the same
 * server in the same process: requests per second, sequential and 8 at a time, for a small
 * text body (transport and SSRF checks) and an HTML page (plus Readability and Markdown).
 * The tool runs with `private_network: ['127.0.0.1/32']` and its page cache off.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_LIMITS } from '../src/core/limits.js';
import type { ToolContext } from '../src/core/tool.js';
import { createWebFetchTool } from '../tools/web-fetch/index.js';
import { reportFigures } from './figures.js';

const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 1000);
const CONCURRENCY = 8;
const ROUNDS = 3;

const TEXT = 'Varnholm was founded in 1412 by the salt merchant Edda Marsk.\n'.repeat(32);
const HTML = `<!doctype html><html><head><title>Varnholm</title></head><body>
<nav><a href="/">Home</a></nav><article><h1>Varnholm</h1>
${'<p>Varnholm was founded in 1412 by the salt merchant <a href="/edda">Edda Marsk</a>, who built a warehouse at a ford of the river Ulve.</p>\n'.repeat(24)}
</article><footer>footer</footer></body></html>`;

const server = createServer((req, res) => {
  const html = req.url?.startsWith('/page.html');
  const body = html ? HTML : TEXT;
  res.writeHead(200, {
    'content-type': html ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const tool = createWebFetchTool({ cacheEntries: 0 });
const ctx: ToolContext = {
  signal: new AbortController().signal,
  limits: { ...DEFAULT_LIMITS, private_network: ['127.0.0.1/32'] },
  resources: { acquire: (_key, create) => create() },
  episodeId: 'bench',
  step: 0,
};

let counter = 0;
async function viaTool(path: string): Promise<void> {
  const result = await tool.run({ url: `${base}${path}?n=${counter++}` }, ctx);
  if (!result.ok) throw new Error(result.content);
}
async function viaFetch(path: string): Promise<void> {
  const response = await fetch(`${base}${path}?n=${counter++}`);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  await response.text();
}

async function rate(run: (path: string) => Promise<void>, path: string, concurrency: number) {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < REQUESTS) {
      next++;
      await run(path);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return REQUESTS / ((performance.now() - started) / 1000);
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

try {
  for (const path of ['/small.txt', '/page.html']) {
    for (let i = 0; i < 50; i++) {
      await viaTool(path);
      await viaFetch(path);
    }
  }
  for (const path of ['/small.txt', '/page.html']) {
    for (const concurrency of [1, CONCURRENCY]) {
      const tools: number[] = [];
      const fetches: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        tools.push(await rate(viaTool, path, concurrency));
        fetches.push(await rate(viaFetch, path, concurrency));
      }
      const t = median(tools);
      const f = median(fetches);
      console.log(
        `${path.padEnd(11)} concurrency ${concurrency}: web_fetch ${t.toFixed(0)} req/s, fetch ${f.toFixed(0)} req/s, ratio ${(t / f).toFixed(2)}x`,
      );
      reportFigures('fetch', [
        {
          name: `web_fetch ${path}, concurrency ${concurrency}`,
          value: t,
          unit: 'req/s',
          baseline: f,
          baselineName: 'fetch + text()',
        },
      ]);
    }
  }
} finally {
  await tool.close();
  server.closeAllConnections();
  server.close();
}
