import { describe, expect, it } from 'vitest';
import type { ToolSpec } from '../../src/core/provider.js';
import { splitConversation } from '../../src/eval/export/conversation.js';
import { EXPORT_FORMATS, exportRecords } from '../../src/eval/export/formats.js';
import { selectRecords } from '../../src/eval/export/select.js';
import type { TraceMessage, TraceRecord } from '../../src/trace/schema.js';
import { evalRecord, toolCall } from '../support/eval-records.js';

/** A tools-arm episode: the model calls the calculator twice in parallel, reads both results, answers. */
function toolEpisode(task: string, sample: number, reward: number): TraceRecord {
  const messages: TraceMessage[] = [
    { role: 'system', content: 'Use tools.' },
    { role: 'user', content: 'Example: 1+1?' },
    { role: 'assistant', content: '2' },
    { role: 'user', content: `What is 2+2 and 3+3? (${task})` },
    {
      role: 'assistant',
      content: 'Let me compute.',
      tool_calls: [
        {
          id: 'c1',
          type: 'function',
          function: { name: 'calculator', arguments: '{"expression":"2+2"}' },
        },
        { id: 'c2', type: 'function', function: { name: 'calculator', arguments: 'not json' } },
      ],
    },
    { role: 'tool', tool_call_id: 'c1', content: '4' },
    { role: 'tool', tool_call_id: 'c2', content: 'error: bad arguments', is_error: true },
    { role: 'assistant', content: 'The answer is 4 and 6.' },
  ];
  return {
    ...evalRecord({
      task,
      sample,
      reward,
      toolCalls: [toolCall('calculator', true), toolCall('calculator', false, 'allow', 1)],
    }),
    messages,
  };
}

const calculatorSpec: ToolSpec = {
  name: 'calculator',
  description: 'Evaluates an arithmetic expression.',
  parameters: {
    type: 'object',
    properties: { expression: { type: 'string' } },
    required: ['expression'],
  },
};

/** Every row must survive a JSON round trip, as it will when written as JSONL and read back. */
function exported(records: TraceRecord[], format: (typeof EXPORT_FORMATS)[number], extra = {}) {
  const { rows, counts } = exportRecords(records, { format, ...extra });
  const parsed = rows.map((row) => JSON.parse(JSON.stringify(row)) as Record<string, unknown>);
  return { rows: parsed, counts };
}

describe('splitConversation', () => {
  it('puts the system prompt and few-shot turns in the prompt, the model turns in the completion', () => {
    const { prompt, completion } = splitConversation(toolEpisode('t', 0, 1).messages);
    expect(prompt.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(completion.map((m) => m.role)).toEqual(['assistant', 'tool', 'tool', 'assistant']);
  });
});

describe('selectRecords', () => {
  const records = [
    evalRecord({ task: 'a', sample: 0, reward: 1 }),
    evalRecord({ task: 'a', sample: 1, reward: 0 }),
    evalRecord({ task: 'b', sample: 0, reward: 1 }),
    evalRecord({ task: 'b', sample: 1, reward: 1 }),
    evalRecord({ task: 'c', sample: 0, infra: true }),
    { ...evalRecord({ task: 'c', sample: 1, reward: 0 }), reward: null, verifier: null },
    evalRecord({ task: 'd', sample: 0, infra: true }),
    evalRecord({ task: 'd', sample: 0, attempt: 1, reward: 0 }),
  ];

  it('never exports a record without a reward, and counts infra errors apart', () => {
    const { records: selected, counts } = selectRecords(records);
    expect(selected.map((r) => `${r.task_id}/${r.sample_index}`)).toEqual([
      'a/0',
      'a/1',
      'b/0',
      'b/1',
      'd/0',
    ]);
    expect(counts).toEqual({
      records: 7,
      infra_errors: 1,
      unscored: 1,
      no_completion: 0,
      filtered: 0,
      selected: 5,
    });
  });

  it('exports every episode of a strategy decision as a rollout, retries collapsed', () => {
    const tag = (role: string, index: number) => ({
      name: 'best',
      params: { n: 2, selector: 'judge' },
      role,
      index,
      decision_id: 'd1',
    });
    const episodes = [
      { ...evalRecord({ task: 'e', arm: 'pick', reward: 1 }), strategy: tag('sample', 0) },
      {
        ...evalRecord({ task: 'e', arm: 'pick', infra: true }),
        strategy: tag('sample', 1),
      },
      {
        ...evalRecord({ task: 'e', arm: 'pick', attempt: 1, reward: 0 }),
        strategy: tag('sample', 1),
      },
      { ...evalRecord({ task: 'e', arm: 'pick', reward: 1 }), strategy: tag('judge', 2) },
    ] as TraceRecord[];
    const { records: selected, counts } = selectRecords(episodes);
    expect(selected.map((r) => [r.strategy?.role, r.strategy?.index, r.attempt])).toEqual([
      ['sample', 0, 0],
      ['sample', 1, 1],
      ['judge', 2, 0],
    ]);
    expect(counts.records).toBe(3);
  });

  it('keeps only the last attempt of a retried sample', () => {
    const { records: selected } = selectRecords(records);
    expect(selected.find((r) => r.task_id === 'd')?.attempt).toBe(1);
  });

  it('filters passed and failed samples', () => {
    expect(selectRecords(records, { only: 'passed' }).records.map((r) => r.reward)).toEqual([
      1, 1, 1,
    ]);
    expect(selectRecords(records, { only: 'failed' }).records.map((r) => r.task_id)).toEqual([
      'a',
      'd',
    ]);
  });

  it('keeps only groups whose rewards differ with --groups with-variance', () => {
    const { records: selected, counts } = selectRecords(records, { groups: 'with-variance' });
    expect(selected.map((r) => `${r.task_id}/${r.sample_index}`)).toEqual(['a/0', 'a/1']);
    expect(counts.filtered).toBe(3);
    expect(
      selectRecords(records, { groups: 'with-variance', only: 'failed' }).records.map(
        (r) => r.task_id,
      ),
    ).toEqual(['a']);
  });

  it('treats a record without a group as a group of one, which has no variance', () => {
    const lone = { ...evalRecord({ task: 'e', reward: 1 }), group_id: null };
    expect(selectRecords([lone], { groups: 'with-variance' }).records).toEqual([]);
  });

  it('skips a scored record with no model turn', () => {
    const empty = {
      ...evalRecord({ task: 'e', reward: 0 }),
      messages: [{ role: 'user' as const, content: 'q' }],
    };
    expect(selectRecords([empty]).counts).toMatchObject({ no_completion: 1, selected: 0 });
  });
});

describe('the trl format', () => {
  it('writes conversational prompt/completion with object arguments, tool names and the reward', () => {
    const { rows } = exported([toolEpisode('t1', 0, 1)], 'trl');
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(Object.keys(row).sort()).toEqual([
      'answer',
      'arm',
      'completion',
      'group_id',
      'prompt',
      'reward',
      'task_id',
      'tools',
    ]);
    expect(row['prompt']).toEqual([
      { role: 'system', content: 'Use tools.' },
      { role: 'user', content: 'Example: 1+1?' },
      { role: 'assistant', content: '2' },
      { role: 'user', content: 'What is 2+2 and 3+3? (t1)' },
    ]);
    expect(row['completion']).toEqual([
      {
        role: 'assistant',
        content: 'Let me compute.',
        tool_calls: [
          {
            id: 'c1',
            type: 'function',
            function: { name: 'calculator', arguments: { expression: '2+2' } },
          },
          { id: 'c2', type: 'function', function: { name: 'calculator', arguments: {} } },
        ],
      },
      { role: 'tool', name: 'calculator', tool_call_id: 'c1', content: '4' },
      { role: 'tool', name: 'calculator', tool_call_id: 'c2', content: 'error: bad arguments' },
      { role: 'assistant', content: 'The answer is 4 and 6.' },
    ]);
    expect([row['reward'], row['task_id'], row['answer'], row['group_id']]).toEqual([
      1,
      't1',
      '4',
      't1:tools',
    ]);
    expect(row['tools']).toEqual([
      {
        type: 'function',
        function: {
          name: 'calculator',
          description: '',
          parameters: { type: 'object', properties: {} },
        },
      },
    ]);
  });

  it('writes tool JSON schemas when they are known', () => {
    const { rows } = exported([toolEpisode('t1', 0, 1)], 'trl', { toolSpecs: [calculatorSpec] });
    expect(rows[0]!['tools']).toEqual([
      {
        type: 'function',
        function: {
          name: 'calculator',
          description: calculatorSpec.description,
          parameters: calculatorSpec.parameters,
        },
      },
    ]);
  });
});

describe('the verifiers format', () => {
  it('writes RolloutOutput rows with one stable integer example id per group', () => {
    const records = [toolEpisode('t1', 0, 1), toolEpisode('t2', 0, 0), toolEpisode('t1', 1, 0)];
    const { rows } = exported(records, 'verifiers');
    const ids = rows.map((r) => r['example_id'] as number);
    expect(ids[0]).toBe(ids[2]);
    expect(ids[0]).not.toBe(ids[1]);
    expect(ids.every((id) => Number.isSafeInteger(id) && id >= 0)).toBe(true);
    // The same record gets the same id whatever else is exported with it.
    expect(exported([records[2]!], 'verifiers').rows[0]!['example_id']).toBe(ids[0]);
    const row = rows[0]!;
    expect(row['answer']).toBe('4');
    expect(row['reward']).toBe(1);
    expect(row['metrics']).toEqual({ num_tool_calls: 2, tool_errors: 1, num_turns: 2 });
    expect(row['info']).toEqual({
      task_id: 't1',
      arm: 'tools',
      group_id: 't1:tools',
      sample_index: 0,
      trace_id: 't1-tools-0-0',
      run_id: 'run-1',
      verifier: { name: 'math', version: '1', extracted: '4', correct: true },
    });
    expect(row).toMatchObject({
      is_completed: true,
      is_truncated: false,
      stop_condition: 'final_answer',
      token_usage: { input_tokens: 10, output_tokens: 5 },
      timing: {
        start_time: 1767225600,
        generation: { start: 1767225600, end: 1767225600.1 },
        scoring: { start: 1767225600.1, end: 1767225600.1 },
      },
      error: null,
    });
    const completion = row['completion'] as Record<string, unknown>[];
    expect(completion[0]).toEqual({
      role: 'assistant',
      content: 'Let me compute.',
      tool_calls: [
        { id: 'c1', name: 'calculator', arguments: '{"expression":"2+2"}' },
        { id: 'c2', name: 'calculator', arguments: '{}' },
      ],
    });
    expect(completion[1]).toEqual({ role: 'tool', tool_call_id: 'c1', content: '4' });
    expect(row['tool_defs']).toEqual([
      { name: 'calculator', description: '', parameters: { type: 'object', properties: {} } },
    ]);
  });
});

describe('the openrlhf format', () => {
  it('writes input, output, tools, label and reward', () => {
    const { rows } = exported([toolEpisode('t1', 0, 0)], 'openrlhf', {
      toolSpecs: [calculatorSpec],
    });
    const row = rows[0]!;
    expect(Object.keys(row).sort()).toEqual([
      'arm',
      'group_id',
      'input',
      'label',
      'output',
      'reward',
      'task_id',
      'tools',
    ]);
    expect((row['tools'] as { function: { name: string } }[])[0]!.function.name).toBe('calculator');
    const call = (row['output'] as { tool_calls?: { function: { arguments: unknown } }[] }[])[0]!
      .tool_calls![0]!;
    expect(call.function.arguments).toEqual({ expression: '2+2' });
    expect((row['input'] as unknown[]).at(-1)).toEqual({
      role: 'user',
      content: 'What is 2+2 and 3+3? (t1)',
    });
    expect((row['output'] as unknown[]).at(-1)).toEqual({
      role: 'assistant',
      content: 'The answer is 4 and 6.',
    });
    expect([row['label'], row['reward']]).toEqual(['4', 0]);
  });
});

describe('the sharegpt format', () => {
  /** LLaMA-Factory: human and observation at odd positions (1-based), gpt and function_call at even. */
  function alternates(turns: { from: string }[]): boolean {
    return turns.every((turn, i) =>
      (i % 2 === 0 ? ['human', 'observation'] : ['gpt', 'function_call']).includes(turn.from),
    );
  }

  it('writes alternating conversations with function calls, observations, system and tools', () => {
    const { rows } = exported([toolEpisode('t1', 0, 1)], 'sharegpt', {
      toolSpecs: [calculatorSpec],
    });
    const row = rows[0]!;
    const turns = row['conversations'] as { from: string; value: string }[];
    expect(turns.map((t) => t.from)).toEqual([
      'human',
      'gpt',
      'human',
      'function_call',
      'observation',
      'gpt',
    ]);
    expect(alternates(turns)).toBe(true);
    // The text beside the calls is kept, in the thought slot in front of them.
    expect(turns[3]!.value.startsWith('<think>\nLet me compute.\n</think>\n\n')).toBe(true);
    expect(JSON.parse(turns[3]!.value.split('</think>\n\n')[1]!)).toEqual([
      { name: 'calculator', arguments: { expression: '2+2' } },
      { name: 'calculator', arguments: {} },
    ]);
    expect(JSON.parse(turns[4]!.value)).toEqual(['4', 'error: bad arguments']);
    expect(turns[5]!.value).toBe('The answer is 4 and 6.');
    expect(row['system']).toBe('Use tools.');
    expect(JSON.parse(row['tools'] as string)).toEqual([calculatorSpec]);
  });

  it('writes a single call as one object and drops a tool result no model turn follows', () => {
    const record = toolEpisode('t1', 0, 0);
    const messages: TraceMessage[] = [
      { role: 'user', content: 'q' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'calculator', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: '4' },
    ];
    const { rows } = exported([{ ...record, messages }], 'sharegpt');
    const turns = rows[0]!['conversations'] as { from: string; value: string }[];
    expect(turns).toEqual([
      { from: 'human', value: 'q' },
      { from: 'function_call', value: '{"name":"calculator","arguments":{}}' },
    ]);
    expect(alternates(turns)).toBe(true);
    expect(rows[0]!['system']).toBeUndefined();
  });

  it('writes an empty schema for a tool it knows only by name', () => {
    const { rows } = exported([toolEpisode('t1', 0, 1)], 'sharegpt');
    expect(JSON.parse(rows[0]!['tools'] as string)).toEqual([
      { name: 'calculator', description: '', parameters: { type: 'object', properties: {} } },
    ]);
  });
});

describe('every format', () => {
  it.each(EXPORT_FORMATS.filter((f) => f !== 'tokens'))(
    '%s never exports an infra-errored sample',
    (format) => {
      const records = [toolEpisode('t1', 0, 1), evalRecord({ task: 't1', sample: 1, infra: true })];
      const { rows, counts } = exported(records, format);
      expect(rows).toHaveLength(1);
      expect(counts.infra_errors).toBe(1);
    },
  );
});

describe('training text', () => {
  const call = (id: string, name: string, args: string) => ({
    id,
    type: 'function' as const,
    function: { name, arguments: args },
  });
  const callRecord = (
    id: string,
    decision: 'allow' | 'deny' | 'unrequested',
    code?: string,
    step = 0,
  ) => ({
    ...toolCall('calculator', code === undefined, decision, step),
    id,
    ...(code === undefined
      ? {}
      : { result: { ok: false, content: 'x', error: { code, message: 'x' } } }),
  });

  function nudged(sample: number, nudge: boolean): TraceRecord {
    const base = evalRecord({ task: 't', sample, reward: 1 });
    const messages: TraceMessage[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Task t?' },
      ...(nudge
        ? ([
            { role: 'assistant', content: '' },
            {
              role: 'user',
              content: 'Your reply was empty. Give your final answer, or call one of the tools.',
              harness: true,
            },
          ] as TraceMessage[])
        : []),
      { role: 'assistant', content: 'The answer is 4.' },
    ];
    return { ...base, messages };
  }

  it.each(['trl', 'openrlhf', 'verifiers'] as const)(
    '%s gives every sample of a group the same prompt when the harness nudged one of them',
    (format) => {
      const { rows } = exported([nudged(0, false), nudged(1, true)], format);
      const key = format === 'openrlhf' ? 'input' : 'prompt';
      expect(rows[1]![key]).toEqual(rows[0]![key]);
      const out = format === 'openrlhf' ? 'output' : 'completion';
      expect(rows[1]![out]).toEqual(rows[0]![out]);
      expect(JSON.stringify(rows[1])).not.toContain('Your reply was empty');
    },
  );

  it('recognizes the nudges of traces written before they were marked', () => {
    const record = nudged(1, true);
    const messages = record.messages.map((m) =>
      m.role === 'user' && m['harness'] === true
        ? { role: 'user' as const, content: m.content }
        : m,
    );
    const { rows } = exported([{ ...record, messages }], 'sharegpt');
    expect(JSON.stringify(rows[0])).not.toContain('Your reply was empty');
  });

  it('writes a denial without its rule id and leaves out calls the loop guard refused', () => {
    const base = evalRecord({ task: 't', reward: 1 });
    const messages: TraceMessage[] = [
      { role: 'user', content: 'Task t?' },
      { role: 'assistant', content: null, tool_calls: [call('d1', 'calculator', '{"a":1}')] },
      {
        role: 'tool',
        tool_call_id: 'd1',
        content: 'Denied by policy: rule no-calc-7 forbids calculator',
        is_error: true,
      },
      { role: 'assistant', content: null, tool_calls: [call('ok', 'calculator', '{"a":2}')] },
      { role: 'tool', tool_call_id: 'ok', content: '2' },
      { role: 'assistant', content: null, tool_calls: [call('r1', 'calculator', '{"a":2}')] },
      {
        role: 'tool',
        tool_call_id: 'r1',
        content: 'This exact call was already made at step 1; it was not run again.',
        is_error: true,
      },
      { role: 'assistant', content: 'The answer is 4.' },
    ];
    const toolCalls = [
      callRecord('d1', 'deny', 'POLICY_DENIED'),
      callRecord('ok', 'allow', undefined, 1),
      callRecord('r1', 'allow', 'REPEATED_CALL', 2),
    ];
    const record = { ...base, messages, tool_calls: toolCalls };
    for (const format of ['trl', 'openrlhf', 'verifiers', 'sharegpt'] as const) {
      const text = JSON.stringify(exported([record], format).rows[0]);
      expect(text).not.toContain('no-calc-7');
      expect(text).toContain('This call was not allowed.');
      expect(text).not.toContain('already made');
      expect(text).not.toContain('"r1"');
    }
  });

  it('leaves a stray tool call out of a no-tools row', () => {
    const base = evalRecord({ task: 't', arm: 'no-tools', reward: 1 });
    const messages: TraceMessage[] = [
      { role: 'user', content: 'Task t?' },
      {
        role: 'assistant',
        content: 'Let me check.',
        tool_calls: [call('u1', 'calculator', '{"expression":"2+2"}')],
      },
      { role: 'tool', tool_call_id: 'u1', content: 'No tools are available.', is_error: true },
      { role: 'assistant', content: 'The answer is 4.' },
    ];
    const record = {
      ...base,
      messages,
      tool_calls: [callRecord('u1', 'unrequested', 'UNREQUESTED_CALL')],
    };
    const { rows } = exported([record], 'trl');
    expect(rows[0]!['completion']).toEqual([
      { role: 'assistant', content: 'Let me check.' },
      { role: 'assistant', content: 'The answer is 4.' },
    ]);
    expect(rows[0]!['tools']).toBeNull();
  });
});

describe('the trl-grpo format', () => {
  it('writes one prompt-only row per group with the answer and no recorded reward', () => {
    const records = [
      toolEpisode('t1', 0, 1),
      toolEpisode('t1', 1, 0),
      { ...toolEpisode('t1', 0, 1), arm: 'no-tools', group_id: 't1:no-tools' },
      toolEpisode('t2', 0, 0),
    ];
    const { rows, counts } = exported(records, 'trl-grpo');
    expect(rows.map((r) => r['group_id'])).toEqual(['t1:tools', 't1:no-tools', 't2:tools']);
    expect(counts.folded).toBe(1);
    expect(Object.keys(rows[0]!).sort()).toEqual([
      'answer',
      'arm',
      'group_id',
      'prompt',
      'task_id',
      'tools',
    ]);
    expect((rows[0]!['prompt'] as { role: string }[]).at(-1)).toEqual({
      role: 'user',
      content: 'What is 2+2 and 3+3? (t1)',
    });
    expect(rows[0]!['answer']).toBe('4');
  });
});
