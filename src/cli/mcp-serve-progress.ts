import type { McpProgress } from '../../tools/mcp/sdk.js';

export const HEARTBEAT_MS = 1_000;

/**
 * The progress a client asked for with a progress token: `started`, then a heartbeat while the
 * call runs, the tool's own progress (an upstream MCP server's) passed on as it comes, and
 * `finished`. MCP wants `progress` to grow with every notification, so it counts
 * notifications; the tool's own figures go in the message. A client that went away is no
 * reason to fail the call: send errors are dropped.
 */
export class CallProgress {
  readonly #send: (update: McpProgress) => Promise<void>;
  readonly #name: string;
  readonly #started = performance.now();
  readonly #timer: NodeJS.Timeout;
  #count = 0;
  #stopped = false;

  constructor(send: (update: McpProgress) => Promise<void>, name: string, heartbeatMs: number) {
    this.#send = send;
    this.#name = name;
    this.#notify(`${name} started`);
    this.#timer = setInterval(() => {
      const seconds = ((performance.now() - this.#started) / 1000).toFixed(1);
      this.#notify(`${name} running (${seconds} s)`);
    }, heartbeatMs);
    this.#timer.unref();
  }

  forward(update: McpProgress): void {
    const of = update.total === undefined ? '' : `/${update.total}`;
    const said = update.message === undefined ? '' : `: ${update.message}`;
    this.#notify(`${this.#name} progress ${update.progress}${of}${said}`);
  }

  async end(how: 'finished' | 'failed'): Promise<void> {
    if (this.#stopped) return;
    this.stop();
    this.#count += 1;
    await this.#send({
      progress: this.#count,
      total: this.#count,
      message: `${this.#name} ${how}`,
    }).catch(() => {});
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }

  #notify(message: string): void {
    if (this.#stopped) return;
    this.#count += 1;
    this.#send({ progress: this.#count, message }).catch(() => {});
  }
}
