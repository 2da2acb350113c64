import { describe, expect, it } from 'vitest';
import { loadBuiltinPolicy } from '../../src/policy/builtin.js';
import { parsePolicy } from '../../src/policy/load.js';
import type { PolicyDecision } from '../../src/policy/types.js';
import { tracePolicyDecisionSchema, traceToolCallSchema } from '../../src/trace/schema.js';

/** The tool_calls entry the agent loop writes for a decided call. */
function traceEntry(decision: PolicyDecision) {
  return JSON.parse(
    JSON.stringify({
      id: 'call-1',
      step: 1,
      name: 'web_fetch',
      arguments: {},
      policy: decision,
      result: {
        ok: decision.decision === 'allow',
        content: decision.decision === 'allow' ? 'page' : decision.reason,
      },
      duration_ms: 1,
    }),
  ) as unknown;
}

describe('decisions in the trace', () => {
  it('records allows, rule denials, budget denials and batch answers with all their fields', async () => {
    const policy = parsePolicy(
      `version: 1
budgets:
  tools:
    web_fetch: { calls: 1 }
rules:
  - { id: fetch, tool: web_fetch, effect: allow, when: { private_network: false } }
  - { id: ask-search, tool: web_search, effect: ask }
  - { id: no-private, tool: web_fetch, effect: deny, when: { private_network: true }, reason: not private hosts }
`,
      'trace.yaml',
    );
    const session = policy.startEpisode({ prompt: '', interactive: false });
    const decisions = [
      await session.decide({ tool: 'web_fetch', args: { url: 'https://a.org/' }, step: 1 }),
      await session.decide({ tool: 'web_fetch', args: { url: 'http://10.0.0.1/' }, step: 2 }),
      await session.decide({ tool: 'web_fetch', args: { url: 'https://b.org/' }, step: 3 }),
      await session.decide({ tool: 'web_search', args: { query: 'q' }, step: 4 }),
    ];
    for (const decision of decisions) {
      expect(tracePolicyDecisionSchema.safeParse(decision).success).toBe(true);
      const entry = traceToolCallSchema.parse(traceEntry(decision));
      expect(entry.policy).toEqual(JSON.parse(JSON.stringify(decision)));
    }
    expect(decisions.map((d) => [d.decision, d.effect, d.rule])).toEqual([
      ['allow', 'allow', 'fetch'],
      ['deny', 'deny', 'no-private'],
      ['deny', 'allow', 'budget:web_fetch.calls'],
      ['deny', 'ask', 'ask-search'],
    ]);
    expect(decisions[0]).toMatchObject({
      matched: ['fetch'],
      tainted: false,
      clamps: { timeout_ms: 30_000, network: false, private_network: [] },
      budget_state: {
        'episode.calls': { used: 1, max: null },
        'web_fetch.calls': { used: 1, max: 1 },
      },
    });
    expect(decisions[2]).toMatchObject({
      budget: 'web_fetch.calls',
      budget_state: { 'web_fetch.calls': { used: 1, max: 1 } },
    });
    expect(decisions[3]).toMatchObject({ answered_by: 'batch_ask' });
  });

  it('gives the shipped policies a path and a content hash for the record', async () => {
    const policy = await loadBuiltinPolicy('strict');
    expect(policy.file.endsWith('policies/strict.yaml')).toBe(true);
    expect(policy.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
