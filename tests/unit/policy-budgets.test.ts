import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/policy/load.js';

function episode(yaml: string) {
  return parsePolicy(`version: 1\ndefault: allow\n${yaml}`, 'budgets.yaml').startEpisode({
    prompt: '',
    interactive: false,
  });
}

describe('budgets', () => {
  it('denies the call after the last allowed one and names the budget', async () => {
    const session = episode('budgets:\n  tools:\n    web_search: { calls: 2 }\n');
    const call = { tool: 'web_search', args: { query: 'q' }, step: 1 };
    expect((await session.decide(call)).decision).toBe('allow');
    expect((await session.decide(call)).decision).toBe('allow');
    const third = await session.decide(call);
    expect(third).toMatchObject({
      decision: 'deny',
      rule: 'budget:web_search.calls',
      budget: 'web_search.calls',
      clamps: null,
    });
    expect(third.reason).toBe(
      'Budget exhausted (web_search.calls): this episode may make at most 2 web_search calls and has made 2. ' +
        'Do not call web_search again; answer with what you have.',
    );
    expect(third.budget_state).toMatchObject({ 'web_search.calls': { used: 2, max: 2 } });
    expect((await session.decide({ tool: 'calculator', args: {}, step: 2 })).decision).toBe(
      'allow',
    );
  });

  it('counts every tool against the episode budget', async () => {
    const session = episode('budgets:\n  episode: { calls: 2 }\n');
    await session.decide({ tool: 'calculator', args: {}, step: 1 });
    await session.decide({ tool: 'python', args: {}, step: 2 });
    const d = await session.decide({ tool: 'web_search', args: {}, step: 3 });
    expect(d).toMatchObject({ decision: 'deny', budget: 'episode.calls' });
    expect(d.reason).toContain('at most 2 tool calls in total');
  });

  it('does not count denied calls', async () => {
    const session = episode(
      'budgets:\n  tools:\n    python: { calls: 1 }\nrules:\n  - { id: no-net, tool: python, effect: deny, when: { args: { network: { equals: true } } } }\n',
    );
    expect((await session.decide({ tool: 'python', args: { network: true }, step: 1 })).rule).toBe(
      'no-net',
    );
    expect((await session.decide({ tool: 'python', args: {}, step: 2 })).decision).toBe('allow');
  });

  it('cuts the timeout of a call to the sandbox time the budgets leave, so no call overruns them', async () => {
    const session = episode(
      'budgets:\n  episode: { sandbox_seconds: 5 }\n  tools:\n    python: { sandbox_seconds: 3 }\n',
    );
    const call = { tool: 'python', args: { code: '' }, step: 1 };
    const first = await session.decide(call);
    expect(first.clamps?.timeout_ms).toBe(3000);
    session.record(call, { sandbox_ms: 2999 }, false, '');
    // 2.999 of 3 s used: the next call may run 1 ms, not a whole default timeout.
    expect((await session.decide(call)).clamps?.timeout_ms).toBe(1);
    const other = await session.decide({ tool: 'javascript', args: {}, step: 2 });
    expect(other.clamps?.timeout_ms).toBe(5000 - 2999);
  });

  it('leaves timeouts alone when no sandbox budget is set', async () => {
    const session = episode('budgets:\n  episode: { calls: 10 }\n');
    const d = await session.decide({ tool: 'python', args: {}, step: 1 });
    expect(d.clamps?.timeout_ms).toBe(30_000);
  });

  it('stops sandbox time once the recorded seconds reach the budget', async () => {
    const session = episode('budgets:\n  tools:\n    python: { sandbox_seconds: 1.5 }\n');
    const call = { tool: 'python', args: { code: '' }, step: 1 };
    await session.decide(call);
    session.record(call, { sandbox_ms: 1000 }, false, '');
    expect((await session.decide(call)).decision).toBe('allow');
    session.record(call, { sandbox_ms: 600 }, false, '');
    const d = await session.decide(call);
    expect(d).toMatchObject({ decision: 'deny', budget: 'python.sandbox_seconds' });
    expect(d.reason).toContain('at most 1.5 s of sandbox time in python and has used 1.6 s');
  });

  it('stops fetching once the fetched bytes reach the budget', async () => {
    const session = episode('budgets:\n  episode: { fetched_bytes: 1000 }\n');
    const call = { tool: 'web_fetch', args: { url: 'https://a.org/' }, step: 1 };
    await session.decide(call);
    session.record(call, { fetched_bytes: 1200, hosts: ['a.org'] }, true, '');
    expect(await session.decide(call)).toMatchObject({
      decision: 'deny',
      budget: 'episode.fetched_bytes',
    });
  });

  it('allows known hosts but not a new one once distinct hosts are used up', async () => {
    const session = episode('budgets:\n  tools:\n    web_fetch: { distinct_hosts: 2 }\n');
    const fetch = (url: string) => session.decide({ tool: 'web_fetch', args: { url }, step: 1 });
    expect((await fetch('https://a.org/1')).decision).toBe('allow');
    expect((await fetch('https://b.org/1')).decision).toBe('allow');
    expect((await fetch('https://A.org/2')).decision).toBe('allow');
    const d = await fetch('https://c.org/');
    expect(d).toMatchObject({ decision: 'deny', budget: 'web_fetch.distinct_hosts' });
    expect(d.reason).toContain(
      'c.org would be a new one. Hosts already contacted, which remain allowed: a.org, b.org.',
    );
  });

  it('counts hosts a fetch reports, such as redirect targets', async () => {
    const session = episode('budgets:\n  tools:\n    web_fetch: { distinct_hosts: 2 }\n');
    const call = { tool: 'web_fetch', args: { url: 'https://a.org/' }, step: 1 };
    await session.decide(call);
    session.record(call, { hosts: ['a.org', 'redirect.example'] }, true, '');
    expect(await session.decide({ ...call, args: { url: 'https://c.org/' } })).toMatchObject({
      decision: 'deny',
    });
  });

  it('lets rules depend on what was used so far', async () => {
    const session = episode(
      'rules:\n  - { id: slow-down, tool: web_search, effect: deny, when: { used: { calls: { gte: 1 } } }, reason: one search only }\n',
    );
    const call = { tool: 'web_search', args: { query: 'q' }, step: 1 };
    expect((await session.decide(call)).decision).toBe('allow');
    expect(await session.decide(call)).toMatchObject({ decision: 'deny', rule: 'slow-down' });
  });

  it('reports the counters with every decision, allows included', async () => {
    const session = episode(
      'budgets:\n  episode: { calls: 5 }\n  tools:\n    web_fetch: { fetched_bytes: 100 }\n',
    );
    const d = await session.decide({ tool: 'web_fetch', args: { url: 'https://a.org/' }, step: 1 });
    expect(d.budget_state).toEqual({
      'episode.calls': { used: 1, max: 5 },
      'web_fetch.calls': { used: 1, max: null },
      'web_fetch.fetched_bytes': { used: 0, max: 100 },
    });
  });
});
