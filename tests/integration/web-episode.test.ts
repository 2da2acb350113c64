import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runEpisode } from '../../src/agent/episode.js';
import { loadBuiltinPolicy } from '../../src/policy/builtin.js';
import { parsePolicy } from '../../src/policy/load.js';
import { createScriptedModel, type Script } from '../../src/testing.js';
import { createWebFetchTool } from '../../tools/web-fetch/index.js';
import { createWebSearchTool } from '../../tools/web-search/index.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'assay-web-episode-'));
const fetchTool = createWebFetchTool({ corpusDir: 'tools/web-search/corpus' });

afterAll(async () => {
  await fetchTool.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

function tools() {
  return {
    web_search: createWebSearchTool({ backend: 'local', cacheDir }),
    web_fetch: fetchTool,
  };
}

/** Searches, opens the first result, and answers with the founder named on that page. */
const searchFetchAnswer: Script = (request) => {
  const toolMessages = request.messages.filter((m) => m.role === 'tool');
  if (toolMessages.length === 0) {
    return { tool_calls: [{ name: 'web_search', arguments: { query: 'Who founded Varnholm' } }] };
  }
  const last = String(toolMessages.at(-1)?.content ?? '');
  if (toolMessages.length === 1) {
    const url = /corpus:\/\/\S+/.exec(last)?.[0] ?? 'missing';
    return { tool_calls: [{ name: 'web_fetch', arguments: { url } }] };
  }
  const founder = /founded in \d+ by the salt merchant \*\*([^*]+)\*\*/.exec(last)?.[1];
  return { content: founder ?? `no founder in: ${last.slice(0, 200)}` };
};

/** Searches and answers with the founder named in the first snippet. */
const searchAnswer: Script = (request) => {
  const result = request.messages.find((m) => m.role === 'tool');
  if (!result) {
    return { tool_calls: [{ name: 'web_search', arguments: { query: 'Who founded Varnholm' } }] };
  }
  const founder = /founded in \d+ by the salt merchant ([A-Z]\w+ [A-Z]\w+)/.exec(
    String(result.content),
  );
  return { content: founder?.[1] ?? 'not found' };
};

/** A policy that also lets web_fetch open corpus URLs, as `--search local` needs. */
const CORPUS_POLICY = `
version: 1
default: deny
batch_ask: deny
rules:
  - id: search
    tool: web_search
    effect: allow
  - id: fetch-corpus
    tool: web_fetch
    effect: allow
    when: { scheme: [corpus] }
`;

describe('web tools in an episode', () => {
  it('answers the offline Varnholm question from search results under the default policy', async () => {
    const record = await runEpisode({
      model: createScriptedModel(searchAnswer),
      prompt: 'Who founded the fictional city of Varnholm?',
      tools: tools(),
      policy: await loadBuiltinPolicy('default'),
    });
    expect(record.tool_calls.map((c) => [c.name, c.policy?.decision, c.result.ok])).toEqual([
      ['web_search', 'allow', true],
    ]);
    expect(record.final_answer).toBe('Edda Marsk');
  });

  it('opens a search result through its corpus URL when the policy allows that scheme', async () => {
    const record = await runEpisode({
      model: createScriptedModel(searchFetchAnswer),
      prompt: 'Who founded the fictional city of Varnholm?',
      tools: tools(),
      policy: parsePolicy(CORPUS_POLICY, 'corpus-policy.yaml'),
    });
    expect(record.tool_calls.map((c) => [c.name, c.policy?.decision, c.result.ok])).toEqual([
      ['web_search', 'allow', true],
      ['web_fetch', 'allow', true],
    ]);
    expect(record.tool_calls[1]?.arguments).toEqual({ url: 'corpus://places/varnholm.md' });
    expect(record.final_answer).toBe('Edda Marsk');
  });

  it('keeps web_fetch away from the loopback address under the default policy', async () => {
    const script: Script = (request) =>
      request.messages.some((m) => m.role === 'tool')
        ? { content: 'done' }
        : { tool_calls: [{ name: 'web_fetch', arguments: { url: 'http://127.0.0.1:9/admin' } }] };
    const record = await runEpisode({
      model: createScriptedModel(script),
      prompt: 'Open http://127.0.0.1:9/admin',
      tools: tools(),
      policy: await loadBuiltinPolicy('default'),
    });
    const call = record.tool_calls[0];
    expect(call?.policy).toMatchObject({ decision: 'deny', rule: 'fetch-no-private-network' });
    expect(call?.result.ok).toBe(false);
  });
});
