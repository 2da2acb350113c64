/**
 * Moves a leading `<think>…</think>` block out of the visible text. Servers run without a
 * reasoning parser leave it in `content`; Qwen3 and DeepSeek-R1 templates open the block in
 * the prompt, so the reply may hold only the closing tag. Tool calls drafted inside the block
 * are rehearsals and must not be parsed as calls, so this runs before the dialect parsers.
 */
export function splitThinking(text: string): { text: string; reasoning: string | null } {
  const close = text.indexOf('</think>');
  if (close === -1) return { text, reasoning: null };
  const head = text.slice(0, close);
  const open = head.indexOf('<think>');
  if (open !== -1 && head.slice(0, open).trim() !== '') return { text, reasoning: null };
  if (open === -1 && head.includes('<think')) return { text, reasoning: null };
  const reasoning = (open === -1 ? head : head.slice(open + '<think>'.length)).trim();
  return { text: text.slice(close + '</think>'.length).trimStart(), reasoning };
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
