/**
 * A timer that aborts its signal when nothing has happened for `ms`. `touch()` restarts it,
 * which turns a whole-request timeout into an idle timeout for streams: a long answer that
 * keeps arriving is fine, a server that goes quiet is not.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private expired = false;

  constructor(private readonly ms: number) {
    this.touch();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True once the timer fired. */
  get fired(): boolean {
    return this.expired;
  }

  touch(): void {
    if (this.expired) return;
    // Called once per streamed chunk: refreshing the one timer is far cheaper than replacing it.
    if (this.timer) {
      this.timer.refresh();
      return;
    }
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort(new DOMException(`no data for ${this.ms} ms`, 'TimeoutError'));
    }, this.ms);
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}
