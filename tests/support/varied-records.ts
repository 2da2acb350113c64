import type { ToolSpec } from '../../src/core/provider.js';
import type { TraceMessage, TraceRecord, TraceToolCall } from '../../src/trace/schema.js';
import { evalRecord, toolCall } from './eval-records.js';

/**
 * The shapes a run's traces take, one record each: tool calls, parallel calls, a policy
 * denial, reasoning, a harness nudge, a repeated call, the no-tools arm with a stray call,
 * few-shot multi-turn prompts and a reply with `content: null`. Export tests render every row
 * of every format from these through real chat templates.
 */
export const VARIED_TOOL_SPECS: ToolSpec[] = [
  {
    name: 'calculator',
    description: 'Evaluates an arithmetic expression.',
    parameters: {
      type: 'object',
      properties: { expression: { type: 'string' } },
      required: ['expression'],
    },
  },
  {
    name: 'web_search',
    description: 'Searches the web.',
    parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
  },
];

const call = (id: string, name: string, args: unknown) => ({
  id,
  type: 'function' as const,
  function: { name, arguments: typeof args === 'string' ? args : JSON.stringify(args) },
});

function callRecord(
  id: string,
  name: string,
  step: number,
  outcome: 'ok' | 'deny' | 'repeat' | 'unrequested' | 'bad-args' = 'ok',
): TraceToolCall {
  const base = toolCall(name, outcome === 'ok', outcome === 'deny' ? 'deny' : 'allow', step);
  const codes = {
    deny: 'POLICY_DENIED',
    repeat: 'REPEATED_CALL',
    unrequested: 'UNREQUESTED_CALL',
    'bad-args': 'INVALID_ARGUMENTS',
  } as const;
  if (outcome === 'ok') return { ...base, id };
  return {
    ...base,
    id,
    ...(outcome === 'unrequested'
      ? { policy: { decision: 'unrequested', rule: null, reason: 'no tools', clamps: null } }
      : {}),
    result: { ok: false, content: 'x', error: { code: codes[outcome], message: 'x' } },
  };
}

function record(
  task: string,
  arm: 'tools' | 'no-tools',
  sample: number,
  reward: number,
  messages: TraceMessage[],
  toolCalls: TraceToolCall[] = [],
): TraceRecord {
  const base = evalRecord({ task, arm, sample, reward, toolCalls });
  return {
    ...base,
    group_id: `${task}-${arm}`,
    tools: arm === 'tools' ? ['calculator', 'web_search'] : [],
    messages,
  };
}

const SYSTEM: TraceMessage = { role: 'system', content: 'You solve problems. Be brief.' };

export function variedRecords(): TraceRecord[] {
  return [
    record(
      'single-call',
      'tools',
      0,
      1,
      [
        SYSTEM,
        { role: 'user', content: 'What is 17 * 23?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [call('a1', 'calculator', { expression: '17 * 23' })],
        },
        { role: 'tool', tool_call_id: 'a1', name: 'calculator', content: '391' },
        { role: 'assistant', content: 'The answer is 391.' },
      ],
      [callRecord('a1', 'calculator', 0)],
    ),
    record(
      'parallel',
      'tools',
      0,
      1,
      [
        SYSTEM,
        { role: 'user', content: 'What is 2+2 and 3+3?' },
        {
          role: 'assistant',
          content: 'Computing both.',
          reasoning_content: 'Two independent sums; call the calculator twice.',
          tool_calls: [
            call('p1', 'calculator', { expression: '2+2' }),
            call('p2', 'calculator', 'not json at all'),
          ],
        },
        { role: 'tool', tool_call_id: 'p1', content: '4' },
        {
          role: 'tool',
          tool_call_id: 'p2',
          content: 'error: arguments are not JSON',
          is_error: true,
        },
        { role: 'assistant', content: '4 and 6.', reasoning_content: 'The second is plainly 6.' },
      ],
      [callRecord('p1', 'calculator', 0), callRecord('p2', 'calculator', 0, 'bad-args')],
    ),
    record(
      'denied',
      'tools',
      1,
      0,
      [
        SYSTEM,
        { role: 'user', content: 'Who won the 2022 World Cup?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [call('d1', 'web_search', { query: 'world cup 2022' })],
        },
        {
          role: 'tool',
          tool_call_id: 'd1',
          content: 'Denied by policy: rule net-1 blocks web_search',
          is_error: true,
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [call('d2', 'calculator', { expression: '1+1' })],
        },
        { role: 'tool', tool_call_id: 'd2', content: '2' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [call('d3', 'calculator', { expression: '1+1' })],
        },
        {
          role: 'tool',
          tool_call_id: 'd3',
          content: 'This exact call was already made at step 1.',
          is_error: true,
        },
        { role: 'assistant', content: 'Argentina.' },
      ],
      [
        callRecord('d1', 'web_search', 0, 'deny'),
        callRecord('d2', 'calculator', 1),
        callRecord('d3', 'calculator', 2, 'repeat'),
      ],
    ),
    record('nudged', 'tools', 2, 1, [
      SYSTEM,
      { role: 'user', content: 'What is 6 * 7?' },
      { role: 'assistant', content: '<tool_call>{"name": "calc' },
      {
        role: 'user',
        content:
          'Your reply contained tool calls that were not run:\n- calc: unknown tool\nThe available tools are: calculator, web_search.',
        harness: true,
      },
      { role: 'assistant', content: '42' },
    ]),
    record(
      'few-shot',
      'no-tools',
      0,
      1,
      [
        SYSTEM,
        { role: 'user', content: 'Example: 1+1?' },
        { role: 'assistant', content: '2' },
        { role: 'user', content: 'What is 5+5?' },
        {
          role: 'assistant',
          content: 'Let me use a tool.',
          tool_calls: [call('s1', 'calculator', { expression: '5+5' })],
        },
        {
          role: 'tool',
          tool_call_id: 's1',
          content: 'No tools are available in this arm.',
          is_error: true,
        },
        { role: 'assistant', content: '10' },
      ],
      [callRecord('s1', 'calculator', 0, 'unrequested')],
    ),
    record('plain', 'no-tools', 0, 0, [
      { role: 'user', content: 'What is 9 * 9?' },
      { role: 'assistant', content: '81', reasoning_content: 'Nine nines.' },
    ]),
  ];
}
