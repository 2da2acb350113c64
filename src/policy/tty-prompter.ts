import { openSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { ReadStream, WriteStream } from 'node:tty';
import { raceAbort } from '../core/abort.js';
import type { AskAnswer, AskRequest, Prompter } from './prompter.js';

export interface TerminalStreams {
  input: Readable;
  output: Writable;
  close(): void;
}

/** Where to ask: given streams (tests), the process's own terminal, or `/dev/tty`. */
export type StreamSource = () => TerminalStreams | null;

let shared: Prompter | undefined;

/** The prompter used for interactive episodes that bring none; one per process. */
export function terminalPrompter(): Prompter {
  shared ??= createTerminalPrompter();
  return shared;
}

/**
 * Asks on a terminal: shows the tool, the exact host of a URL and the exact arguments, and
 * reads `once`, `episode` or `deny` (then an optional reason for the model). Questions from
 * parallel episodes wait for each other so answers cannot cross.
 */
export function createTerminalPrompter(source: StreamSource = openTerminal): Prompter {
  let queue: Promise<unknown> = Promise.resolve();
  return {
    ask(request, signal) {
      const next = queue.then(() => askOnce(source, request, signal));
      queue = next.catch(() => undefined);
      return next;
    },
  };
}

async function askOnce(
  source: StreamSource,
  request: AskRequest,
  signal?: AbortSignal,
): Promise<AskAnswer> {
  const streams = source();
  if (!streams) return { answer: 'unavailable', reason: 'no terminal to ask on' };
  const rl = createInterface({ input: streams.input, terminal: false });
  // The line iterator buffers what was typed ahead, which `question()` would drop.
  const lines = rl[Symbol.asyncIterator]();
  const question = async (text: string): Promise<string> => {
    streams.output.write(text);
    const next = await raceAbort(lines.next(), signal);
    return next.done ? '' : String(next.value);
  };
  try {
    streams.output.write(formatRequest(request));
    for (let attempt = 0; attempt < 3; attempt++) {
      const reply = (await question('Allow? [o]nce / for this [e]pisode / [d]eny: '))
        .trim()
        .toLowerCase();
      if (['o', 'once', 'y', 'yes'].includes(reply)) return { answer: 'once' };
      if (['e', 'episode', 'a', 'always'].includes(reply)) return { answer: 'episode' };
      if (['d', 'deny', 'n', 'no'].includes(reply)) {
        const reason = (await question('Reason for the model (optional): ')).trim();
        return reason === '' ? { answer: 'deny' } : { answer: 'deny', reason };
      }
    }
    return { answer: 'deny', reason: 'no valid answer was given' };
  } finally {
    rl.close();
    streams.close();
  }
}

export function formatRequest(request: AskRequest): string {
  const args = safeForTerminal(JSON.stringify(request.args, null, 2) ?? '{}');
  const lines = [
    '',
    `assay: approval needed at step ${request.step}`,
    `  tool:  ${request.tool}`,
    ...(request.host === null ? [] : [`  host:  ${safeForTerminal(request.host)}`]),
    `  rule:  ${request.rule}`,
    `  why:   ${safeForTerminal(request.reason)}`,
    `  args:  ${args.split('\n').join('\n         ')}`,
    '',
  ];
  return lines.join('\n');
}

/**
 * The arguments come from the model, so characters that could move the cursor, recolour or
 * reorder what the person reads (C1 controls, bidi overrides, zero-width marks) are shown
 * escaped. JSON already escapes the C0 controls.
 */
function safeForTerminal(text: string): string {
  return text.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function openTerminal(): TerminalStreams | null {
  if (process.stdin.isTTY && process.stderr.isTTY) {
    return { input: process.stdin, output: process.stderr, close: () => process.stdin.pause() };
  }
  try {
    const readFd = openSync('/dev/tty', 'r');
    const writeFd = openSync('/dev/tty', 'w');
    const input = new ReadStream(readFd);
    const output = new WriteStream(writeFd);
    return {
      input,
      output,
      close: () => {
        input.destroy();
        output.destroy();
      },
    };
  } catch {
    return null;
  }
}
