import { describe, expect, it } from 'vitest';
import { DockerDemuxer, LineSplitter } from '../../sandbox/docker/stream-frames.js';

function frame(stream: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('Docker stream frames', () => {
  it('splits multiplexed stdout and stderr frames fed one byte at a time', () => {
    const seen: [number, string][] = [];
    const demuxer = new DockerDemuxer((stream, payload) => seen.push([stream, payload.toString()]));
    const bytes = Buffer.concat([frame(1, 'out'), frame(2, 'err'), frame(1, '')]);
    for (const byte of bytes) demuxer.push(Buffer.from([byte]));
    const joined = new Map<number, string>();
    for (const [stream, text] of seen) joined.set(stream, (joined.get(stream) ?? '') + text);
    expect(Object.fromEntries(joined)).toEqual({ 1: 'out', 2: 'err' });
  });

  it('cuts lines across chunks and keeps the remainder for the next chunk', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter(
      100,
      (line) => lines.push(line.toString()),
      () => lines.push('OVERFLOW'),
    );
    splitter.push(Buffer.from('{"a":'));
    splitter.push(Buffer.from('1}\n{"b":2}\n{"c"'));
    splitter.push(Buffer.from(':3}\n'));
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it('reports a line longer than the limit instead of buffering it', () => {
    const events: string[] = [];
    const splitter = new LineSplitter(
      10,
      (line) => events.push(line.toString()),
      () => events.push('OVERFLOW'),
    );
    splitter.push(Buffer.from('0123456789'));
    splitter.push(Buffer.from('abc'));
    expect(events).toEqual(['OVERFLOW']);
  });
});
