import { WorkspaceSession, type WorkspaceSessionOptions } from './workspace-session.js';

/**
 * Workspace containers started ahead of need, so an episode's workspace or a grade does not
 * wait for one to start. Each is handed out once, never used before (every episode and grade
 * still gets a fresh container), and the next one starts in the background while the current
 * one is used. The owner calls `close` at the end, which removes the one still waiting.
 */
export class SpareWorkspaceSessions {
  readonly #options: WorkspaceSessionOptions;
  #next: Promise<WorkspaceSession> | undefined;
  #closed = false;

  constructor(options: WorkspaceSessionOptions = {}) {
    this.#options = options;
  }

  /** Starts one in the background unless one is already waiting (e.g. at an episode's end). */
  prepare(): void {
    if (this.#closed || this.#next) return;
    this.#next = WorkspaceSession.start(this.#options);
    this.#next.catch(() => undefined);
  }

  /** The waiting session when it started, else a new one; the next starts meanwhile. */
  async take(): Promise<WorkspaceSession> {
    const waiting = this.#next;
    this.#next = undefined;
    const session = await waiting?.catch(() => undefined);
    this.prepare();
    return session ?? WorkspaceSession.start(this.#options);
  }

  /** The id of the container waiting to be taken, once it has started; undefined when none. */
  async waiting(): Promise<string | undefined> {
    return (await this.#next?.catch(() => undefined))?.id;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const waiting = this.#next;
    this.#next = undefined;
    await (await waiting?.catch(() => undefined))?.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
