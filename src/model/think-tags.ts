/**
 * The reasoning delimiters models leave in content: `<think>` (Qwen3, DeepSeek-R1, Magistral
 * 2506) and the `[THINK]` control tokens of Magistral 2509 and Ministral 3.
 */
export const THINK_TAGS: readonly (readonly [open: string, close: string])[] = [
  ['<think>', '</think>'],
  ['[THINK]', '[/THINK]'],
];

/** Where a reasoning block that opens the message ends, or null when there is none. */
export interface ThinkBlock {
  /** Index of the first character of the reasoning (after the opening tag, if any). */
  start: number;
  /** Index of the closing tag, or the text length when the block is never closed. */
  close: number;
  /** Index just after the closing tag (the text length when unclosed). */
  end: number;
}

/**
 * Finds the reasoning block that opens a message. Templates that put the opening tag in the
 * prompt leave only the closing one, so a closing tag with no opening tag before it ends a block
 * that started with the message. A message that opens a block and never closes it was cut off
 * while thinking: all of it is reasoning.
 */
export function findLeadingThink(text: string): ThinkBlock | null {
  const lead = text.length - text.trimStart().length;
  for (const [open, close] of THINK_TAGS) {
    if (text.startsWith(open, lead)) {
      const start = lead + open.length;
      const at = text.indexOf(close, start);
      return at === -1
        ? { start, close: text.length, end: text.length }
        : { start, close: at, end: at + close.length };
    }
  }
  for (const [open, close] of THINK_TAGS) {
    const at = text.indexOf(close);
    if (at === -1) continue;
    // `<think` without its `>` (or an open tag later) means the tags are prose, not a block.
    if (text.lastIndexOf(open.slice(0, -1), at) !== -1) continue;
    return { start: 0, close: at, end: at + close.length };
  }
  return null;
}

/**
 * Moves a leading reasoning block out of the visible text. Servers run without a reasoning
 * parser leave it in `content`. Tool calls drafted inside the block are rehearsals and must not
 * be parsed as calls, so this runs before the dialect parsers.
 */
export function splitThinking(text: string): { text: string; reasoning: string | null } {
  const block = findLeadingThink(text);
  if (block === null) return { text, reasoning: null };
  return {
    text: text.slice(block.end).trimStart(),
    reasoning: text.slice(block.start, block.close).trim(),
  };
}

/**
 * A reply's text and reasoning with a leading think block moved from the text to the
 * reasoning, after any reasoning the server already returned apart. Every provider calls
 * this, so the agent loop gets reasoning split from text whatever the model.
 */
export function moveThinking(
  text: string,
  reasoning: string | null,
): { text: string; reasoning: string | null } {
  const thinking = splitThinking(text);
  if (thinking.reasoning === null) return { text, reasoning };
  return {
    text: thinking.text,
    reasoning: reasoning ? `${reasoning}\n${thinking.reasoning}` : thinking.reasoning,
  };
}
