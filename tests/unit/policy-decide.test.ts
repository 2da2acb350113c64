import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/policy/load.js';
import type { PolicyDecision } from '../../src/policy/types.js';

function policy(yaml: string) {
  return parsePolicy(`version: 1\n${yaml}`, 'test.yaml');
}

async function decide(
  yaml: string,
  tool: string,
  args: Record<string, unknown>,
  options: { step?: number; interactive?: boolean; tainted?: boolean } = {},
): Promise<PolicyDecision> {
  const session = policy(yaml).startEpisode(
    { prompt: '', interactive: options.interactive ?? false },
    { tainted: options.tainted ?? false },
  );
  return session.decide({ tool, args, step: options.step ?? 1 });
}

describe('precedence', () => {
  const rules = `
rules:
  - id: allow-fetch
    tool: web_fetch
    effect: allow
  - id: ask-example
    tool: web_fetch
    effect: ask
    when: { host: "*.example.org" }
  - id: deny-secret
    tool: web_fetch
    effect: deny
    when: { path: "/secret/**" }
`;

  it('lets deny win over ask and allow whatever their order', async () => {
    const d = await decide(rules, 'web_fetch', { url: 'https://a.example.org/secret/x' });
    expect(d).toMatchObject({
      decision: 'deny',
      effect: 'deny',
      rule: 'deny-secret',
      clamps: null,
    });
    expect(d.matched).toEqual(['allow-fetch', 'ask-example', 'deny-secret']);
  });

  it('lets ask win over allow', async () => {
    const d = await decide(rules, 'web_fetch', { url: 'https://a.example.org/page' });
    expect(d).toMatchObject({
      effect: 'ask',
      rule: 'ask-example',
      decision: 'deny',
      answered_by: 'batch_ask',
    });
  });

  it('allows when only allow rules match', async () => {
    const d = await decide(rules, 'web_fetch', { url: 'https://other.net/' });
    expect(d).toMatchObject({
      decision: 'allow',
      effect: 'allow',
      rule: 'allow-fetch',
      matched: ['allow-fetch'],
    });
  });

  it('applies the default effect when no rule matches, deny unless the file says otherwise', async () => {
    const denied = await decide(rules, 'python', { code: '1' });
    expect(denied).toMatchObject({ decision: 'deny', rule: 'default', matched: [] });
    expect(denied.reason).toContain('python is not allowed by this policy at all');
    const allowed = await decide('default: allow\n', 'python', { code: '1' });
    expect(allowed).toMatchObject({ decision: 'allow', rule: 'default' });
    expect(allowed.clamps).not.toBeNull();
  });

  it('tells the model what the policy allows instead when the default denies', async () => {
    const yaml = `
rules:
  - id: fetch-docs
    tool: web_fetch
    effect: allow
    when: { host: docs.python.org, scheme: https }
    reason: https pages on docs.python.org
`;
    const d = await decide(yaml, 'web_fetch', { url: 'https://evil.example/' });
    expect(d.reason).toBe(
      'No rule allows this web_fetch call and the policy denies everything else. ' +
        'Allowed web_fetch calls: https pages on docs.python.org (rule fetch-docs). (default: deny)',
    );
  });

  it('gives a deny rule without a reason one that names its conditions', async () => {
    const d = await decide(rules, 'web_fetch', { url: 'https://x.org/secret/a' });
    expect(d.reason).toBe(
      'Rule "deny-secret" forbids web_fetch calls where URL path matches /secret/**. (rule deny-secret)',
    );
  });
});

describe('unless', () => {
  const yaml = `
default: allow
rules:
  - id: no-private
    tool: web_fetch
    effect: deny
    when: { private_network: true }
    unless:
      - { host: "127.0.0.1", port: 8080 }
      - { host: "*.localhost" }
    reason: no private hosts
`;

  it('exempts calls that satisfy every condition of one unless block', async () => {
    expect((await decide(yaml, 'web_fetch', { url: 'http://127.0.0.1:8080/x' })).decision).toBe(
      'allow',
    );
    expect((await decide(yaml, 'web_fetch', { url: 'http://api.localhost/x' })).decision).toBe(
      'allow',
    );
  });

  it('still denies when only part of an unless block holds', async () => {
    const d = await decide(yaml, 'web_fetch', { url: 'http://127.0.0.1:9090/x' });
    expect(d).toMatchObject({
      decision: 'deny',
      rule: 'no-private',
      reason: 'no private hosts (rule no-private)',
    });
  });

  it('can carve an exception out of a broad deny, which first-match systems cannot', async () => {
    const broad = `
default: allow
rules:
  - id: no-fetch-except-docs
    tool: web_fetch
    effect: deny
    unless: { host: docs.python.org }
`;
    expect((await decide(broad, 'web_fetch', { url: 'https://docs.python.org/3/' })).decision).toBe(
      'allow',
    );
    expect((await decide(broad, 'web_fetch', { url: 'https://pypi.org/' })).decision).toBe('deny');
  });
});

describe('conditions', () => {
  const deny = (when: string) =>
    `default: allow\nrules:\n  - id: r\n    tool: "*"\n    effect: deny\n    when: ${when}\n`;
  const denied = async (when: string, tool: string, args: Record<string, unknown>, options = {}) =>
    (await decide(deny(when), tool, args, options)).decision === 'deny';

  it('sees through other spellings of private addresses', async () => {
    const when = '{ private_network: true }';
    for (const url of [
      'http://127.0.0.1/',
      'http://2130706433/',
      'http://0x7f.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.1.2.3/',
      'http://100.64.0.1/',
      'http://LOCALHOST./',
      'http://0.0.0.0/',
      'http://[fd00:ec2::254]/',
    ]) {
      expect(await denied(when, 'web_fetch', { url }), url).toBe(true);
    }
    for (const url of ['https://example.org/', 'http://8.8.8.8/', 'http://[2606:4700::1111]/']) {
      expect(await denied(when, 'web_fetch', { url }), url).toBe(false);
    }
  });

  it('matches scheme, host glob, port and path', async () => {
    expect(await denied('{ scheme: http }', 'web_fetch', { url: 'HTTP://x.org/' })).toBe(true);
    expect(await denied('{ scheme: http }', 'web_fetch', { url: 'https://x.org/' })).toBe(false);
    expect(
      await denied('{ host: "*.Example.org" }', 'web_fetch', { url: 'https://a.b.example.ORG/' }),
    ).toBe(true);
    expect(
      await denied('{ host: "*.example.org" }', 'web_fetch', { url: 'https://example.org/' }),
    ).toBe(false);
    expect(await denied('{ port: 443 }', 'web_fetch', { url: 'https://x.org/' })).toBe(true);
    expect(
      await denied('{ port: [8080, 8443] }', 'web_fetch', { url: 'https://x.org:8443/' }),
    ).toBe(true);
    expect(await denied('{ path: "/a/*" }', 'web_fetch', { url: 'https://x.org/a/b' })).toBe(true);
    expect(await denied('{ path: "/a/*" }', 'web_fetch', { url: 'https://x.org/a/b/c' })).toBe(
      false,
    );
  });

  it('never matches URL conditions for a call without a parseable url', async () => {
    expect(await denied('{ private_network: false }', 'web_fetch', { url: 'not a url' })).toBe(
      false,
    );
    expect(await denied('{ scheme: https }', 'web_search', { query: 'https' })).toBe(false);
  });

  it('matches the code language, the requested timeout and the step', async () => {
    expect(await denied('{ language: python }', 'python', { code: '' })).toBe(true);
    expect(await denied('{ language: python }', 'javascript', { code: '' })).toBe(false);
    expect(await denied('{ language: bash }', 'python', { code: '', language: 'Bash' })).toBe(true);
    expect(await denied('{ timeout_s: { gt: 30 } }', 'python', { code: '', timeout_s: 60 })).toBe(
      true,
    );
    expect(
      await denied('{ timeout_s: { gt: 30 } }', 'python', { code: '', timeout_ms: 20_000 }),
    ).toBe(false);
    expect(await denied('{ timeout_s: { gt: 30 } }', 'python', { code: '' })).toBe(false);
    expect(await denied('{ step: { gte: 5 } }', 'calculator', {}, { step: 5 })).toBe(true);
    expect(await denied('{ step: { gte: 5 } }', 'calculator', {}, { step: 4 })).toBe(false);
  });

  it('matches a regex, a glob, a value or presence of a named argument', async () => {
    const regex = '{ args: { query: { regex: "password|secret", flags: i } } }';
    expect(await denied(regex, 'web_search', { query: 'leaked SECRET keys' })).toBe(true);
    expect(await denied(regex, 'web_search', { query: 'weather' })).toBe(false);
    expect(
      await denied('{ args: { code: { glob: "import os*" } } }', 'python', {
        code: 'import os\nx',
      }),
    ).toBe(true);
    expect(
      await denied('{ args: { code: { glob: "import os*" } } }', 'python', { code: 'x = 1' }),
    ).toBe(false);
    expect(
      await denied('{ args: { code: { regex: "import\\\\s+os" } } }', 'python', {
        code: 'import  os',
      }),
    ).toBe(true);
    expect(await denied('{ args: { mode: { equals: raw } } }', 'web_fetch', { mode: 'raw' })).toBe(
      true,
    );
    expect(
      await denied('{ args: { headers: { present: true } } }', 'web_fetch', { url: 'x' }),
    ).toBe(false);
    expect(await denied('{ args: { n: { gt: 10 } } }', 'web_search', { n: 11 })).toBe(true);
    expect(await denied('{ args: { n: { gt: 10 } } }', 'web_search', { n: '11' })).toBe(false);
  });

  it('reads only arguments the call really has, never inherited ones', async () => {
    const args = Object.create({ query: 'secret' }) as Record<string, unknown>;
    expect(await denied('{ args: { query: { regex: secret } } }', 'web_search', args)).toBe(false);
  });

  it('matches the run mode and taint', async () => {
    expect(await denied('{ mode: batch }', 'calculator', {}, { interactive: false })).toBe(true);
    expect(await denied('{ mode: batch }', 'calculator', {}, { interactive: true })).toBe(false);
    expect(await denied('{ tainted: true }', 'calculator', {}, { tainted: true })).toBe(true);
    expect(await denied('{ tainted: true }', 'calculator', {}, { tainted: false })).toBe(false);
  });
});

describe('clamps', () => {
  it('gives an allow without limits the safe defaults', async () => {
    const d = await decide('rules:\n  - { id: a, tool: python, effect: allow }\n', 'python', {
      code: '',
    });
    expect(d.clamps).toEqual({
      timeout_ms: 30_000,
      cpu_ms: 30_000,
      memory_mb: 512,
      cpus: 1,
      output_bytes: 16_384,
      network: false,
      private_network: [],
    });
  });

  it('takes the most restrictive value named by any matching rule', async () => {
    const yaml = `
limits:
  defaults: { output_bytes: 1000 }
rules:
  - id: a
    tool: python
    effect: allow
    limits: { timeout_ms: 60000, memory_mb: 256, network: true }
  - id: b
    tool: python
    effect: allow
    when: { tainted: true }
    limits: { timeout_ms: 10000, network: false }
`;
    const clean = await decide(yaml, 'python', { code: '' });
    expect(clean.clamps).toMatchObject({
      timeout_ms: 60_000,
      cpu_ms: 60_000,
      memory_mb: 256,
      network: true,
      output_bytes: 1000,
    });
    const tainted = await decide(yaml, 'python', { code: '' }, { tainted: true });
    expect(tainted.clamps).toMatchObject({
      timeout_ms: 10_000,
      cpu_ms: 10_000,
      memory_mb: 256,
      network: false,
    });
  });

  it('grants private network ranges only where every naming rule grants them', async () => {
    const yaml = `
rules:
  - id: a
    tool: web_fetch
    effect: allow
    limits: { private_network: [127.0.0.0/8, 10.0.0.0/8] }
  - id: b
    tool: web_fetch
    effect: allow
    when: { host: "10.*" }
    limits: { private_network: [10.0.0.0/8] }
`;
    expect(
      (await decide(yaml, 'web_fetch', { url: 'http://127.0.0.1/' })).clamps?.private_network,
    ).toEqual(['127.0.0.0/8', '10.0.0.0/8']);
    expect(
      (await decide(yaml, 'web_fetch', { url: 'http://10.0.0.1/' })).clamps?.private_network,
    ).toEqual(['10.0.0.0/8']);
    const none = await decide(
      'rules:\n  - { id: a, tool: web_fetch, effect: allow }\n',
      'web_fetch',
      { url: 'http://10.0.0.1/' },
    );
    expect(none.clamps?.private_network).toEqual([]);
  });

  it('keeps cpu time within the timeout', async () => {
    const yaml =
      'rules:\n  - { id: a, tool: javascript, effect: allow, limits: { timeout_ms: 2000, cpu_ms: 5000 } }\n';
    expect((await decide(yaml, 'javascript', { code: '' })).clamps).toMatchObject({
      timeout_ms: 2000,
      cpu_ms: 2000,
    });
  });
});
