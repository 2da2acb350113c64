import type { Duplex } from 'node:stream';
import { JsonLineChannel } from '../docker/json-line-channel.js';
import {
  type WorkspaceReady,
  type WorkspaceReply,
  workspaceReady,
  workspaceReply,
} from './protocol.js';

/**
 * The workspace runner's channel, framed like the python runner's (one shared implementation).
 * An upload's tar follows its request line as raw bytes.
 */
export class WorkspaceChannel extends JsonLineChannel<WorkspaceReady, WorkspaceReply> {
  constructor(stream: Duplex, maxReplyBytes: number) {
    super(stream, maxReplyBytes, {
      name: 'the workspace runner',
      ready: workspaceReady,
      reply: workspaceReply,
    });
  }
}
