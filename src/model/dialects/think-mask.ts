import { findLeadingThink } from '../think-tags.js';

/**
 * Blanks the reasoning block that opens a message (`<think>` or `[THINK]`), so a call the model
 * only drafted while thinking is not run (servers such as vLLM also parse calls from content
 * only). The block is replaced by spaces of the same length, so positions found in the result
 * still index the original text.
 */
export function maskLeadingThink(text: string): string {
  const block = findLeadingThink(text);
  if (block === null) return text;
  return ' '.repeat(block.end) + text.slice(block.end);
}
