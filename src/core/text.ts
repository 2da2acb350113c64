/** Caps text at `maxBytes` (UTF-8), keeping the head and the tail and saying what was dropped. */
export function capText(text: string, maxBytes: number): string {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= maxBytes) return text;
  const buffer = Buffer.from(text, 'utf8');
  const half = Math.max(0, Math.floor((maxBytes - 80) / 2));
  const head = buffer
    .subarray(0, half)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  const tail = buffer
    .subarray(buffer.length - half)
    .toString('utf8')
    .replace(/^\uFFFD/, '');
  return `${head}\n[… ${bytes - 2 * half} bytes omitted …]\n${tail}`;
}
