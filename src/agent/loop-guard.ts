/**
 * Detects a model that repeats the exact same tool call. The first repeat is answered with a
 * nudge instead of running the tool again; a repeat after that ends the episode.
 */
export class LoopGuard {
  readonly #seen = new Map<string, { step: number; content: string }>();
  #nudged = false;

  /** The earlier call with the same name and arguments, if any. */
  previous(name: string, args: unknown): { step: number; content: string } | undefined {
    return this.#seen.get(callKey(name, args));
  }

  remember(name: string, args: unknown, step: number, content: string): void {
    const key = callKey(name, args);
    if (!this.#seen.has(key)) this.#seen.set(key, { step, content });
  }

  /** Returns true the first time (nudge), false afterwards (stop). */
  nudge(): boolean {
    if (this.#nudged) return false;
    this.#nudged = true;
    return true;
  }
}

function callKey(name: string, args: unknown): string {
  return `${name}\u0000${canonicalJson(args)}`;
}

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` are the same call. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
