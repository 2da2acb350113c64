import { isPlainObject } from '../core/json.js';
import type { Usage } from '../core/provider.js';
import {
  argumentsText,
  assignCallIds,
  type CallIdGenerator,
  type CompletionResult,
  contentText,
  defaultCallId,
  reasoningOf,
  usageOf,
} from './completion-result.js';

interface PendingCall {
  /** The server's index; calls are reported in index order, whatever order they arrived in. */
  index: number | undefined;
  id: string | undefined;
  name: string;
  argumentsText: string;
  argumentsObject: unknown;
}

/**
 * Folds OpenAI `chat.completion.chunk` objects into one turn. It is written for the servers
 * that bend the format: arguments split anywhere, sent as an object, or never sent; the name
 * after the arguments or repeated; ids or indexes missing; calls interleaved by index; whole
 * calls in one chunk; no finish reason; reasoning under any of its field names; usage in a
 * trailing chunk with no choices. Chunks are untrusted: anything of the wrong type is ignored.
 */
export class StreamAccumulator {
  private content = '';
  private reasoning = '';
  private hasReasoning = false;
  private finishReason: string | null = null;
  private usage: Usage | null = null;
  private readonly calls: PendingCall[] = [];
  private readonly byIndex = new Map<number, PendingCall>();
  private readonly byId = new Map<string, PendingCall>();
  private last: PendingCall | undefined;
  private choiceChunks = 0;

  constructor(private readonly generateId: CallIdGenerator = defaultCallId) {}

  /** The number of chunks so far that carried a choice. */
  get choicesSeen(): number {
    return this.choiceChunks;
  }

  push(chunk: unknown): void {
    if (!isPlainObject(chunk)) return;
    const usage = usageOf(chunk['usage']);
    if (usage) this.usage = usage;
    const choice = firstChoice(chunk['choices']);
    if (!choice) return;
    this.choiceChunks++;
    if (typeof choice['finish_reason'] === 'string' && choice['finish_reason'] !== '') {
      this.finishReason = choice['finish_reason'];
    }
    const delta = choice['delta'];
    if (!isPlainObject(delta)) return;
    this.content += contentText(delta['content']);
    const reasoning = reasoningOf(delta);
    if (reasoning !== null) {
      this.reasoning += reasoning;
      this.hasReasoning = true;
    }
    const toolCalls = delta['tool_calls'];
    if (Array.isArray(toolCalls)) {
      for (const part of toolCalls) if (isPlainObject(part)) this.pushToolCall(part);
    }
  }

  /** The turn so far; calls that never got a name or any arguments are left out. */
  result(): CompletionResult {
    const calls = [...this.calls]
      .sort((a, b) => (a.index ?? Number.POSITIVE_INFINITY) - (b.index ?? Number.POSITIVE_INFINITY))
      .filter((call) => call.name !== '' || call.argumentsText !== '' || call.argumentsObject)
      .map((call) => ({
        id: call.id,
        name: call.name,
        arguments: argumentsText(call.argumentsText, call.argumentsObject),
      }));
    return {
      content: this.content,
      reasoning: this.hasReasoning ? this.reasoning : null,
      toolCalls: assignCallIds(calls, this.generateId),
      finishReason: this.finishReason,
      usage: this.usage,
    };
  }

  private pushToolCall(part: Record<string, unknown>): void {
    const index = typeof part['index'] === 'number' ? part['index'] : undefined;
    const id = typeof part['id'] === 'string' && part['id'] !== '' ? part['id'] : undefined;
    const fn = isPlainObject(part['function']) ? part['function'] : {};
    const name = typeof fn['name'] === 'string' ? fn['name'] : '';
    const call = this.target(index, id, name);
    if (id && !call.id) {
      call.id = id;
      this.byId.set(id, call);
    }
    // The first name wins: a server that repeats the name in a later delta must not turn
    // `get_weather` into `get_weatherget_weather`.
    if (name !== '' && call.name === '') call.name = name;
    const args = fn['arguments'];
    if (typeof args === 'string') call.argumentsText += args;
    else if (typeof args === 'object' && args !== null) call.argumentsObject = args;
    this.last = call;
  }

  /** Finds the call a delta continues, or starts a new one. */
  private target(index: number | undefined, id: string | undefined, name: string): PendingCall {
    if (index !== undefined) {
      const known = this.byIndex.get(index);
      // A new id on a known index is a new call from a server that reuses index 0.
      if (known && !(id && known.id && id !== known.id)) return known;
      const call = this.start(index);
      this.byIndex.set(index, call);
      return call;
    }
    if (id) return this.byId.get(id) ?? this.start();
    const last = this.last;
    if (!last) return this.start();
    const startsAnother =
      name !== '' &&
      last.name !== '' &&
      (name !== last.name || last.argumentsText !== '' || last.argumentsObject !== undefined);
    return startsAnother ? this.start() : last;
  }

  private start(index?: number): PendingCall {
    const call: PendingCall = {
      index,
      id: undefined,
      name: '',
      argumentsText: '',
      argumentsObject: undefined,
    };
    this.calls.push(call);
    return call;
  }
}

/** The choice with index 0 (or the first one, when no index is given). */
function firstChoice(choices: unknown): Record<string, unknown> | undefined {
  if (!Array.isArray(choices)) return undefined;
  let first: Record<string, unknown> | undefined;
  for (const choice of choices) {
    if (!isPlainObject(choice)) continue;
    if (choice['index'] === 0) return choice;
    first ??= choice;
  }
  if (first && typeof first['index'] === 'number') return undefined;
  return first;
}

/** Accumulates a whole list of chunks. */
export function accumulateChunks(
  chunks: Iterable<unknown>,
  generateId: CallIdGenerator = defaultCallId,
): CompletionResult {
  const accumulator = new StreamAccumulator(generateId);
  for (const chunk of chunks) accumulator.push(chunk);
  return accumulator.result();
}
