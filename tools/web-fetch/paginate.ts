export interface Page {
  text: string;
  /** Where the next page starts, or undefined on the last page. */
  nextOffset: number | undefined;
  total: number;
}

/**
 * A slice of `text` from `offset`, at most `maxChars` characters and `maxBytes` bytes of
 * UTF-8, never splitting a surrogate pair.
 */
export function paginate(text: string, offset: number, maxChars: number, maxBytes: number): Page {
  const total = text.length;
  const start = Math.min(Math.max(0, offset), total);
  let end = Math.min(total, start + Math.max(1, maxChars));
  let slice = text.slice(start, end);
  let bytes = Buffer.byteLength(slice);
  while (bytes > maxBytes && end > start) {
    // Shrink by the excess; a character is at most 4 bytes, so this ends in a few rounds.
    end -= Math.max(1, Math.ceil((bytes - maxBytes) / 4));
    slice = text.slice(start, end);
    bytes = Buffer.byteLength(slice);
  }
  // A page always moves forward, even when one character is over the byte limit.
  if (end === start && start < total) {
    end = start + (isHighSurrogate(text.charCodeAt(start)) ? 2 : 1);
    slice = text.slice(start, end);
  } else if (end < total && isHighSurrogate(text.charCodeAt(end - 1))) {
    end -= 1;
    slice = text.slice(start, end);
  }
  return { text: slice, nextOffset: end < total ? end : undefined, total };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
