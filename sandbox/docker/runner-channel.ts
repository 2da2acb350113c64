import type { Duplex } from 'node:stream';
import { safeJsonParse } from '../../src/core/json.js';
import { type ReadyMessage, type ReplyMessage, readyMessage, replyMessage } from './protocol.js';
import { DockerDemuxer, LineSplitter } from './stream-frames.js';

/** The channel ended before a reply came: the runner exited, was killed, or broke protocol. */
export class ChannelClosedError extends Error {
  constructor(readonly reason: string) {
    super(`sandbox runner channel closed: ${reason}`);
    this.name = 'ChannelClosedError';
  }
}

interface Waiter {
  resolve: (reply: ReplyMessage) => void;
  reject: (error: Error) => void;
}

const DIAGNOSTIC_BYTES = 8192;

/**
 * JSON lines to and from the runner over the container's attached stdin/stdout. No port is
 * opened, so it works with the network off; one write and one read per request.
 */
export class RunnerChannel {
  readonly ready: Promise<ReadyMessage>;
  readonly closed: Promise<string>;
  #stream: Duplex;
  #waiters = new Map<number, Waiter>();
  #nextId = 1;
  #closeReason: string | undefined;
  #diagnostics = '';
  #onReady!: (ready: ReadyMessage) => void;
  #onReadyFailed!: (error: Error) => void;
  #onClosed!: (reason: string) => void;
  #gotReady = false;

  constructor(stream: Duplex, maxReplyBytes: number) {
    this.#stream = stream;
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
      else if (kind === 2) this.#noteDiagnostic(payload);
    });
    stream.on('data', (chunk: Buffer) => demuxer.push(chunk));
    stream.on('end', () => this.#fail('the runner exited'));
    stream.on('close', () => this.#fail('the runner exited'));
    stream.on('error', (error) => this.#fail(`stream error: ${error.message}`));
  }

  get isOpen(): boolean {
    return this.#closeReason === undefined;
  }

  /** What the runner itself wrote to stderr (not the user's code), for error messages. */
  get diagnostics(): string {
    return this.#diagnostics;
  }

  /** Sends one request and resolves with the reply that carries its id. */
  request(message: Record<string, unknown>): Promise<ReplyMessage> {
    if (this.#closeReason !== undefined)
      return Promise.reject(new ChannelClosedError(this.#closeReason));
    const id = this.#nextId++;
    return new Promise<ReplyMessage>((resolve, reject) => {
      this.#waiters.set(id, { resolve, reject });
      this.#stream.write(`${JSON.stringify({ ...message, id })}\n`);
    });
  }

  /** Ends the runner's stdin (it exits on end-of-file) and drops the socket. */
  close(reason = 'closed by the host'): void {
    this.#fail(reason);
  }

  #onLine(line: Buffer): void {
    const parsed = safeJsonParse(line.toString('utf8'));
    if (!parsed.ok) {
      this.#fail('the runner sent a line that is not JSON');
      return;
    }
    if (!this.#gotReady) {
      const ready = readyMessage.safeParse(parsed.value);
      if (!ready.success) {
        this.#fail('the runner did not start with a ready message');
        return;
      }
      this.#gotReady = true;
      this.#onReady(ready.data);
      return;
    }
    const reply = replyMessage.safeParse(parsed.value);
    if (!reply.success) {
      this.#fail('the runner sent a reply that does not match the protocol');
      return;
    }
    const id = reply.data.id;
    const waiter = typeof id === 'number' ? this.#waiters.get(id) : undefined;
    if (!waiter || typeof id !== 'number') {
      this.#fail('the runner answered a request that was not made');
      return;
    }
    this.#waiters.delete(id);
    waiter.resolve(reply.data);
  }

  #noteDiagnostic(payload: Buffer): void {
    this.#diagnostics = (this.#diagnostics + payload.toString('utf8')).slice(-DIAGNOSTIC_BYTES);
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
