import type { Duplex } from 'node:stream';
import { safeJsonParse } from '../../src/core/json.js';
import { ChannelClosedError } from '../docker/runner-channel.js';
import { DockerDemuxer, LineSplitter } from '../docker/stream-frames.js';
import { type WorkspaceReply, workspaceReady, workspaceReply } from './protocol.js';

const DIAGNOSTIC_BYTES = 8192;

/**
 * JSON lines to and from the workspace runner over the container's attached stdin/stdout,
 * framed like the python runner's channel (Docker's multiplexed stream, then lines). Requests
 * are answered in order; a reply for a request that was not made closes the channel.
 */
export class WorkspaceChannel {
  readonly ready: Promise<void>;
  #stream: Duplex;
  #waiters = new Map<number, (reply: WorkspaceReply | Error) => void>();
  #nextId = 1;
  #closeReason: string | undefined;
  #diagnostics = '';
  #gotReady = false;
  #onReady!: () => void;
  #onReadyFailed!: (error: Error) => void;

  constructor(stream: Duplex, maxReplyBytes: number) {
    this.#stream = stream;
    this.ready = new Promise((resolve, reject) => {
      this.#onReady = resolve;
      this.#onReadyFailed = reject;
    });
    this.ready.catch(() => undefined);
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
    stream.on('data', (chunk: Buffer) => demuxer.push(chunk));
    stream.on('end', () => this.#fail('the workspace runner exited'));
    stream.on('close', () => this.#fail('the workspace runner exited'));
    stream.on('error', (error) => this.#fail(`stream error: ${error.message}`));
  }

  get isOpen(): boolean {
    return this.#closeReason === undefined;
  }

  get diagnostics(): string {
    return this.#diagnostics;
  }

  /**
   * Sends one request line; `payload`, when given, follows the line as raw bytes (the runner
   * reads exactly `bytes` of them), so a workspace copy crosses the channel without base64.
   */
  request(message: Record<string, unknown>, payload?: Buffer): Promise<WorkspaceReply> {
    if (this.#closeReason !== undefined)
      return Promise.reject(new ChannelClosedError(this.#closeReason));
    const id = this.#nextId++;
    const line = { ...message, id, ...(payload ? { bytes: payload.length } : {}) };
    return new Promise((resolve, reject) => {
      this.#waiters.set(id, (reply) => (reply instanceof Error ? reject(reply) : resolve(reply)));
      this.#stream.write(`${JSON.stringify(line)}\n`);
      if (payload) this.#stream.write(payload);
    });
  }

  close(reason = 'closed by the host'): void {
    this.#fail(reason);
  }

  #onLine(line: Buffer): void {
    const parsed = safeJsonParse(line.toString('utf8'));
    if (!parsed.ok) {
      this.#fail('the workspace runner sent a line that is not JSON');
      return;
    }
    if (!this.#gotReady) {
      if (!workspaceReady.safeParse(parsed.value).success) {
        this.#fail('the workspace runner did not start with a ready message');
        return;
      }
      this.#gotReady = true;
      this.#onReady();
      return;
    }
    const reply = workspaceReply.safeParse(parsed.value);
    if (!reply.success) {
      this.#fail('the workspace runner sent a reply off the protocol');
      return;
    }
    const waiter = this.#waiters.get(reply.data.id);
    if (!waiter) {
      this.#fail('the workspace runner answered a request that was not made');
      return;
    }
    this.#waiters.delete(reply.data.id);
    waiter(reply.data);
  }

  #fail(reason: string): void {
    if (this.#closeReason !== undefined) return;
    this.#closeReason = reason;
    const error = new ChannelClosedError(reason);
    if (!this.#gotReady) this.#onReadyFailed(error);
    for (const waiter of this.#waiters.values()) waiter(error);
    this.#waiters.clear();
    this.#stream.end();
    this.#stream.destroy();
  }
}
