/** A Markdown code fence found in a message. */
export interface Fence {
  lang: string;
  body: string;
  start: number;
  end: number;
}

const FENCE = /```([\w-]*)[^\S\n]*\n([\s\S]*?)\n?[^\S\n]*```/g;

/**
 * The closed fences that end the message, with nothing but whitespace after or between them.
 * Fenced calls count only there: a fence followed by more prose is an example being explained,
 * not a request to run it.
 */
export function trailingFences(text: string): Fence[] {
  const fences = [...text.matchAll(FENCE)];
  const tail: Fence[] = [];
  let tailStart = text.length;
  for (let i = fences.length - 1; i >= 0; i--) {
    const match = fences[i]!;
    const end = match.index + match[0].length;
    if (text.slice(end, tailStart).trim() !== '') break;
    tail.unshift({ lang: match[1]!.toLowerCase(), body: match[2]!, start: match.index, end });
    tailStart = match.index;
  }
  return tail;
}
