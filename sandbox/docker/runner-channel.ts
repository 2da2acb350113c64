import type { Duplex } from 'node:stream';
import { JsonLineChannel } from './json-line-channel.js';
import { type ReadyMessage, type ReplyMessage, readyMessage, replyMessage } from './protocol.js';

export { ChannelClosedError } from './json-line-channel.js';

/** The python runner's channel: JSON lines over the container's attached stdin/stdout. */
export class RunnerChannel extends JsonLineChannel<ReadyMessage, ReplyMessage> {
  constructor(stream: Duplex, maxReplyBytes: number) {
    super(stream, maxReplyBytes, { name: 'the runner', ready: readyMessage, reply: replyMessage });
  }
}
