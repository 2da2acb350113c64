import { IsolateSession } from '../../sandbox/isolate/isolate-session.js';

/**
 * The isolate of one episode. It outlives runs so variables persist, and it is replaced when
 * a run destroyed it (memory limit, CPU limit, abort) or when the policy lowered the memory
 * limit; the next run is then told that earlier state is gone.
 */
export class EpisodeIsolate {
  #session: IsolateSession | null = null;
  #lostBecause: string | null = null;

  /** The session to run in, and a note for the model when a new one replaced a lost one. */
  async acquire(memoryMb: number): Promise<{ session: IsolateSession; notice: string | null }> {
    const current = this.#session;
    if (current && !current.disposed && current.memoryMb <= memoryMb)
      return { session: current, notice: null };
    if (current && !current.disposed) {
      await current.close();
      this.#lostBecause ??= 'the memory limit for JavaScript was lowered';
    }
    this.#session = await IsolateSession.create({ memoryMb });
    const because = this.#lostBecause;
    this.#lostBecause = null;
    const notice =
      current === null || because === null
        ? null
        : `Note: this runs in a new JavaScript context because ${because}; variables and functions defined in earlier calls no longer exist.`;
    return { session: this.#session, notice };
  }

  /** Records why the isolate is gone, for the notice of the next run. */
  lost(because: string): void {
    this.#lostBecause = because;
  }

  async close(): Promise<void> {
    await this.#session?.close();
    this.#session = null;
  }
}
