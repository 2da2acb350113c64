const OPEN = '<think>';
const CLOSE = '</think>';

/**
 * Blanks the reasoning block that opens a message, so a call the model only drafted while
 * thinking is not run (servers such as vLLM also parse calls from content only). The block is
 * replaced by spaces of the same length, so positions found in the result still index the
 * original text. A `</think>` with no opening tag (templates that put `<think>` in the prompt)
 * ends a block that started with the message.
 */
export function maskLeadingThink(text: string): string {
  const start = text.length - text.trimStart().length;
  let end: number;
  if (text.startsWith(OPEN, start)) {
    const close = text.indexOf(CLOSE, start);
    end = close === -1 ? text.length : close + CLOSE.length;
  } else {
    const close = text.indexOf(CLOSE);
    if (close === -1 || text.lastIndexOf(OPEN, close) !== -1) return text;
    end = close + CLOSE.length;
  }
  return ' '.repeat(end) + text.slice(end);
}
