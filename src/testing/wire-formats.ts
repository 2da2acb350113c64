import { safeJsonParse } from '../core/json.js';
import { type ScriptReply, scriptArguments, type WireFormat } from './script.js';

/** Everything a rendering needs besides the reply. */
export interface RenderContext {
  wire: WireFormat;
  model: string;
  /** Seeds the ids, so a given request always renders the same way. */
  seed: number;
  promptTokens: number;
}

type Json = Record<string, unknown>;

interface Call {
  id: string;
  name: string;
  /** The argument text as the model "wrote" it. */
  text: string;
  /** The arguments as an object, when the text is a JSON object. */
  object: Json | undefined;
}

/**
 * The `chat.completion.chunk` objects a real server of the given kind would stream for
 * `reply`: Ollama sends each call whole in one chunk; vLLM the name first, then the
 * arguments in small pieces; llama.cpp the arguments before the name, later calls' arguments
 * as an object; a server without a tool parser leaves Hermes `<tool_call>` tags in the text.
 */
export function renderChunks(reply: ScriptReply, context: RenderContext): Json[] {
  const ids = idSource(context.seed);
  const calls = toCalls(reply, context.wire, ids);
  const finish = finishReason(reply, context.wire, calls);
  const usage = usageOf(reply, context);
  const envelope = chunkEnvelope(context, ids);
  const deltas: Json[] = [];
  const reasoningKey = context.wire === 'ollama' ? 'reasoning' : 'reasoning_content';
  const role =
    context.wire === 'llamacpp'
      ? { role: 'assistant', content: null }
      : { role: 'assistant', content: '' };
  deltas.push(role);
  const content = context.wire === 'hermes-text' ? hermesText(reply, calls) : (reply.content ?? '');
  if (reply.reasoning && context.wire !== 'hermes-text') {
    for (const piece of pieces(reply.reasoning)) deltas.push({ [reasoningKey]: piece });
  }
  for (const piece of pieces(content)) deltas.push({ content: piece });
  if (context.wire !== 'hermes-text') deltas.push(...callDeltas(calls, context.wire));
  const chunks = deltas.map((delta) => envelope(delta, null));
  if (context.wire === 'llamacpp') {
    // llama.cpp puts usage (and its timings) on the chunk that carries the finish reason.
    chunks.push({
      ...envelope({}, finish),
      usage,
      timings: { predicted_n: usage.completion_tokens },
    });
  } else {
    chunks.push(envelope({}, finish));
    chunks.push({ ...envelope({}, null), choices: [], usage });
  }
  return chunks;
}

/** The non-streaming `chat.completion` body a real server of the given kind would send. */
export function renderCompletion(reply: ScriptReply, context: RenderContext): Json {
  const ids = idSource(context.seed);
  const calls = toCalls(reply, context.wire, ids);
  const message: Json = { role: 'assistant' };
  if (context.wire === 'hermes-text') {
    message['content'] = hermesText(reply, calls);
  } else {
    const content = reply.content ?? '';
    message['content'] = content === '' && context.wire !== 'ollama' ? null : content;
    if (reply.reasoning) {
      message[context.wire === 'ollama' ? 'reasoning' : 'reasoning_content'] = reply.reasoning;
    }
    if (calls.length > 0) {
      message['tool_calls'] = calls.map((call, index) => ({
        ...(context.wire === 'ollama' ? { index } : {}),
        id: call.id,
        type: 'function',
        function: {
          name: call.name,
          // llama.cpp has sent arguments as an object instead of a string (llama.cpp#20198).
          arguments: context.wire === 'llamacpp' && call.object ? call.object : call.text,
        },
      }));
    }
  }
  return {
    id: `chatcmpl-${ids.next(10)}`,
    object: 'chat.completion',
    created: 1_700_000_000,
    model: context.model,
    choices: [{ index: 0, message, finish_reason: finishReason(reply, context.wire, calls) }],
    usage: usageOf(reply, context),
  };
}

function callDeltas(calls: readonly Call[], wire: WireFormat): Json[] {
  const deltas: Json[] = [];
  const tool = (part: Json): Json => ({ tool_calls: [part] });
  if (wire === 'ollama') {
    if (calls.length === 0) return deltas;
    const whole = calls.map((call, index) => ({
      id: call.id,
      index,
      type: 'function',
      function: { name: call.name, arguments: call.text },
    }));
    return [{ role: 'assistant', content: '', tool_calls: whole }];
  }
  calls.forEach((call, index) => {
    const [first = '', ...rest] = pieces(call.text);
    if (wire === 'llamacpp' && index > 0 && call.object) {
      deltas.push(
        tool({
          index,
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: call.object },
        }),
      );
      return;
    }
    if (wire === 'llamacpp') {
      deltas.push(tool({ index, id: call.id, type: 'function', function: { arguments: first } }));
      deltas.push(tool({ index, function: { name: call.name } }));
    } else if (wire === 'vllm') {
      deltas.push(tool({ index, id: call.id, type: 'function', function: { name: call.name } }));
      if (first !== '') deltas.push(tool({ index, function: { arguments: first } }));
    } else {
      deltas.push(
        tool({
          index,
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: '' },
        }),
      );
      if (first !== '') deltas.push(tool({ index, function: { arguments: first } }));
    }
    for (const piece of rest) deltas.push(tool({ index, function: { arguments: piece } }));
  });
  return deltas;
}

function toCalls(reply: ScriptReply, wire: WireFormat, ids: IdSource): Call[] {
  return (reply.tool_calls ?? []).map((call) => {
    const text = scriptArguments(call.arguments);
    const parsed = safeJsonParse(text);
    const object =
      parsed.ok &&
      typeof parsed.value === 'object' &&
      parsed.value !== null &&
      !Array.isArray(parsed.value)
        ? (parsed.value as Json)
        : undefined;
    return { id: callId(wire, ids), name: call.name, text, object };
  });
}

function callId(wire: WireFormat, ids: IdSource): string {
  if (wire === 'ollama') return `call_${ids.next(8)}`;
  if (wire === 'vllm') return `chatcmpl-tool-${ids.next(32, '0123456789abcdef')}`;
  if (wire === 'llamacpp') return ids.next(32);
  return `call_${ids.next(24)}`;
}

/** Reasoning as a `<think>` block and calls as Hermes tags, all in the text. */
function hermesText(reply: ScriptReply, calls: readonly Call[]): string {
  const parts: string[] = [];
  if (reply.reasoning) parts.push(`<think>\n${reply.reasoning}\n</think>\n`);
  if (reply.content) parts.push(reply.content);
  for (const call of calls) {
    parts.push(
      `<tool_call>\n{"name": ${JSON.stringify(call.name)}, "arguments": ${call.text}}\n</tool_call>`,
    );
  }
  return parts.join('\n');
}

function finishReason(reply: ScriptReply, wire: WireFormat, calls: readonly Call[]): string {
  if (reply.finish_reason !== undefined) return reply.finish_reason;
  return calls.length > 0 && wire !== 'hermes-text' ? 'tool_calls' : 'stop';
}

function usageOf(reply: ScriptReply, context: RenderContext) {
  const written =
    (reply.content ?? '') +
    (reply.reasoning ?? '') +
    (reply.tool_calls ?? []).map((call) => call.name + scriptArguments(call.arguments)).join('');
  const completion = Math.ceil(written.length / 4);
  return {
    prompt_tokens: context.promptTokens,
    completion_tokens: completion,
    total_tokens: context.promptTokens + completion,
  };
}

function chunkEnvelope(context: RenderContext, ids: IdSource) {
  const id = `chatcmpl-${ids.next(10)}`;
  return (delta: Json, finish: string | null): Json => ({
    id,
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: context.model,
    ...(context.wire === 'ollama' ? { system_fingerprint: 'fp_ollama' } : {}),
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
}

const PIECE_SIZES = [4, 1, 3, 2, 5, 1, 6];

/** Splits text into small irregular pieces by code point, the way tokens arrive. */
export function pieces(text: string): string[] {
  const points = Array.from(text);
  const out: string[] = [];
  for (let at = 0, k = 0; at < points.length; k++) {
    const size = PIECE_SIZES[k % PIECE_SIZES.length] ?? 1;
    out.push(points.slice(at, at + size).join(''));
    at += size;
  }
  return out;
}

interface IdSource {
  next(length: number, alphabet?: string): string;
}

/** Deterministic ids from a small PRNG (mulberry32), so renderings are reproducible. */
function idSource(seed: number): IdSource {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next(length, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789') {
      let id = '';
      for (let i = 0; i < length; i++) id += alphabet[Math.floor(random() * alphabet.length)];
      return id;
    },
  };
}
