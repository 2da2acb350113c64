import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ChannelClosedError } from '../../sandbox/docker/json-line-channel.js';
import { RunnerChannel } from '../../sandbox/docker/runner-channel.js';
import { WorkspaceChannel } from '../../sandbox/workspace/workspace-channel.js';

/** A fake attached container stream: what the host writes is kept, replies are pushed framed. */
function fakeStream() {
  const written: Buffer[] = [];
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      written.push(Buffer.from(chunk));
      done();
    },
  });
  const send = (kind: 1 | 2, text: string) => {
    const payload = Buffer.from(text);
    const header = Buffer.alloc(8);
    header[0] = kind;
    header.writeUInt32BE(payload.length, 4);
    stream.push(Buffer.concat([header, payload]));
  };
  return { stream, written, send };
}

const workspaceReady = '{"type":"ready","protocol":1,"python":"3.11.2"}\n';
const reply = (id: number) =>
  `${JSON.stringify({ type: 'reply', id, ok: true, content: '', code: null, data: { files: 1 } })}\n`;

describe('the JSON-line channel both runners share', () => {
  it('sends a payload as raw bytes right after its request line, with its length', async () => {
    const { stream, written, send } = fakeStream();
    const channel = new WorkspaceChannel(stream, 1 << 20);
    send(1, workspaceReady);
    await channel.ready;
    const payload = Buffer.from([0x10, 0x11, 0x00, 0xff, 0x0a]);
    const answered = channel.request({ type: 'upload' }, payload);
    send(1, reply(1));
    expect((await answered).data).toEqual({ files: 1 });
    const sent = Buffer.concat(written);
    const line = '{"type":"upload","id":1,"bytes":5}\n';
    expect(sent.subarray(0, line.length).toString()).toBe(line);
    expect(sent.subarray(line.length)).toEqual(payload);
  });

  it('streams a payload chunk by chunk and sends the next request only after it', async () => {
    const { stream, written, send } = fakeStream();
    const channel = new WorkspaceChannel(stream, 1 << 20);
    send(1, workspaceReady);
    await channel.ready;
    async function* chunks() {
      yield Buffer.from('abc');
      await new Promise((resolve) => setTimeout(resolve, 5));
      yield Buffer.from('de');
    }
    const upload = channel.request({ type: 'upload' }, { bytes: 5, chunks: chunks() });
    const ping = channel.request({ type: 'ping' });
    await new Promise((resolve) => setTimeout(resolve, 30));
    send(1, reply(1));
    send(1, reply(2));
    await Promise.all([upload, ping]);
    expect(Buffer.concat(written).toString()).toBe(
      '{"type":"upload","id":1,"bytes":5}\nabcde{"type":"ping","id":2}\n',
    );
  });

  it('hands a chunk back for reuse only once the socket has taken its bytes', async () => {
    const pending: (() => void)[] = [];
    const written: Buffer[] = [];
    const stream = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, done) {
        written.push(Buffer.from(chunk));
        pending.push(() => done());
      },
    });
    const channel = new WorkspaceChannel(stream, 1 << 20);
    const header = Buffer.alloc(8);
    header[0] = 1;
    header.writeUInt32BE(workspaceReady.length, 4);
    stream.push(Buffer.concat([header, Buffer.from(workspaceReady)]));
    await channel.ready;
    const chunk = Buffer.from('abc');
    const released: Buffer[] = [];
    async function* chunks() {
      yield chunk;
    }
    const upload = channel.request(
      { type: 'upload' },
      { bytes: 3, chunks: chunks(), release: (c) => released.push(c) },
    );
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    // The request line is taken; then the chunk reaches the socket but is not taken yet.
    while (pending.length === 0) await turn();
    pending.shift()?.();
    while (written.length < 2) await turn();
    expect(written[1]?.toString()).toBe('abc');
    expect(released).toEqual([]);
    while (pending.length > 0) pending.shift()?.();
    while (released.length === 0) await turn();
    expect(released).toEqual([chunk]);
    channel.close();
    await expect(upload).rejects.toThrow('closed by the host');
  });

  it('closes the channel when a streamed payload is shorter than announced', async () => {
    const { stream, send } = fakeStream();
    const channel = new WorkspaceChannel(stream, 1 << 20);
    send(1, workspaceReady);
    await channel.ready;
    async function* chunks() {
      yield Buffer.from('abc');
    }
    await expect(
      channel.request({ type: 'upload' }, { bytes: 5, chunks: chunks() }),
    ).rejects.toThrow('the payload is 3 bytes, not the 5 announced');
    expect(channel.isOpen).toBe(false);
  });

  it('closes on a reply to a request that was not made, naming the runner', async () => {
    const { stream, send } = fakeStream();
    const channel = new WorkspaceChannel(stream, 1 << 20);
    send(1, workspaceReady);
    await channel.ready;
    const pending = channel.request({ type: 'ping' });
    send(1, reply(7));
    await expect(pending).rejects.toThrow(
      new ChannelClosedError('the workspace runner answered a request that was not made'),
    );
    expect(channel.isOpen).toBe(false);
  });

  it('keeps the runner stderr as diagnostics and fails start-up on a line that is not ready', async () => {
    const { stream, send } = fakeStream();
    const channel = new RunnerChannel(stream, 1 << 20);
    send(2, 'Traceback: boom\n');
    send(1, '{"type":"reply"}\n');
    await expect(channel.ready).rejects.toThrow('the runner did not start with a ready message');
    expect(channel.diagnostics).toBe('Traceback: boom\n');
    expect(await channel.closed).toBe('the runner did not start with a ready message');
  });
});
