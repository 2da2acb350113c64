import { describe, expect, it } from 'vitest';
import { explainCall, formatExplanation } from '../../src/policy/explain.js';
import { parsePolicy } from '../../src/policy/load.js';

const POLICY = `version: 1
rules:
  - id: fetch-any
    tool: web_fetch
    effect: allow
  - id: no-internal
    tool: web_fetch
    effect: deny
    when: { host: "*.internal" }
    unless: { path: /health }
  - id: no-http
    tool: web_fetch
    effect: deny
    when: { scheme: http }
  - id: calc
    tool: calculator
    effect: allow
`;

describe('explaining a decision', () => {
  it('says for every rule of the tool whether it matched, failed or was excepted, with its line', async () => {
    const policy = parsePolicy(POLICY, 'explain.yaml');
    const e = await explainCall(policy, {
      tool: 'web_fetch',
      args: { url: 'https://db.internal/health' },
    });
    expect(e.decision).toMatchObject({ decision: 'allow', rule: 'fetch-any' });
    expect(e.rules).toEqual([
      { id: 'fetch-any', effect: 'allow', line: 3, status: 'matched', detail: 'no conditions' },
      {
        id: 'no-internal',
        effect: 'deny',
        line: 6,
        status: 'excepted',
        detail: 'unless: URL path matches /health',
      },
      {
        id: 'no-http',
        effect: 'deny',
        line: 11,
        status: 'not_matched',
        detail: 'not: URL scheme is http',
      },
    ]);
    expect(e.other_rules).toBe(1);
    const text = formatExplanation(e);
    expect(text).toContain('rule:      fetch-any (line 3)');
    expect(text).toContain('(1 more rule about other tools)');
  });

  it('does not change the policy or the episodes it starts', async () => {
    const policy = parsePolicy(POLICY, 'explain.yaml');
    await explainCall(policy, { tool: 'web_fetch', args: { url: 'http://a.org/' }, tainted: true });
    const session = policy.startEpisode({ prompt: '', interactive: false });
    expect(session.tainted).toBe(false);
    expect(
      (await session.decide({ tool: 'calculator', args: {}, step: 1 })).budget_state,
    ).toMatchObject({
      'episode.calls': { used: 1 },
    });
  });
});
