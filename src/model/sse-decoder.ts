/** One server-sent event: its `event` field (null when absent) and its data lines joined. */
export interface SseEvent {
  event: string | null;
  data: string;
}

/**
 * A server-sent-events decoder whose work is linear in the bytes it is fed, however the
 * stream is cut. The `openai` client's decoder re-copies its whole buffer for every event it
 * takes out (`iterSSEChunks`), which costs O(events × buffer): a 2 MB answer streamed in
 * small deltas took close to a minute. Here each piece of text is scanned once, and a line
 * split over many pieces is joined once, when its end arrives.
 *
 * Field rules follow the SSE spec as the `openai` client applies them: lines end at `\n`,
 * `\r\n` or `\r`; a blank line ends an event (only if it has an `event` or `data` field);
 * `:` starts a comment; one space after the colon is dropped; an event left open when the
 * stream ends is dropped.
 */
export class SseDecoder {
  private readonly text = new TextDecoder('utf-8');
  /** The start of a line whose end has not arrived yet, in the pieces it came in. */
  private partial: string[] = [];
  /** The last piece ended with `\r`: a `\n` opening the next one belongs to that line end. */
  private afterCR = false;
  private event: string | null = null;
  private data: string[] = [];
  /** Characters examined or copied so far: the decoder's work, for tests of its linearity. */
  work = 0;

  /** Decodes the next bytes of the stream; returns the events they complete. */
  push(bytes: Uint8Array): SseEvent[] {
    return this.pushText(this.text.decode(bytes, { stream: true }));
  }

  /** Ends the stream. A line without its line break cannot end an event: it is dropped. */
  end(): SseEvent[] {
    const events = this.pushText(this.text.decode());
    this.partial = [];
    return events;
  }

  private pushText(piece: string): SseEvent[] {
    const events: SseEvent[] = [];
    let at = this.afterCR && piece.charCodeAt(0) === LF ? 1 : 0;
    this.afterCR = false;
    // The next `\r` and `\n`, each searched for again only once passed: most streams have no
    // `\r`, and a search that finds none must not rescan the rest of the piece for every line.
    let cr = -2;
    let lf = -2;
    while (at < piece.length) {
      if (cr !== -1 && cr < at) cr = piece.indexOf('\r', at);
      if (lf !== -1 && lf < at) lf = piece.indexOf('\n', at);
      const end = cr !== -1 && (lf === -1 || cr < lf) ? cr : lf;
      if (end === -1) {
        this.partial.push(at === 0 ? piece : piece.slice(at));
        this.work += piece.length - at;
        break;
      }
      this.work += end - at + 1;
      this.line(this.takePartial(piece.slice(at, end)), events);
      at = end + 1;
      if (end === cr) {
        if (at === piece.length) this.afterCR = true;
        else if (piece.charCodeAt(at) === LF) at++;
      }
    }
    return events;
  }

  /** The pending start of the line (if any) joined with its last part, once. */
  private takePartial(last: string): string {
    if (this.partial.length === 0) return last;
    this.partial.push(last);
    const whole = this.partial.join('');
    this.work += whole.length;
    this.partial = [];
    return whole;
  }

  private line(line: string, events: SseEvent[]): void {
    if (line === '') {
      if (this.event === null && this.data.length === 0) return;
      events.push({ event: this.event, data: this.data.join('\n') });
      this.event = null;
      this.data = [];
      return;
    }
    if (line.charCodeAt(0) === COLON) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === SPACE) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
  }
}

const LF = 10;
const COLON = 58;
const SPACE = 32;
