/**
 * Collects `console` output of one run up to a byte limit. `append` returns the number of
 * characters still welcome, which the isolate uses to stop formatting output nobody will
 * read; a character is at most 4 UTF-8 bytes, but the isolate sends at most this many
 * characters, and the exact byte cut happens here.
 */
export class OutputBuffer {
  readonly #limit: number;
  #bytes = 0;
  #parts: string[] = [];
  #truncated = false;

  constructor(limitBytes: number) {
    this.#limit = Math.max(0, Math.floor(limitBytes));
  }

  /** Adds one `console` call's text as a line; `console.log` and `console.error` share it. */
  append(text: string): number {
    if (this.#truncated) return 0;
    const line = `${text}\n`;
    const size = Buffer.byteLength(line, 'utf8');
    if (this.#bytes + size <= this.#limit) {
      this.#parts.push(line);
      this.#bytes += size;
    } else {
      const room = this.#limit - this.#bytes;
      const cut = Buffer.from(line, 'utf8')
        .subarray(0, room)
        .toString('utf8')
        .replace(/\uFFFD$/, '');
      this.#parts.push(cut);
      this.#bytes = this.#limit;
      this.#truncated = true;
    }
    return this.remainingChars;
  }

  get remainingChars(): number {
    return this.#truncated ? 0 : this.#limit - this.#bytes;
  }

  get text(): string {
    return this.#parts.join('');
  }

  get truncated(): boolean {
    return this.#truncated;
  }
}
