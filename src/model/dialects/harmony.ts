import { safeJsonParse } from '../../core/json.js';
import { normalizeArguments } from './arguments.js';
import { CallCollector } from './collector.js';
import type { Dialect, DialectContext, DialectResult } from './types.js';

const TOKEN = /<\|(start|channel|constrain|message|end|call|return)\|>/g;

interface HarmonyMessage {
  header: string;
  body: string;
  /** The token that ended the body: `call`, `end`, `return`, `start`, or null at the end of text. */
  terminator: string | null;
}

/**
 * gpt-oss harmony markup left in content: messages `<|start|>role<|channel|>channel
 * to=functions.NAME <|constrain|>json<|message|>{...}<|call|>`. A message with a recipient is a
 * call (the recipient may sit in the role or the channel section, with or without
 * `functions.`); analysis becomes reasoning, and final and preamble text becomes the visible
 * text, so no raw markup reaches the user even when there is no call.
 */
export const harmonyDialect: Dialect = {
  name: 'harmony',
  parse: parseHarmony,
};

function parseHarmony(text: string, context: DialectContext): DialectResult | null {
  if (!text.includes('<|message|>') && !text.includes('<|channel|>')) return null;
  const { leading, messages } = splitMessages(text);
  const collector = new CallCollector(context);
  const visible: string[] = leading.trim() === '' ? [] : [leading.trim()];
  const reasoning: string[] = [];
  for (const message of messages) {
    const header = readHeader(message.header);
    // A message from anyone but the assistant is a tool result or turn the model made up.
    if (header.role !== 'assistant') break;
    if (header.recipient !== null) {
      readCall(message, header.recipient, collector);
    } else if (header.channel === 'analysis') {
      if (message.body.trim() !== '') reasoning.push(message.body.trim());
    } else if (message.body.trim() !== '') {
      visible.push(message.body.trim());
    }
  }
  const result: DialectResult = { ...collector.result(), text: visible.join('\n') };
  if (reasoning.length > 0) result.reasoning = reasoning.join('\n');
  return result;
}

function readCall(message: HarmonyMessage, recipient: string, collector: CallCollector): void {
  const name = recipient.replace(/^functions\./, '');
  const body = message.body.trim();
  const parsed = body === '' ? null : safeJsonParse(body);
  // `<|call|>` is a stop token many servers strip, so a call may also end with the text, but
  // then only complete JSON counts: an empty or broken body there means the stream was cut.
  // A complete body closed by `<|end|>` (vLLM's tests) or by the next message counts too.
  if (message.terminator === 'call') {
    collector.offer(name, parsed?.ok ? normalizeArguments(parsed.value) : normalizeArguments(body));
  } else if (parsed?.ok) {
    collector.offer(name, normalizeArguments(parsed.value));
  } else {
    collector.reject(name, 'the tool call is incomplete (the output was cut off)');
  }
}

/** Splits the text into messages; text before the first header is returned as `leading`. */
function splitMessages(text: string): { leading: string; messages: HarmonyMessage[] } {
  const messages: HarmonyMessage[] = [];
  let leading = '';
  let header = '';
  let body: string | null = null;
  let position = 0;
  const finish = (terminator: string | null) => {
    if (body !== null) messages.push({ header, body, terminator });
    else if (terminator === null && /to=/.test(header))
      messages.push({ header, body: '', terminator });
    header = '';
    body = null;
  };
  for (const match of text.matchAll(TOKEN)) {
    const chunk = text.slice(position, match.index);
    position = match.index + match[0].length;
    const token = match[1]!;
    if (body !== null) {
      body += chunk;
      if (token === 'start' || token === 'end' || token === 'call' || token === 'return')
        finish(token);
      else body += match[0];
      continue;
    }
    if (messages.length === 0 && header === '' && !isRoleText(chunk)) leading += chunk;
    else header += chunk;
    if (token === 'message') body = '';
    else if (token !== 'start') header += match[0];
  }
  const tail = text.slice(position);
  if (body !== null) body += tail;
  else header += tail;
  finish(null);
  return { leading, messages };
}

/** Text before a first `<|channel|>` that is a role name rather than visible prose. */
function isRoleText(chunk: string): boolean {
  // llama.cpp's prompt ends at `<|start|>assistant`, so its output may open with ` to=NAME`.
  return /^\s*(?:assistant)?(?:\s*to=\S+)?\s*$/.test(chunk);
}

function readHeader(header: string): {
  role: string;
  channel: string | null;
  recipient: string | null;
} {
  const [roleSection = '', ...channels] = header.split('<|channel|>');
  // A stray `<|channel|>commentary to=assistant` may precede the real header: the last wins.
  const channelSection = channels.at(-1)?.split('<|constrain|>', 1)[0] ?? '';
  const role =
    roleSection
      .trim()
      .split(/\s+/)
      .find((word) => !word.startsWith('to=')) || 'assistant';
  const channel = channelSection.trim().split(/\s+/)[0] || null;
  const recipients = [...header.matchAll(/\bto=([^\s<]+)/g)].map((match) => match[1]!);
  // `to=assistant` addresses the model itself (a header it garbled), not a tool.
  const recipient = recipients.filter((name) => name !== 'assistant').at(-1) ?? null;
  return { role, channel, recipient };
}
