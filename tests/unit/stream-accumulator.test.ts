import { describe, expect, it } from 'vitest';
import type { CompletionResult } from '../../src/model/completion-result.js';
import { accumulateChunks, StreamAccumulator } from '../../src/model/stream-accumulator.js';

type Json = Record<string, unknown>;

function chunk(delta: Json, finish: string | null = null): Json {
  return { object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] };
}

function calls(...parts: Json[]): Json {
  return chunk({ tool_calls: parts });
}

describe('StreamAccumulator quirks', () => {
  it('joins a call whose name arrives after the first arguments', () => {
    const result = accumulateChunks([
      calls({ index: 0, id: 'call_123', function: { arguments: '{"command": ' } }),
      calls({ index: 0, function: { name: 'bash' } }),
      calls({ index: 0, function: { arguments: '"ls -la"}' } }),
      chunk({}, 'tool_calls'),
    ]);
    expect(result.toolCalls).toEqual([
      { id: 'call_123', name: 'bash', arguments: '{"command": "ls -la"}' },
    ]);
  });

  it('gives a call that never received arguments an empty object', () => {
    const result = accumulateChunks([
      calls({ index: 0, id: 'c1', type: 'function', function: { name: 'get_time' } }),
      chunk({}, 'tool_calls'),
    ]);
    expect(result.toolCalls).toEqual([{ id: 'c1', name: 'get_time', arguments: '{}' }]);
  });

  it('synthesizes stable ids for calls that arrive without one', () => {
    const stream = [
      calls({ index: 0, function: { name: 'f', arguments: '{"a":1}' } }),
      calls({ index: 1, function: { name: 'g', arguments: '{}' } }),
    ];
    const first = accumulateChunks(stream);
    expect(first.toolCalls.map((call) => call.id)).toEqual(['call_0', 'call_1']);
    expect(accumulateChunks(stream).toolCalls).toEqual(first.toolCalls);
  });

  it('does not reuse an id the server already gave to another call', () => {
    const result = accumulateChunks([
      calls({ index: 0, function: { name: 'f', arguments: '{}' } }),
      calls({ index: 1, id: 'call_0', function: { name: 'g', arguments: '{}' } }),
    ]);
    expect(result.toolCalls.map((call) => call.id)).toEqual(['call_1', 'call_0']);
  });

  it('tells calls apart by id when the server sends no index', () => {
    const result = accumulateChunks([
      calls({ id: 'a', function: { name: 'f', arguments: '{"x":' } }),
      calls({ id: 'a', function: { arguments: '1}' } }),
      calls({ id: 'b', function: { name: 'g', arguments: '{"y":2}' } }),
    ]);
    expect(result.toolCalls).toEqual([
      { id: 'a', name: 'f', arguments: '{"x":1}' },
      { id: 'b', name: 'g', arguments: '{"y":2}' },
    ]);
  });

  it('starts a new call when an index-less delta names a tool after a named call', () => {
    const result = accumulateChunks([
      calls({ function: { name: 'f', arguments: '{"x":' } }),
      calls({ function: { arguments: '1}' } }),
      calls({ function: { name: 'g' } }),
      calls({ function: { arguments: '{"y":2}' } }),
    ]);
    expect(result.toolCalls.map(({ name, arguments: args }) => [name, args])).toEqual([
      ['f', '{"x":1}'],
      ['g', '{"y":2}'],
    ]);
  });

  it('stringifies arguments that arrive as an object', () => {
    const result = accumulateChunks([
      calls({ index: 0, id: 'x', function: { name: 'f', arguments: { a: 1, b: [true, null] } } }),
    ]);
    expect(result.toolCalls[0]?.arguments).toBe('{"a":1,"b":[true,null]}');
  });

  it('keeps interleaved calls apart by index', () => {
    const result = accumulateChunks([
      calls({ index: 0, id: 'c0', function: { name: 'f', arguments: '{"a"' } }),
      calls({ index: 1, id: 'c1', function: { name: 'g', arguments: '{"b"' } }),
      calls({ index: 0, function: { arguments: ':1}' } }),
      calls({ index: 1, function: { arguments: ':2}' } }),
    ]);
    expect(result.toolCalls).toEqual([
      { id: 'c0', name: 'f', arguments: '{"a":1}' },
      { id: 'c1', name: 'g', arguments: '{"b":2}' },
    ]);
  });

  it('reads several whole calls from one chunk, as Ollama sends them', () => {
    const result = accumulateChunks([
      chunk({
        role: 'assistant',
        content: '',
        tool_calls: [
          {
            id: 'call_aaaaaaaa',
            index: 0,
            type: 'function',
            function: { name: 'f', arguments: '{"a":1}' },
          },
          {
            id: 'call_bbbbbbbb',
            index: 1,
            type: 'function',
            function: { name: 'g', arguments: '{"b":2}' },
          },
        ],
      }),
      chunk({}, 'tool_calls'),
    ]);
    expect(result.toolCalls.map((call) => call.id)).toEqual(['call_aaaaaaaa', 'call_bbbbbbbb']);
    expect(result.finishReason).toBe('tool_calls');
  });

  it('keeps the calls and reports no finish reason when the stream ends without one', () => {
    const result = accumulateChunks([
      calls({ index: 0, id: 'x', function: { name: 'f', arguments: '{"a":1}' } }),
    ]);
    expect(result.finishReason).toBeNull();
    expect(result.toolCalls).toHaveLength(1);
  });

  it('does not concatenate a name the server repeats', () => {
    const result = accumulateChunks([
      calls({ index: 0, id: 'w', function: { name: 'get_weather', arguments: '' } }),
      calls({ index: 0, function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }),
    ]);
    expect(result.toolCalls).toEqual([
      { id: 'w', name: 'get_weather', arguments: '{"city":"Oslo"}' },
    ]);
  });

  it('treats a new id on a known index as a new call', () => {
    const result = accumulateChunks([
      calls({ index: 0, id: 'first', function: { name: 'f', arguments: '{}' } }),
      calls({ index: 0, id: 'second', function: { name: 'g', arguments: '{}' } }),
    ]);
    expect(result.toolCalls.map((call) => call.id)).toEqual(['first', 'second']);
  });

  it('keeps content and tool calls of the same turn', () => {
    const result = accumulateChunks([
      chunk({ content: 'Let me check.' }),
      calls({ index: 0, id: 'x', function: { name: 'f', arguments: '{}' } }),
    ]);
    expect(result.content).toBe('Let me check.');
    expect(result.toolCalls).toHaveLength(1);
  });

  it.each([['reasoning_content'], ['reasoning'], ['thinking']])(
    'reads reasoning from %s',
    (field) => {
      const result = accumulateChunks([chunk({ [field]: 'step ' }), chunk({ [field]: 'one' })]);
      expect(result.reasoning).toBe('step one');
    },
  );

  it('counts reasoning once when a server sends it under two names', () => {
    const result = accumulateChunks([chunk({ reasoning_content: 'a', reasoning: 'a' })]);
    expect(result.reasoning).toBe('a');
  });

  it('reports no reasoning when none was sent', () => {
    expect(accumulateChunks([chunk({ content: 'hi' })]).reasoning).toBeNull();
  });

  it('reads usage from a trailing chunk without choices', () => {
    const result = accumulateChunks([
      chunk({ content: 'hi' }, 'stop'),
      { choices: [], usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 } },
    ]);
    expect(result.usage).toEqual({ prompt_tokens: 7, completion_tokens: 2 });
    expect(result.finishReason).toBe('stop');
  });

  it('ignores chunks of the wrong shape and empty tool-call fragments', () => {
    const accumulator = new StreamAccumulator();
    for (const junk of [
      null,
      'data',
      42,
      { choices: 'no' },
      { choices: [null] },
      chunk({ content: 7 }),
    ]) {
      accumulator.push(junk);
    }
    accumulator.push(
      chunk({ content: 'ok', tool_calls: [null, { index: 3, function: { arguments: '' } }] }),
    );
    expect(accumulator.result()).toEqual({
      content: 'ok',
      reasoning: null,
      toolCalls: [],
      finishReason: null,
      usage: null,
    });
  });
});

/** A whole turn, as the pieces a server may cut up. */
interface Turn {
  reasoning: string;
  content: string;
  calls: { id?: string; name: string; args: string }[];
}

const TURNS: Turn[] = [
  {
    reasoning: 'The user wants a product; use the calculator.',
    content: 'Computing… 🧮',
    calls: [{ id: 'call_a', name: 'calculator', args: '{"expression": "123456789 * 987654321"}' }],
  },
  {
    reasoning: '',
    content: '',
    calls: [
      { name: 'search', args: '{"q": "caf\\u00e9 \\"quoted\\" \\\\ 😀", "n": [1, 2.5e3, null]}' },
      { id: 'x2', name: 'fetch', args: '{"url": "http://127.0.0.1/a?b=c&d=é"}' },
      { name: 'noop', args: '' },
    ],
  },
  {
    reasoning: '<think>x</think>',
    content: 'Plain answer with "quotes" and \\n escapes.',
    calls: [],
  },
];

/** A seeded PRNG (mulberry32), so a failing split can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function cut(text: string, at: readonly number[]): string[] {
  const points = [
    0,
    ...at.filter((p) => p > 0 && p < text.length).sort((a, b) => a - b),
    text.length,
  ];
  const parts: string[] = [];
  for (let i = 1; i < points.length; i++) parts.push(text.slice(points[i - 1], points[i]));
  return parts.length > 0 ? parts : [''];
}

/**
 * The chunks of `turn` with each string cut where `splits` says; calls' deltas are
 * interleaved in the order `interleave` picks, keeping each call's own order.
 */
function streamOf(
  turn: Turn,
  splits: (text: string, field: string) => number[],
  interleave: () => number = () => 0,
): Json[] {
  const out: Json[] = [chunk({ role: 'assistant', content: '' })];
  for (const part of cut(turn.reasoning, splits(turn.reasoning, 'reasoning'))) {
    if (part) out.push(chunk({ reasoning_content: part }));
  }
  for (const part of cut(turn.content, splits(turn.content, 'content'))) {
    if (part) out.push(chunk({ content: part }));
  }
  const queues = turn.calls.map((call, index) => {
    const [first = '', ...rest] = cut(call.args, splits(call.args, `args${index}`));
    const head: Json = { index, type: 'function', function: { name: call.name, arguments: first } };
    if (call.id) head['id'] = call.id;
    return [head, ...rest.map((piece) => ({ index, function: { arguments: piece } }))];
  });
  while (queues.some((queue) => queue.length > 0)) {
    const open = queues.filter((queue) => queue.length > 0);
    const queue = open[Math.floor(interleave() * open.length)] ?? open[0]!;
    out.push(calls(queue.shift()!));
  }
  out.push(chunk({}, turn.calls.length > 0 ? 'tool_calls' : 'stop'));
  out.push({ choices: [], usage: { prompt_tokens: 11, completion_tokens: 5 } });
  // Chunks cross the wire as JSON; lone surrogates from a cut emoji must survive that too.
  return out.map((c) => JSON.parse(JSON.stringify(c)) as Json);
}

function expected(turn: Turn): CompletionResult {
  return accumulateChunks(streamOf(turn, () => []));
}

describe('StreamAccumulator split invariance', () => {
  it('reads each unsplit turn as written', () => {
    const first = expected(TURNS[0]!);
    expect(first.content).toBe('Computing… 🧮');
    expect(first.reasoning).toBe('The user wants a product; use the calculator.');
    expect(first.toolCalls).toEqual([
      { id: 'call_a', name: 'calculator', arguments: '{"expression": "123456789 * 987654321"}' },
    ]);
    const second = expected(TURNS[1]!);
    expect(
      second.toolCalls.map((call) => [call.id, call.name, JSON.parse(call.arguments)]),
    ).toEqual([
      ['call_0', 'search', { q: 'café "quoted" \\ 😀', n: [1, 2500, null] }],
      ['x2', 'fetch', { url: 'http://127.0.0.1/a?b=c&d=é' }],
      ['call_1', 'noop', {}],
    ]);
    expect(second.reasoning).toBeNull();
  });

  it('gives the same result for a two-piece split at every position of every string', () => {
    for (const turn of TURNS) {
      const whole = expected(turn);
      const fields = [
        ['reasoning', turn.reasoning],
        ['content', turn.content],
        ...turn.calls.map((call, i) => [`args${i}`, call.args]),
      ] as const;
      for (const [field, text] of fields) {
        for (let at = 0; at <= text.length; at++) {
          const split = accumulateChunks(streamOf(turn, (_, f) => (f === field ? [at] : [])));
          expect(split, `${field} split at ${at}`).toEqual(whole);
        }
      }
    }
  });

  it('gives the same result when every string arrives one UTF-16 unit at a time', () => {
    for (const turn of TURNS) {
      const single = accumulateChunks(
        streamOf(turn, (text) => Array.from({ length: text.length }, (_, i) => i)),
      );
      expect(single).toEqual(expected(turn));
    }
  });

  it('gives the same result for 300 random splits and interleavings (seeded)', () => {
    const random = prng(20240607);
    for (let round = 0; round < 300; round++) {
      const turn = TURNS[round % TURNS.length]!;
      const splits = (text: string) =>
        Array.from({ length: Math.floor(random() * 6) }, () =>
          Math.floor(random() * (text.length + 1)),
        );
      const result = accumulateChunks(streamOf(turn, splits, random));
      expect(result, `round ${round}`).toEqual(expected(turn));
    }
  });
});
