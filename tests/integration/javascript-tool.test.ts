import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type ToolLimits } from '../../src/core/limits.js';
import type { EpisodeResources, ToolContext } from '../../src/core/tool.js';
import { loadBuiltinPolicy } from '../../src/policy/builtin.js';
import { parsePolicy } from '../../src/policy/load.js';
import { createJavascriptTool } from '../../tools/javascript/index.js';

/** The episode-resource contract of the agent loop, kept minimal: one value per key. */
class Resources implements EpisodeResources {
  readonly #entries = new Map<
    string,
    { value: Promise<unknown>; dispose: (value: never) => Promise<void> }
  >();
  created = 0;

  acquire<T>(
    key: string,
    create: () => Promise<T>,
    dispose: (value: T) => Promise<void>,
  ): Promise<T> {
    const existing = this.#entries.get(key);
    if (existing) return existing.value as Promise<T>;
    this.created++;
    const value = create();
    this.#entries.set(key, { value, dispose: dispose as (value: never) => Promise<void> });
    return value;
  }

  async close(): Promise<void> {
    for (const { value, dispose } of this.#entries.values()) await dispose((await value) as never);
    this.#entries.clear();
  }
}

const open: Resources[] = [];

function episode(): Resources {
  const resources = new Resources();
  open.push(resources);
  return resources;
}

afterEach(async () => {
  for (const r of open.splice(0)) await r.close();
});

function context(
  resources: Resources,
  limits: Partial<ToolLimits> = {},
  signal?: AbortSignal,
): ToolContext {
  return {
    signal: signal ?? new AbortController().signal,
    limits: { ...DEFAULT_LIMITS, timeout_ms: 5_000, ...limits },
    resources,
    episodeId: 'episode-1',
    step: 1,
  };
}

const tool = createJavascriptTool();

describe('the javascript tool', () => {
  it('validates its input strictly', () => {
    expect(tool.inputSchema.safeParse({ code: '1' }).success).toBe(true);
    expect(tool.inputSchema.safeParse({ code: '1', timeout_s: 2 }).success).toBe(true);
    expect(tool.inputSchema.safeParse({ code: '' }).success).toBe(false);
    expect(tool.inputSchema.safeParse({ code: '1', require: 'fs' }).success).toBe(false);
  });

  it('keeps state between calls of one episode in one isolate', async () => {
    const resources = episode();
    const first = await tool.run(
      { code: 'const greet = (n) => "hello " + n; let count = 1;' },
      context(resources),
    );
    expect(first).toMatchObject({
      ok: true,
      content: '(no output; the last expression is undefined)',
    });
    const second = await tool.run(
      { code: 'count += 1; console.log(greet("x")); ({ count })' },
      context(resources),
    );
    expect(second).toMatchObject({ ok: true, content: 'hello x\nResult: {"count":2}' });
    expect(second.usage?.sandbox_ms).toBeGreaterThan(0);
    expect(resources.created).toBe(1);
  });

  it('starts every episode with a fresh context', async () => {
    await tool.run({ code: 'var leaked = 1' }, context(episode()));
    const other = await tool.run({ code: 'typeof leaked' }, context(episode()));
    expect(other.content).toBe('Result: "undefined"');
  });

  it('returns errors as data the model can act on', async () => {
    const resources = episode();
    const syntax = await tool.run({ code: 'const = 1' }, context(resources));
    expect(syntax).toMatchObject({ ok: false, error: { code: 'SYNTAX_ERROR' } });
    expect(syntax.content).toMatch(/^Error \(SYNTAX_ERROR\): SyntaxError: /);
    const runtime = await tool.run(
      { code: 'console.log("before"); undefinedFunction()' },
      context(resources),
    );
    expect(runtime).toMatchObject({ ok: false, error: { code: 'RUNTIME_ERROR' } });
    expect(runtime.content).toBe(
      'before\nError (RUNTIME_ERROR): ReferenceError: undefinedFunction is not defined\n    at input.js:1:24',
    );
  });

  it('stops an infinite loop at the timeout the policy grants, whatever the model asks for', async () => {
    const resources = episode();
    const started = performance.now();
    const r = await tool.run(
      { code: 'while (true) {}', timeout_s: 60 },
      context(resources, { timeout_ms: 300 }),
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
    expect(r.content).toContain('time limit of 0.3 s');
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('uses a shorter timeout when the model asks for one', async () => {
    const r = await tool.run(
      { code: 'for (;;) {}', timeout_s: 0.2 },
      context(episode(), { timeout_ms: 10_000 }),
    );
    expect(r.content).toContain('time limit of 0.2 s');
  });

  it('ends a memory bomb clearly, resets the context for the next call, and the next episode works', async () => {
    const resources = episode();
    await tool.run({ code: 'let before = 1' }, context(resources, { memory_mb: 32 }));
    const bomb = await tool.run(
      { code: 'const hog = []; for (;;) hog.push(new Array(100000).fill(1.5));' },
      context(resources, { memory_mb: 32 }),
    );
    expect(bomb).toMatchObject({
      ok: false,
      error: { code: 'MEMORY_LIMIT' },
      data: { context_lost: true },
    });
    expect(bomb.content).toBe(
      'Error (MEMORY_LIMIT): The code used more memory than its limit allows and was stopped.',
    );

    const after = await tool.run({ code: 'typeof before' }, context(resources, { memory_mb: 32 }));
    expect(after.ok).toBe(true);
    expect(after.content).toBe(
      'Note: this runs in a new JavaScript context because the previous call used more memory than allowed; ' +
        'variables and functions defined in earlier calls no longer exist.\nResult: "undefined"',
    );
    expect(after.data).toMatchObject({ context_reset: true });

    const next = await tool.run({ code: '6 * 7' }, context(episode(), { memory_mb: 32 }));
    expect(next).toMatchObject({ ok: true, content: 'Result: 42' });
  });

  it('caps what it returns at the output bytes the policy grants', async () => {
    const r = await tool.run(
      { code: 'for (let i = 0; i < 100000; i++) console.log("row " + i); "end"' },
      context(episode(), { output_bytes: 200 }),
    );
    expect(r.ok).toBe(true);
    expect(Buffer.byteLength(r.content)).toBeLessThanOrEqual(200);
    expect(r.content.startsWith('row 0\nrow 1\n')).toBe(true);
    expect(r.content.endsWith('[console output cut here]\nResult: "end"')).toBe(true);
  });

  it('keeps prototype pollution and escape attempts inside the sandbox', async () => {
    const resources = episode();
    const pollute = await tool.run(
      { code: 'Object.prototype.isAdmin = true; ({}).isAdmin' },
      context(resources),
    );
    expect(pollute.content).toBe('Result: true');
    expect(({} as Record<string, unknown>)['isAdmin']).toBeUndefined();
    const breakout = await tool.run(
      { code: "this.constructor.constructor('return globalThis.process || require')()" },
      context(resources),
    );
    expect(breakout).toMatchObject({ ok: false, error: { code: 'RUNTIME_ERROR' } });
    expect(breakout.content).toContain('ReferenceError: require is not defined');
  });

  it('runs under the clamps a shipped policy grants', async () => {
    const policy = await loadBuiltinPolicy('default');
    const session = policy.startEpisode({ prompt: '', interactive: false });
    const call = { tool: 'javascript', args: { code: '2 ** 10' }, step: 1 };
    const decision = await session.decide(call);
    expect(decision).toMatchObject({ decision: 'allow', rule: 'code-offline' });
    const result = await tool.run(
      { code: '2 ** 10' },
      { ...context(episode()), limits: decision.clamps! },
    );
    expect(result.content).toBe('Result: 1024');
    session.record(call, result.usage ?? {}, tool.taints === true, result.content);
    expect(session.tainted).toBe(false);
  });

  it('stops at a CPU-time clamp lower than the timeout', async () => {
    const policy = parsePolicy(
      'version: 1\nrules:\n  - { id: js, tool: javascript, effect: allow, limits: { timeout_ms: 5000, cpu_ms: 200 } }\n',
      'cpu.yaml',
    );
    const decision = await policy.startEpisode({ prompt: '', interactive: false }).decide({
      tool: 'javascript',
      args: {},
      step: 1,
    });
    const r = await tool.run(
      { code: 'for (;;) {}' },
      { ...context(episode()), limits: decision.clamps! },
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'CPU_LIMIT' } });
  });

  it('returns promptly when the episode is aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const r = await tool.run(
      { code: 'for (;;) {}' },
      context(episode(), { timeout_ms: 10_000 }, controller.signal),
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'ABORTED' } });
  });
});
