import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InfraError, UsageError } from '../../src/core/errors.js';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import type { ToolContext } from '../../src/core/tool.js';
import {
  createSearchBackend,
  createWebSearchTool,
  type LocalSearchBackend,
  type SearchResult,
} from '../../tools/web-search/index.js';
import { stem } from '../../tools/web-search/local-index.js';

function context(outputBytes = DEFAULT_LIMITS.output_bytes): ToolContext {
  return {
    signal: new AbortController().signal,
    limits: { ...DEFAULT_LIMITS, output_bytes: outputBytes },
    resources: { acquire: (_key, create) => create() },
    episodeId: 'episode-1',
    step: 1,
  };
}

let temp: string;

beforeEach(() => {
  temp = mkdtempSync(join(tmpdir(), 'assay-search-'));
});

afterEach(() => {
  rmSync(temp, { recursive: true, force: true });
});

function localBackend(corpusDir?: string): LocalSearchBackend {
  const options = {
    backend: 'local' as const,
    cacheDir: join(temp, 'cache'),
    refreshIntervalMs: 0,
  };
  return createSearchBackend(
    corpusDir === undefined ? options : { ...options, corpusDir },
  ) as LocalSearchBackend;
}

async function search(backend: LocalSearchBackend, query: string): Promise<SearchResult[]> {
  return backend.search(query, 5, new AbortController().signal);
}

describe('the local back end on the example corpus', () => {
  it.each([
    ['Who founded the fictional city of Varnholm?', 'corpus://places/varnholm.md'],
    ['Pellan cell voltage', 'corpus://inventions/pellan-cell.html'],
    ['capital of Kessendal province', 'corpus://places/torvik.md'],
    ['Greywick lighthouse', 'corpus://places/sound-of-merrow.html'],
    ['loom with punched cards', 'corpus://inventions/selwick-loom.md'],
    ['Edda Marsk birth', 'corpus://people/edda-marsk.md'],
  ])('ranks the document about the subject first for "%s"', async (query, url) => {
    const results = await search(localBackend(), query);
    expect(results[0]?.url).toBe(url);
  });

  it('titles documents by <title>, first heading or file name, and strips markup', async () => {
    const backend = localBackend();
    const [html] = await search(backend, 'Pellan cell voltage');
    expect(html?.title).toBe('Pellan cell - Kessendal Encyclopedia of Science');
    expect(html?.snippet).toContain('A single Pellan cell produces 1.3 volts.');
    expect(html?.snippet).not.toMatch(/<|>|analytics/);
    const [markdown] = await search(backend, 'Tidebell Tower bells');
    expect(markdown?.title).toBe('Tidebell Tower');
    expect(markdown?.snippet).not.toContain('**');
    const [text] = await search(backend, 'Stave clockwork tide dial');
    expect(text?.title).toBe('stave-clockwork');
  });

  it('answers a query with no matching words with an empty list', async () => {
    expect(await search(localBackend(), 'xylophone quasar')).toEqual([]);
  });
});

describe('stem', () => {
  it.each([
    ['founded', 'found'],
    ['founding', 'found'],
    ['bells', 'bell'],
    ['cities', 'city'],
    ['churches', 'church'],
    ['glass', 'glass'],
    ['1412', '1412'],
    ['sea', 'sea'],
  ])('reduces %s to %s', (word, expected) => {
    expect(stem(word)).toBe(expected);
  });
});

describe('the local index on disk', () => {
  async function makeCorpus(): Promise<string> {
    const dir = join(temp, 'corpus');
    await mkdir(join(dir, 'sub'), { recursive: true });
    await writeFile(join(dir, 'alpha.md'), '# Alpha\n\nThe alpha document is about orchards.\n');
    await writeFile(join(dir, 'sub', 'beta.txt'), 'The beta document is about harbours.\n');
    await writeFile(join(dir, 'ignored.pdf'), 'orchards harbours');
    return dir;
  }

  it('finds new content after a file changes, without a new tool', async () => {
    const dir = await makeCorpus();
    const backend = localBackend(dir);
    expect(await search(backend, 'zeppelin')).toEqual([]);
    writeFileSync(
      join(dir, 'alpha.md'),
      '# Alpha\n\nThe alpha document is now about a zeppelin.\n',
    );
    const past = new Date(Date.now() + 5_000);
    utimesSync(join(dir, 'alpha.md'), past, past);
    const results = await search(backend, 'zeppelin');
    expect(results.map((r) => r.url)).toEqual(['corpus://alpha.md']);
    expect(backend.lastLoad?.source).toBe('built');
  });

  it('answers from the current index while a later check runs, then from the new one', async () => {
    const dir = await makeCorpus();
    const backend = createSearchBackend({
      backend: 'local',
      corpusDir: dir,
      cacheDir: join(temp, 'cache'),
      refreshIntervalMs: 1,
    }) as LocalSearchBackend;
    expect(await search(backend, 'zeppelin')).toEqual([]);
    await writeFile(join(dir, 'zeppelin.md'), '# Zeppelin\n\nA zeppelin over the harbour.\n');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await search(backend, 'zeppelin')).toEqual([]);
    let found: SearchResult[] = [];
    for (let i = 0; i < 100 && found.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      found = await search(backend, 'zeppelin');
    }
    expect(found.map((r) => r.url)).toEqual(['corpus://zeppelin.md']);
  });

  it('indexes added files and forgets deleted ones', async () => {
    const dir = await makeCorpus();
    const backend = localBackend(dir);
    expect((await search(backend, 'harbours')).map((r) => r.url)).toEqual([
      'corpus://sub/beta.txt',
    ]);
    rmSync(join(dir, 'sub', 'beta.txt'));
    await writeFile(join(dir, 'gamma.html'), '<title>Gamma</title><p>Gamma is about harbours.</p>');
    expect((await search(backend, 'harbours')).map((r) => r.url)).toEqual(['corpus://gamma.html']);
  });

  it('leaves out files that are not documents and hidden files', async () => {
    const dir = await makeCorpus();
    await writeFile(join(dir, '.secret.md'), 'orchards');
    const results = await search(localBackend(dir), 'orchards');
    expect(results.map((r) => r.url)).toEqual(['corpus://alpha.md']);
  });

  it('reuses the cached index while the files are unchanged', async () => {
    const dir = await makeCorpus();
    const first = localBackend(dir);
    await search(first, 'orchards');
    expect(first.lastLoad).toMatchObject({ source: 'built', documents: 2 });
    await search(first, 'orchards');
    expect(first.lastLoad?.source).toBe('memory');
    expect(await readdir(join(temp, 'cache'))).toHaveLength(1);

    const second = localBackend(dir);
    const results = await search(second, 'orchards');
    expect(second.lastLoad).toMatchObject({ source: 'cache', documents: 2 });
    expect(results[0]?.url).toBe('corpus://alpha.md');
  });

  it('rebuilds when the cache file is corrupt', async () => {
    const dir = await makeCorpus();
    await search(localBackend(dir), 'orchards');
    const [file] = await readdir(join(temp, 'cache'));
    writeFileSync(join(temp, 'cache', file!), '{"format": "assay-local-index/1", "trunc');
    const backend = localBackend(dir);
    expect((await search(backend, 'orchards'))[0]?.url).toBe('corpus://alpha.md');
    expect(backend.lastLoad?.source).toBe('built');
  });

  it('fails at creation with a usage error naming a missing corpus folder', () => {
    const missing = join(temp, 'nowhere');
    const create = () => createWebSearchTool({ backend: 'local', corpusDir: missing });
    expect(create).toThrow(UsageError);
    expect(create).toThrow(`corpus folder not found: ${missing}`);
  });

  it('throws an infra error naming the folder when it disappears later', async () => {
    const dir = await makeCorpus();
    const backend = localBackend(dir);
    rmSync(dir, { recursive: true });
    const error = await search(backend, 'orchards').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfraError);
    expect((error as Error).message).toContain(`cannot index the corpus folder ${dir}`);
  });
});

describe('the web_search tool with the local back end', () => {
  it('lists results with corpus URLs and keeps the output under the limit', async () => {
    const tool = createWebSearchTool({
      backend: 'local',
      cacheDir: join(temp, 'cache'),
    });
    const full = await tool.run({ query: 'Varnholm', max_results: 5 }, context());
    expect(full.content).toMatch(/^Results for "Varnholm":\n\n1\. /);
    expect(full.content).toContain('   corpus://');
    expect(full.content).toContain('5. ');
    const small = await tool.run({ query: 'Varnholm', max_results: 5 }, context(700));
    expect(Buffer.byteLength(small.content)).toBeLessThanOrEqual(700);
    expect(small.content).toMatch(/\(\d more results left out to fit the output limit\.\)$/);
  });
});

describe('the local index cache', () => {
  it('lives under ASSAY_CACHE_DIR when it is set, like the sandbox cache', async () => {
    const cacheRoot = join(temp, 'assay-cache');
    const backend = createSearchBackend({
      backend: 'local',
      env: { ASSAY_CACHE_DIR: cacheRoot, HOME: join(temp, 'home') },
      refreshIntervalMs: 0,
    }) as LocalSearchBackend;
    await search(backend, 'Varnholm');
    expect((await readdir(join(cacheRoot, 'search'))).length).toBe(1);
  });
});
