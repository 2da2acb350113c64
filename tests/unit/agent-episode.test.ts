import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runEpisode } from '../../src/agent/episode.js';
import { InfraError } from '../../src/core/errors.js';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import type { ModelProvider } from '../../src/core/provider.js';
import { type AnyToolDefinition, defineTool } from '../../src/core/tool.js';
import { allowListedPolicy } from '../../src/policy/builtin.js';
import type { Policy } from '../../src/policy/types.js';
import { traceRecordSchema } from '../../src/trace/schema.js';
import {
  createScriptedModel,
  type ScriptReply,
  sequenceScript,
} from '../support/scripted-server.js';

const echo = defineTool({
  name: 'echo',
  description: 'echoes its text',
  inputSchema: z.strictObject({ text: z.string() }),
  async run(args) {
    return { ok: true, content: `echo: ${args.text}` };
  },
});

function tools(...list: AnyToolDefinition[]): Record<string, AnyToolDefinition> {
  return Object.fromEntries(list.map((t) => [t.name, t]));
}

function episode(replies: ScriptReply[], toolSet = tools(echo), policy?: Policy) {
  return runEpisode({
    model: createScriptedModel(sequenceScript(replies)),
    prompt: 'say hi',
    tools: toolSet,
    policy: policy ?? allowListedPolicy(Object.keys(toolSet)),
  });
}

describe('runEpisode', () => {
  it('runs a tool call, feeds the result back and ends with the final answer', async () => {
    const record = await episode([
      { tool_calls: [{ name: 'echo', arguments: { text: 'hi' } }] },
      { content: 'The tool said hi.' },
    ]);
    expect(traceRecordSchema.safeParse(record).success).toBe(true);
    expect(record.outcome).toEqual({ status: 'completed', stop_reason: 'final_answer' });
    expect(record.final_answer).toBe('The tool said hi.');
    expect(record.tool_calls).toHaveLength(1);
    expect(record.tool_calls[0]).toMatchObject({
      name: 'echo',
      arguments: { text: 'hi' },
      step: 0,
      result: { ok: true, content: 'echo: hi' },
      policy: { decision: 'allow' },
    });
    expect(record.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    const toolMessage = record.messages[2];
    const assistant = record.messages[1];
    expect(toolMessage?.role === 'tool' && assistant?.role === 'assistant').toBe(true);
    if (toolMessage?.role === 'tool' && assistant?.role === 'assistant') {
      expect(toolMessage.tool_call_id).toBe(assistant.tool_calls?.[0]?.id);
    }
  });

  it('tells the model the valid tools when it calls an unknown one, and keeps going', async () => {
    const record = await episode([
      { tool_calls: [{ name: 'shell', arguments: { cmd: 'ls' } }] },
      { content: 'ok' },
    ]);
    expect(record.outcome.status).toBe('completed');
    const call = record.tool_calls[0];
    expect(call?.result.ok).toBe(false);
    expect(call?.result.content).toContain('echo');
    expect(call?.policy).toBeNull();
  });

  it('sends bad JSON arguments back to the model instead of throwing', async () => {
    const record = await episode([
      { tool_calls: [{ name: 'echo', arguments: '{"text": "unterminated' }] },
      { content: 'sorry' },
    ]);
    expect(record.outcome.status).toBe('completed');
    expect(record.tool_calls[0]?.result.ok).toBe(false);
  });

  it('nudges once on a repeated call and stops on the next repeat', async () => {
    const call = { tool_calls: [{ name: 'echo', arguments: { text: 'again' } }] };
    const record = await episode([call, call, call, { content: 'never reached' }]);
    expect(record.outcome).toEqual({ status: 'max_steps', stop_reason: 'loop_guard' });
    expect(record.tool_calls.map((c) => c.result.error?.code ?? 'ran')).toEqual([
      'ran',
      'REPEATED_CALL',
      'REPEATED_CALL',
    ]);
    expect(record.tool_calls[1]?.result.content).toContain('echo: again');
  });

  it('asks again after an empty reply and records a model error after the second', async () => {
    const nudged = await episode([{ content: '' }, { content: 'answer' }]);
    expect(nudged.final_answer).toBe('answer');
    const failed = await episode([{ content: '' }, { content: '  ' }]);
    expect(failed.outcome.status).toBe('error');
    expect(failed.error).toMatchObject({ class: 'model', code: 'EMPTY_REPLY' });
  });

  it('ends with an infra error, never a wrong answer, when the model server fails', async () => {
    const model: ModelProvider = {
      info: { provider: 'test', name: 'down', base_url: 'http://127.0.0.1:9/v1' },
      async step() {
        throw new InfraError('MODEL_UNREACHABLE', 'cannot reach http://127.0.0.1:9/v1');
      },
    };
    const record = await runEpisode({
      model,
      prompt: 'x',
      tools: {},
      policy: allowListedPolicy([]),
    });
    expect(record.outcome.status).toBe('error');
    expect(record.error).toEqual({
      class: 'infra',
      code: 'MODEL_UNREACHABLE',
      message: 'cannot reach http://127.0.0.1:9/v1',
    });
    expect(record.final_answer).toBeNull();
    expect(record.reward).toBeNull();
  });

  it('returns the reason of a policy denial to the model', async () => {
    const record = await episode(
      [{ tool_calls: [{ name: 'echo', arguments: { text: 'x' } }] }, { content: 'denied, fine' }],
      tools(echo),
      allowListedPolicy([]),
    );
    expect(record.tool_calls[0]?.policy?.decision).toBe('deny');
    expect(record.tool_calls[0]?.result.content).toMatch(/^Denied by policy: echo is not enabled/);
    const toolMessage = record.messages.find((m) => m.role === 'tool');
    expect(toolMessage?.content).toContain('echo is not enabled');
  });

  it('records but never runs tool calls made in an episode with no tools', async () => {
    let ran = false;
    const spy = defineTool({
      name: 'echo',
      description: 'x',
      inputSchema: z.object({ text: z.string() }),
      async run() {
        ran = true;
        return { ok: true, content: '' };
      },
    });
    void spy;
    const record = await episode(
      [{ tool_calls: [{ name: 'echo', arguments: { text: 'x' } }] }, { content: 'direct answer' }],
      {},
    );
    expect(ran).toBe(false);
    expect(record.tools_enabled).toBe(false);
    expect(record.tool_calls[0]?.policy?.decision).toBe('unrequested');
    expect(record.final_answer).toBe('direct answer');
  });

  it('disposes per-episode resources when the episode ends with an infra error', async () => {
    const disposed: string[] = [];
    const resourceful = defineTool({
      name: 'res',
      description: 'acquires a resource then fails like a dead Docker engine',
      inputSchema: z.object({}),
      async run(_args, ctx) {
        await ctx.resources.acquire(
          'thing',
          async () => 'thing-1',
          async (v) => {
            disposed.push(v);
          },
        );
        throw new InfraError('DOCKER_UNAVAILABLE', 'the Docker engine is gone');
      },
    });
    const record = await episode(
      [{ tool_calls: [{ name: 'res', arguments: {} }] }],
      tools(resourceful),
    );
    expect(record.error?.class).toBe('infra');
    expect(record.error?.code).toBe('DOCKER_UNAVAILABLE');
    expect(disposed).toEqual(['thing-1']);
  });

  it('abandons a tool that ignores its deadline and tells the model', async () => {
    const stuck = defineTool({
      name: 'stuck',
      description: 'never returns',
      inputSchema: z.object({}),
      run: () => new Promise(() => {}),
    });
    const policy: Policy = {
      file: 'test',
      sha256: null,
      startEpisode: () => ({
        tainted: false,
        async decide() {
          return {
            decision: 'allow',
            effect: 'allow',
            rule: 'r',
            reason: 'ok',
            clamps: { ...DEFAULT_LIMITS, timeout_ms: -4_900 },
          };
        },
        record() {},
      }),
    };
    const record = await episode(
      [{ tool_calls: [{ name: 'stuck', arguments: {} }] }, { content: 'gave up' }],
      tools(stuck),
      policy,
    );
    expect(record.tool_calls[0]?.result.error?.code).toBe('TOOL_TIMEOUT');
    expect(record.final_answer).toBe('gave up');
  });

  it('stops with status aborted when the caller aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    const record = await runEpisode({
      model: createScriptedModel(sequenceScript([{ content: 'x' }])),
      prompt: 'x',
      tools: {},
      policy: allowListedPolicy([]),
      signal: controller.signal,
    });
    expect(record.outcome.status).toBe('aborted');
  });

  it('keeps <think> blocks out of the final answer', async () => {
    const record = await episode([{ content: '<think>let me see</think>\nFinal: 4' }]);
    expect(record.final_answer).toBe('Final: 4');
    const last = record.messages.at(-1);
    expect(last?.role === 'assistant' ? last.reasoning_content : undefined).toBe('let me see');
  });
});

describe('harness nudges', () => {
  it('marks the nudge after an empty reply as written by the harness', async () => {
    const record = await episode([{ content: '' }, { content: 'hi' }]);
    const nudge = record.messages.find((m) => m.role === 'user' && m.content.startsWith('Your'));
    expect(nudge).toMatchObject({ role: 'user', harness: true });
    expect(record.messages[0]).not.toHaveProperty('harness');
    expect(traceRecordSchema.safeParse(record).success).toBe(true);
  });
});
