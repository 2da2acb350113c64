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
  it('writes conversational prompt/completion with parsed tool arguments, tool names and the reward', () => {
    const { rows } = exported([toolEpisode('t1', 0, 1)], 'trl');
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(Object.keys(row).sort()).toEqual([
      'answer',
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
          { id: 'c2', type: 'function', function: { name: 'calculator', arguments: 'not json' } },
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
    expect(row['tools']).toEqual(['calculator']);
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
  it('writes RolloutOutput-like rows with one integer example id per task', () => {
    const records = [toolEpisode('t1', 0, 1), toolEpisode('t2', 0, 0), toolEpisode('t1', 1, 0)];
    const { rows } = exported(records, 'verifiers');
    expect(rows.map((r) => r['example_id'])).toEqual([0, 1, 0]);
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
      timing: { total_ms: 100 },
      error: null,
    });
    const completion = row['completion'] as Record<string, unknown>[];
    expect(completion[0]).toEqual({
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
    });
    expect(completion[1]).toEqual({ role: 'tool', tool_call_id: 'c1', content: '4' });
  });
});

describe('the openrlhf format', () => {
  it('writes input, output, label and reward', () => {
    const { rows } = exported([toolEpisode('t1', 0, 0)], 'openrlhf');
    const row = rows[0]!;
    expect(Object.keys(row).sort()).toEqual(['input', 'label', 'output', 'reward', 'task_id']);
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
    expect(JSON.parse(turns[3]!.value)).toEqual([
      { name: 'calculator', arguments: { expression: '2+2' } },
      { name: 'calculator', arguments: 'not json' },
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
  it.each(EXPORT_FORMATS)('%s never exports an infra-errored sample', (format) => {
    const records = [toolEpisode('t1', 0, 1), evalRecord({ task: 't1', sample: 1, infra: true })];
    const { rows, counts } = exported(records, format);
    expect(rows).toHaveLength(1);
    expect(counts.infra_errors).toBe(1);
  });
});
