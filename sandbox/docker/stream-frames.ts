/**
 * Splits Docker's multiplexed attach stream (an 8-byte header per frame: stream type, then a
 * big-endian payload length) into stdout and stderr payloads, without copying payloads.
 */
export class DockerDemuxer {
  readonly #header = Buffer.alloc(8);
  #headerBytes = 0;
  #remaining = 0;
  #stream = 0;

  constructor(private readonly onPayload: (stream: number, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#remaining === 0) {
        const take = Math.min(8 - this.#headerBytes, chunk.length - offset);
        chunk.copy(this.#header, this.#headerBytes, offset, offset + take);
        this.#headerBytes += take;
        offset += take;
        if (this.#headerBytes < 8) return;
        this.#headerBytes = 0;
        this.#stream = this.#header[0] ?? 0;
        this.#remaining = this.#header.readUInt32BE(4);
        continue;
      }
      const take = Math.min(this.#remaining, chunk.length - offset);
      this.onPayload(this.#stream, chunk.subarray(offset, offset + take));
      this.#remaining -= take;
      offset += take;
    }
  }
}

/** Cuts a byte stream into newline-terminated lines, refusing lines longer than `maxLineBytes`. */
export class LineSplitter {
  #parts: Buffer[] = [];
  #length = 0;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: Buffer) => void,
    private readonly onOverflow: () => void,
  ) {}

  push(chunk: Buffer): void {
    let rest = chunk;
    for (;;) {
      const newline = rest.indexOf(0x0a);
      if (newline < 0) break;
      const end = rest.subarray(0, newline);
      const line = this.#parts.length === 0 ? end : Buffer.concat([...this.#parts, end]);
      this.#parts = [];
      this.#length = 0;
      this.onLine(line);
      rest = rest.subarray(newline + 1);
    }
    if (rest.length === 0) return;
    this.#length += rest.length;
    if (this.#length > this.maxLineBytes) {
      this.#parts = [];
      this.#length = 0;
      this.onOverflow();
      return;
    }
    this.#parts.push(rest);
  }
}
