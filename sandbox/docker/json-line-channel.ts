import type { Duplex } from 'node:stream';
import type { z } from 'zod';
import { safeJsonParse } from '../../src/core/json.js';
import { DockerDemuxer, LineSplitter } from './stream-frames.js';

/** A payload whose length is known before its chunks are produced. */
export interface StreamedPayload {
  bytes: number;
  chunks: AsyncIterable<Buffer>;
  /** Called with each chunk once the socket has taken its bytes, so its buffer can be reused. */
  release?: ((chunk: Buffer) => void) | undefined;
}

function drained(stream: Duplex): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/** The channel ended before a reply came: the runner exited, was killed, or broke protocol. */
export class ChannelClosedError extends Error {
  constructor(readonly reason: string) {
    super(`sandbox runner channel closed: ${reason}`);
    this.name = 'ChannelClosedError';
  }
}

/** What a runner speaks: its first line, its replies, and what to call it in messages. */
export interface LineProtocol<Ready, Reply extends { id?: unknown }> {
  name: string;
  ready: z.ZodType<Ready>;
  reply: z.ZodType<Reply>;
}

interface Waiter<Reply> {
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
}

const DIAGNOSTIC_BYTES = 8192;

/**
 * JSON lines to and from a runner over the container's attached stdin/stdout (Docker's
 * multiplexed stream, then lines). No port is opened, so it works with the network off. The
 * runner starts with a ready line; each reply carries the id of its request, and a reply for
 * a request that was not made closes the channel. Shared by the python and workspace runners.
 */
export class JsonLineChannel<Ready, Reply extends { id?: unknown }> {
  readonly ready: Promise<Ready>;
  readonly closed: Promise<string>;
  readonly #protocol: LineProtocol<Ready, Reply>;
  #stream: Duplex;
  #waiters = new Map<number, Waiter<Reply>>();
  #nextId = 1;
  #closeReason: string | undefined;
  #diagnostics = '';
  #onReady!: (ready: Ready) => void;
  #onReadyFailed!: (error: Error) => void;
  #onClosed!: (reason: string) => void;
  #gotReady = false;
  /** Requests are written one after another: a streamed payload is never interleaved. */
  #writing: Promise<void> = Promise.resolve();

  constructor(stream: Duplex, maxReplyBytes: number, protocol: LineProtocol<Ready, Reply>) {
    this.#stream = stream;
    this.#protocol = protocol;
    this.ready = new Promise((resolve, reject) => {
      this.#onReady = resolve;
      this.#onReadyFailed = reject;
    });
    this.ready.catch(() => undefined);
    this.closed = new Promise((resolve) => {
      this.#onClosed = resolve;
    });
    const lines = new LineSplitter(
      maxReplyBytes,
      (line) => this.#onLine(line),
      () => this.#fail(`a reply was larger than ${maxReplyBytes} bytes`),
    );
    const demuxer = new DockerDemuxer((kind, payload) => {
      if (kind === 1) lines.push(payload);
      else if (kind === 2)
        this.#diagnostics = (this.#diagnostics + payload.toString('utf8')).slice(-DIAGNOSTIC_BYTES);
    });
    const exited = `${protocol.name} exited`;
    stream.on('data', (chunk: Buffer) => demuxer.push(chunk));
    stream.on('end', () => this.#fail(exited));
    stream.on('close', () => this.#fail(exited));
    stream.on('error', (error) => this.#fail(`stream error: ${error.message}`));
  }

  get isOpen(): boolean {
    return this.#closeReason === undefined;
  }

  /** What the runner itself wrote to stderr (not the user's code), for error messages. */
  get diagnostics(): string {
    return this.#diagnostics;
  }

  /**
   * Sends one request and resolves with the reply that carries its id. `payload`, when given,
   * follows the line as raw bytes (the runner reads exactly `bytes` of them), so a large
   * binary input crosses the channel without base64. A streamed payload is written as its
   * chunks come, and later requests wait until it is all sent.
   */
  request(message: Record<string, unknown>, payload?: Buffer | StreamedPayload): Promise<Reply> {
    if (this.#closeReason !== undefined)
      return Promise.reject(new ChannelClosedError(this.#closeReason));
    const id = this.#nextId++;
    const bytes = Buffer.isBuffer(payload) ? payload.length : payload?.bytes;
    const line = { ...message, id, ...(bytes !== undefined ? { bytes } : {}) };
    const reply = new Promise<Reply>((resolve, reject) => {
      this.#waiters.set(id, { resolve, reject });
    });
    this.#writing = this.#writing.then(async () => {
      if (this.#closeReason !== undefined) return;
      this.#stream.write(`${JSON.stringify(line)}\n`);
      if (Buffer.isBuffer(payload)) this.#stream.write(payload);
      else if (payload) await this.#send(payload);
    });
    this.#writing.catch((error: unknown) => {
      this.#fail(`sending a request failed: ${error instanceof Error ? error.message : error}`);
    });
    this.#writing = this.#writing.catch(() => undefined);
    return reply;
  }

  /** Writes a payload's chunks with backpressure; exactly `bytes` of them, or the channel fails. */
  async #send(payload: StreamedPayload): Promise<void> {
    let sent = 0;
    for await (const chunk of payload.chunks) {
      if (this.#closeReason !== undefined) return;
      sent += chunk.length;
      if (sent > payload.bytes)
        throw new Error(`the payload is longer than ${payload.bytes} bytes`);
      const release = payload.release;
      const taken = release ? () => release(chunk) : undefined;
      if (!this.#stream.write(chunk, taken)) await drained(this.#stream);
    }
    if (sent !== payload.bytes)
      throw new Error(`the payload is ${sent} bytes, not the ${payload.bytes} announced`);
  }

  /** Ends the runner's stdin (it exits on end-of-file) and drops the socket. */
  close(reason = 'closed by the host'): void {
    this.#fail(reason);
  }

  #onLine(line: Buffer): void {
    const name = this.#protocol.name;
    const parsed = safeJsonParse(line.toString('utf8'));
    if (!parsed.ok) {
      this.#fail(`${name} sent a line that is not JSON`);
      return;
    }
    if (!this.#gotReady) {
      const ready = this.#protocol.ready.safeParse(parsed.value);
      if (!ready.success) {
        this.#fail(`${name} did not start with a ready message`);
        return;
      }
      this.#gotReady = true;
      this.#onReady(ready.data);
      return;
    }
    const reply = this.#protocol.reply.safeParse(parsed.value);
    if (!reply.success) {
      this.#fail(`${name} sent a reply that does not match the protocol`);
      return;
    }
    const id = reply.data.id;
    const waiter = typeof id === 'number' ? this.#waiters.get(id) : undefined;
    if (!waiter || typeof id !== 'number') {
      this.#fail(`${name} answered a request that was not made`);
      return;
    }
    this.#waiters.delete(id);
    waiter.resolve(reply.data);
  }

  #fail(reason: string): void {
    if (this.#closeReason !== undefined) return;
    this.#closeReason = reason;
    const error = new ChannelClosedError(reason);
    if (!this.#gotReady) this.#onReadyFailed(error);
    for (const waiter of this.#waiters.values()) waiter.reject(error);
    this.#waiters.clear();
    this.#stream.end();
    this.#stream.destroy();
    this.#onClosed(reason);
  }
}
