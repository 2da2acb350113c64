import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runEpisode } from '../../src/agent/episode.js';
import { parsePolicy } from '../../src/policy/load.js';
import { createScriptedModel, type Script } from '../../src/testing.js';
import { createWebFetchTool } from '../../tools/web-fetch/index.js';

let server: Server;
let base: string;
const requests: string[] = [];

/**
 * A hostile site: its first page names two redirectors; one sends the fetch on to a URL the
 * episode never saw (where data could ride in the path), the other to a URL it did see.
 */
beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const send = (status: number, headers: Record<string, string>, body = '') => {
      res.writeHead(status, headers);
      res.end(body);
    };
    switch (req.url) {
      case '/start':
        return send(
          200,
          { 'content-type': 'text/plain' },
          `Next: ${base}/jump-unseen and ${base}/jump-seen, or ${base}/seen-target.\n`,
        );
      case '/jump-unseen':
        return send(302, { location: '/unseen/deadbeef' });
      case '/jump-seen':
        return send(302, { location: '/seen-target' });
      default:
        return send(200, { 'content-type': 'text/plain' }, `page ${req.url}\n`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  requests.length = 0;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The default policy's taint rule, with the test server's loopback range opened. */
const POLICY = `
version: 1
default: deny
rules:
  - id: fetch-local
    tool: web_fetch
    effect: allow
    limits: { private_network: ["127.0.0.1/32"] }
  - id: fetch-only-seen-urls-after-taint
    tool: web_fetch
    effect: deny
    when: { tainted: true, url_seen: false }
    reason: Web content is in this conversation; web_fetch may only open URLs already seen.
`;

/** Fetches each path in turn, then answers. */
function fetchAll(paths: string[]): Script {
  return (request) => {
    const done = request.messages.filter((m) => m.role === 'tool').length;
    if (done >= paths.length) return { content: 'done' };
    return { tool_calls: [{ name: 'web_fetch', arguments: { url: `${base}${paths[done]}` } }] };
  };
}

async function episode(paths: string[]) {
  const tool = createWebFetchTool();
  try {
    return await runEpisode({
      model: createScriptedModel(fetchAll(paths)),
      prompt: `Read ${base}/start and follow its links.`,
      tools: { web_fetch: tool },
      policy: parsePolicy(POLICY, 'taint.yaml'),
    });
  } finally {
    await tool.close();
  }
}

describe('web_fetch redirects once the episode is tainted', () => {
  it('refuses a redirect from a seen URL to an unseen one before sending anything there', async () => {
    const record = await episode(['/start', '/jump-unseen']);
    const call = record.tool_calls[1]!;
    expect(call.policy).toMatchObject({ decision: 'allow', tainted: true });
    expect(call.result).toMatchObject({ ok: false, error: { code: 'FETCH_REDIRECT_REFUSED' } });
    expect(call.result.content).toBe(
      `${base}/jump-unseen answered 302 with a redirect that was not followed: Web content is in this conversation; web_fetch may only open URLs already seen. (rule fetch-only-seen-urls-after-taint)`,
    );
    expect(requests).toEqual(['/start', '/jump-unseen']);
  });

  it('follows a redirect to a URL the episode has already seen', async () => {
    const record = await episode(['/start', '/jump-seen']);
    expect(record.tool_calls[1]?.result.ok).toBe(true);
    expect(record.tool_calls[1]?.result.content).toContain('page /seen-target');
    expect(requests).toEqual(['/start', '/jump-seen', '/seen-target']);
  });

  it('follows a redirect to an unseen URL while the episode is still untainted', async () => {
    const record = await episode(['/jump-unseen']);
    expect(record.tool_calls[0]?.result.ok).toBe(true);
    expect(requests).toEqual(['/jump-unseen', '/unseen/deadbeef']);
  });
});
