/**
 * True when `text` stops inside a JSON value: an unclosed string, object or array. That is the
 * shape a record takes when a crash cuts its write short, as opposed to a line that is
 * complete but wrong.
 */
export function isTruncatedJson(text: string): boolean {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let opened = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (escaped) escaped = false;
      else if (c === 0x5c) escaped = true;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      opened = true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      // A value that closed and then continued is garbage, not a cut-short write.
      if (depth <= 0) return false;
    }
  }
  return opened && (inString || depth > 0);
}
