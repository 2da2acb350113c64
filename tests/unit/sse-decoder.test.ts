import { describe, expect, it } from 'vitest';
import { SseDecoder, type SseEvent } from '../../src/model/sse-decoder.js';

const utf8 = new TextEncoder();

/** Decodes `text` fed in pieces cut at the given byte offsets. */
function decode(text: string, cuts: readonly number[] = []): SseEvent[] {
  const bytes = utf8.encode(text);
  const decoder = new SseDecoder();
  const events: SseEvent[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    events.push(...decoder.push(bytes.subarray(from, cut)));
    from = cut;
  }
  events.push(...decoder.end());
  return events;
}

/** Reference cases from the SSE spec's parsing rules, as the `openai` client applies them. */
const CASES: { name: string; wire: string; events: SseEvent[] }[] = [
  {
    name: 'two data events',
    wire: 'data: {"a":1}\n\ndata: [DONE]\n\n',
    events: [
      { event: null, data: '{"a":1}' },
      { event: null, data: '[DONE]' },
    ],
  },
  {
    name: 'CRLF and lone CR line ends',
    wire: 'data: x\r\n\r\ndata: y\r\rdata: z\n\n',
    events: [
      { event: null, data: 'x' },
      { event: null, data: 'y' },
      { event: null, data: 'z' },
    ],
  },
  {
    name: 'multi-line data joined by newlines, event names, comments',
    wire: ': keep-alive\nevent: delta\ndata: one\ndata:two\ndata:  three\n\n',
    events: [{ event: 'delta', data: 'one\ntwo\n three' }],
  },
  {
    name: 'blank lines with no fields dispatch nothing; unknown fields are ignored',
    wire: '\n\nid: 7\nretry: 10\n\ndata\n\n',
    events: [{ event: null, data: '' }],
  },
  {
    name: 'an event left open at the end of the stream is dropped',
    wire: 'data: whole\n\ndata: cut off',
    events: [{ event: null, data: 'whole' }],
  },
  {
    name: 'multi-byte characters survive',
    wire: 'data: {"content":"héllo 世界 🦊"}\n\n',
    events: [{ event: null, data: '{"content":"héllo 世界 🦊"}' }],
  },
];

describe('SseDecoder', () => {
  for (const { name, wire, events } of CASES) {
    it(`decodes ${name}`, () => {
      expect(decode(wire)).toEqual(events);
    });

    it(`decodes ${name} the same wherever the bytes are cut`, () => {
      const length = utf8.encode(wire).length;
      for (let cut = 0; cut <= length; cut++) expect(decode(wire, [cut])).toEqual(events);
      // And one byte at a time.
      expect(
        decode(
          wire,
          Array.from({ length }, (_, i) => i),
        ),
      ).toEqual(events);
    });
  }

  it('does work linear in the input for many small events in one large read', () => {
    const event = 'data: {"choices":[{"index":0,"delta":{"content":"abc"}}]}\n\n';
    const wire = event.repeat(40_000); // ~2.4 MB, the shape of a 2 MB streamed answer's reads
    const decoder = new SseDecoder();
    const events = [...decoder.push(utf8.encode(wire)), ...decoder.end()];
    expect(events).toHaveLength(40_000);
    expect(decoder.work).toBeLessThanOrEqual(wire.length);
  });

  it('does work linear in the input for one long line cut into many small reads', () => {
    const line = `data: ${'x'.repeat(1_000_000)}\n\n`;
    const bytes = utf8.encode(line);
    const decoder = new SseDecoder();
    const events: SseEvent[] = [];
    for (let at = 0; at < bytes.length; at += 100) {
      events.push(...decoder.push(bytes.subarray(at, at + 100)));
    }
    events.push(...decoder.end());
    expect(events).toEqual([{ event: null, data: 'x'.repeat(1_000_000) }]);
    // Each character scanned once and copied once when the line is joined.
    expect(decoder.work).toBeLessThanOrEqual(2 * line.length);
  });

  it('does work linear in the input for a stream of lone-CR line ends', () => {
    const wire = 'data: a\r\r'.repeat(50_000);
    const decoder = new SseDecoder();
    const events = [...decoder.push(utf8.encode(wire)), ...decoder.end()];
    expect(events).toHaveLength(50_000);
    expect(decoder.work).toBeLessThanOrEqual(wire.length);
  });
});
