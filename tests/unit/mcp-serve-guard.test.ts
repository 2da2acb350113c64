import { describe, expect, it } from 'vitest';
import { LoopGuard } from '../../src/agent/loop-guard.js';
import { NoRepeatGuard, ServeSession } from '../../src/cli/mcp-serve-session.js';
import { parsePolicy } from '../../src/policy/load.js';
import { createCalculatorTool } from '../../tools/calculator/index.js';
import { toolHints } from '../../tools/index.js';

const policy = parsePolicy(
  'version: 1\ndefault: deny\nrules:\n  - { id: calc, tool: calculator, effect: allow }\n',
  'calc.yaml',
);

/** Arguments that count how often something reads them. */
function countingArgs() {
  const seen = { reads: 0 };
  const args = {
    get expression() {
      seen.reads += 1;
      return '1+1';
    },
  };
  return { args, seen };
}

describe("mcp serve's repeat guard", () => {
  it('answers the same call every time it is repeated (the agent loop would stop it)', async () => {
    const session = new ServeSession({
      tools: { calculator: createCalculatorTool() },
      hints: toolHints,
      policy,
    });
    const ctx = {
      signal: new AbortController().signal,
      confirm: null,
      clientName: 't',
      progress: null,
    };
    for (let i = 0; i < 4; i++) {
      expect(await session.callTool('calculator', { expression: '6*7' }, ctx)).toEqual({
        content: [{ type: 'text', text: '42' }],
      });
    }
    expect(session.record().tool_calls.map((c) => c.result.ok)).toEqual([true, true, true, true]);
  });

  it('keeps nothing of the calls it is told about, where the agent loop guard keeps each one', () => {
    const loop = new LoopGuard();
    const kept = countingArgs();
    loop.remember('calculator', kept.args, 1, '2');
    expect(kept.seen.reads).toBe(1);
    expect(loop.previous('calculator', { expression: '1+1' })).toEqual({ step: 1, content: '2' });

    const guard: LoopGuard = new NoRepeatGuard();
    const ignored = countingArgs();
    guard.remember('calculator', ignored.args, 1, '2');
    expect(ignored.seen.reads).toBe(0);
    expect(guard.previous('calculator', { expression: '1+1' })).toBeUndefined();
  });
});
