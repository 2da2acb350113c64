import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Script } from '../../src/testing.js';
import { traceRecordSchema } from '../../src/trace/schema.js';
import { runCli } from '../support/cli.js';
import { startScriptedServer } from '../support/scripted-server.js';

/**
 * Searches for the question, opens the first result with web_fetch, and answers with the
 * sentence of the page that names a founder: the answer can only come from the corpus.
 */
const researcher: Script = (request) => {
  const last = request.messages.at(-1);
  const question = request.messages.find((m) => m.role === 'user')?.content ?? '';
  if (last?.role === 'user') {
    return { tool_calls: [{ name: 'web_search', arguments: { query: question } }] };
  }
  const text = typeof last?.content === 'string' ? last.content : '';
  const fetched = request.messages.filter((m) => m.role === 'tool').length >= 2;
  if (!fetched) {
    const url = /corpus:\/\/\S+?\.(?:md|txt|html)/.exec(text)?.[0];
    if (url) return { tool_calls: [{ name: 'web_fetch', arguments: { url } }] };
  }
  const sentence = text.split(/(?<=\.)\s+/).find((s) => /founded/i.test(s)) ?? text.slice(0, 200);
  return { content: sentence.trim() };
};

describe('assay run with web tools, offline', () => {
  it('answers a question about the made-up corpus from local search and fetch', async () => {
    await using server = await startScriptedServer({ script: researcher });
    const trace = join(await mkdtemp(join(tmpdir(), 'assay-web-')), 't.jsonl');
    const result = await runCli([
      'run',
      '--base-url',
      server.url,
      '--model',
      'm',
      '--tools',
      'web_search,web_fetch',
      '--search',
      'local',
      '--corpus',
      'tools/web-search/corpus',
      '--trace',
      trace,
      'Who founded the fictional city of Varnholm?',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Edda Marsk');
    const record = traceRecordSchema.parse(JSON.parse((await readFile(trace, 'utf8')).trim()));
    expect(record.tool_calls.map((c) => [c.name, c.policy?.decision, c.result.ok])).toEqual([
      ['web_search', 'allow', true],
      ['web_fetch', 'allow', true],
    ]);
    expect(record.tool_calls[1]?.policy?.rule).toBe('fetch-local-corpus');
  });

  it('refuses a fetch of a private address and tells the model why', async () => {
    const script: Script = (request) =>
      request.messages.at(-1)?.role === 'user'
        ? {
            tool_calls: [
              { name: 'web_fetch', arguments: { url: 'http://169.254.169.254/latest/meta-data/' } },
            ],
          }
        : { content: `refused: ${request.messages.at(-1)?.content}` };
    await using server = await startScriptedServer({ script });
    const trace = join(await mkdtemp(join(tmpdir(), 'assay-web-')), 't.jsonl');
    const result = await runCli([
      'run',
      '--base-url',
      server.url,
      '--model',
      'm',
      '--tools',
      'web_fetch',
      '--trace',
      trace,
      'read the metadata',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Denied by policy');
    expect(result.stdout).toContain('fetch-no-private-network');
    const record = traceRecordSchema.parse(JSON.parse((await readFile(trace, 'utf8')).trim()));
    expect(record.tool_calls[0]?.policy?.decision).toBe('deny');
  });
});
