import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { explainCall } from '../../src/policy/explain.js';
import { type PolicyIssue, parsePolicy } from '../../src/policy/load.js';
import { parseUrlFacts } from '../../src/policy/url-facts.js';
import { guardAddress } from '../../tools/web-fetch/address-guard.js';

/** The issues a policy text is rejected with; fails the test when it loads. */
function issuesOf(text: string): PolicyIssue[] {
  try {
    parsePolicy(text, 'attack.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe('POLICY_INVALID');
    return (error as UsageError).details['issues'] as PolicyIssue[];
  }
  throw new Error('the policy loaded but was expected to be rejected');
}

const HEAD = 'version: 1\nrules:\n';

/** A deny rule `a` on the query argument of web_search (line 8), and an allow for the rest. */
function argRule(matcher: string): string {
  return `${HEAD}  - id: a\n    tool: web_search\n    effect: deny\n    when:\n      args:\n        query: ${matcher}\n  - id: search\n    tool: web_search\n    effect: allow\n`;
}

describe('policy loading under attack', () => {
  it('rejects the unclosed glob "[a-" in a host, a path and an argument, with file and line', () => {
    const host = `${HEAD}  - id: a\n    tool: web_fetch\n    effect: deny\n    when: { host: "[a-" }\n`;
    expect(issuesOf(host)).toMatchObject([
      { file: 'attack.yaml', line: 6, path: 'rules[0].when.host' },
    ]);
    expect(issuesOf(host)[0]!.message).toContain('is never closed');
    const path = `${HEAD}  - id: a\n    tool: web_fetch\n    effect: deny\n    when: { path: "/x/[a-" }\n`;
    expect(issuesOf(path)).toMatchObject([{ line: 6, path: 'rules[0].when.path' }]);
    expect(issuesOf(argRule('{ glob: "[a-" }'))).toMatchObject([
      { line: 8, path: 'rules[0].when.args.query.glob' },
    ]);
  });

  it('still loads globs whose brackets are closed, escaped or start with "]"', () => {
    for (const glob of ['[a-z]*', '\\\\[a-', '[]a]x', '[!]]y']) {
      expect(() => parsePolicy(argRule(`{ glob: "${glob}" }`), 'ok.yaml')).not.toThrow();
    }
  });

  it('decides in linear time on the catastrophic regex (a+)+$', async () => {
    const policy = parsePolicy(argRule('{ regex: "(a+)+$" }'), 'redos.yaml');
    // With a backtracking engine 27 characters took ~2 s, and this many would never finish.
    const hostile = `${'a'.repeat(10_000)}!`;
    const passed = await explainCall(policy, { tool: 'web_search', args: { query: hostile } });
    expect(passed.decision).toMatchObject({ decision: 'allow', rule: 'search' });
    const matching = await explainCall(policy, {
      tool: 'web_search',
      args: { query: 'a'.repeat(10_000) },
    });
    expect(matching.decision).toMatchObject({ decision: 'deny', rule: 'a' });
  });

  it('rejects regexes that need backtracking, naming the linear-time engine', () => {
    for (const regex of ['(?=secret)', '(a)\\\\1']) {
      const issues = issuesOf(argRule(`{ regex: "${regex}" }`));
      expect(issues).toMatchObject([{ line: 8, path: 'rules[0].when.args.query.regex' }]);
      expect(issues[0]!.message).toContain('linear-time (RE2) engine');
    }
  });

  it('keeps the i, m and s regex flags and rejects unknown ones', async () => {
    const policy = parsePolicy(argRule('{ regex: "^secret.key$", flags: ims }'), 'flags.yaml');
    const e = await explainCall(policy, {
      tool: 'web_search',
      args: { query: 'weather\nSECRET\nKEY' },
    });
    expect(e.decision.decision).toBe('deny');
    expect(issuesOf(argRule('{ regex: "x", flags: v }'))[0]!.message).toContain(
      '"v" is not one of i, m, s, u',
    );
  });

  it('rejects a "billion laughs" YAML with POLICY_INVALID at the line of its first alias', () => {
    const rows = ['version: 1', 'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      rows.push(
        `l${i}: &l${i} [${Array(9)
          .fill(`*l${i - 1}`)
          .join(',')}]`,
      );
    }
    rows.push('rules: []');
    const issues = issuesOf(`${rows.join('\n')}\n`);
    expect(issues).toEqual([
      {
        file: 'attack.yaml',
        line: 3,
        col: 10,
        path: '',
        message:
          'YAML aliases expand past 100 copies (a "billion laughs" document?); write the values out instead',
      },
    ]);
  });

  it('gives a rule without conditions a deny reason that reads as a sentence', async () => {
    const policy = parsePolicy(
      `${HEAD}  - id: no-python\n    tool: python\n    effect: deny\n`,
      'p.yaml',
    );
    const e = await explainCall(policy, { tool: 'python', args: { code: 'print(1)' } });
    expect(e.decision.reason).toBe('Rule "no-python" forbids every python call. (rule no-python)');
  });
});

/** IP spellings the battery tried; the policy and web_fetch's guard must class each alike. */
const SPELLINGS = [
  'http://[::127.0.0.1]/',
  'http://[::ffff:127.0.0.1]/',
  'http://[::ffff:7f00:1]/',
  'http://[64:ff9b::7f00:1]/',
  'http://[2002:7f00:1::]/',
  'http://[::a9fe:a9fe]/',
  'http://[fe80::1]/',
  'http://[fd00::1]/',
  'http://[::]/',
  'http://[::1]/',
  'http://0.0.0.0/',
  'http://2130706433/',
  'http://0x7f.1/',
  'http://100.64.0.1/',
  'http://169.254.169.254/latest/meta-data/',
  'http://10.1.2.3/',
  'http://224.0.0.1/',
  'http://8.8.8.8/',
  'http://[2606:4700:4700::1111]/',
  'http://[::8.8.8.8]/',
];

describe('one address classifier for policies and web_fetch', () => {
  it.each(SPELLINGS)('classes %s the same in the policy as the tool does', async (url) => {
    const parsed = new URL(url);
    const guard = await guardAddress(
      parsed,
      async () => ['8.8.8.8'],
      [],
      AbortSignal.timeout(5000),
    );
    expect(parseUrlFacts(url)?.privateNetwork).toBe(!guard.ok);
  });

  it('classes a cloud metadata host name as private, as the tool refuses it', async () => {
    const url = 'http://metadata.google.internal/computeMetadata/v1/';
    const guard = await guardAddress(
      new URL(url),
      async () => ['8.8.8.8'],
      [],
      AbortSignal.timeout(5000),
    );
    expect(guard.ok).toBe(false);
    expect(parseUrlFacts(url)?.privateNetwork).toBe(true);
  });

  it('has policy explain deny [::127.0.0.1] under a private_network rule', async () => {
    const policy = parsePolicy(
      `${HEAD}  - id: fetch\n    tool: web_fetch\n    effect: allow\n  - id: no-private\n    tool: web_fetch\n    effect: deny\n    when: { private_network: true }\n`,
      'fetch.yaml',
    );
    const e = await explainCall(policy, {
      tool: 'web_fetch',
      args: { url: 'http://[::127.0.0.1]/' },
    });
    expect(e.decision).toMatchObject({ decision: 'deny', rule: 'no-private' });
  });
});
