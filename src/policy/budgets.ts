import type { ToolUsage } from '../core/tool.js';
import type { BudgetSpec } from './compile.js';
import type { UsageView } from './facts.js';
import type { BudgetLimitsSpec } from './schema.js';

interface Counters {
  calls: number;
  sandbox_ms: number;
  fetched_bytes: number;
  hosts: Set<string>;
}

/** A budget that ran out: its name (`web_fetch.calls`, `episode.fetched_bytes`) and why. */
export interface BudgetDenial {
  budget: string;
  reason: string;
}

export interface BudgetEntry {
  used: number;
  max: number | null;
}

type Dimension = 'calls' | 'sandbox_seconds' | 'fetched_bytes' | 'distinct_hosts';

/**
 * Counts what an episode used, per tool and in total. Calls are counted when they are allowed
 * (so parallel calls cannot overrun a budget together); sandbox time, bytes and hosts when
 * the tool reports them.
 */
export class BudgetLedger {
  readonly #spec: BudgetSpec;
  readonly #episode: Counters = fresh();
  readonly #tools = new Map<string, Counters>();

  constructor(spec: BudgetSpec) {
    this.#spec = spec;
  }

  view(tool: string | null): UsageView {
    const c = tool === null ? this.#episode : this.#counters(tool);
    return {
      calls: c.calls,
      sandbox_seconds: c.sandbox_ms / 1000,
      fetched_bytes: c.fetched_bytes,
      distinct_hosts: c.hosts.size,
    };
  }

  /** The first budget this call would exceed, or null. `host` is the host it would contact. */
  check(tool: string, host: string | null): BudgetDenial | null {
    const toolSpec = Object.hasOwn(this.#spec.tools, tool) ? this.#spec.tools[tool] : undefined;
    return (
      exceeded('episode', this.#spec.episode, this.#episode, host, tool) ??
      (toolSpec ? exceeded(tool, toolSpec, this.#counters(tool), host, tool) : null)
    );
  }

  /**
   * Milliseconds of sandbox time this call may still use under the episode's and the tool's
   * `sandbox_seconds`, or null when neither sets one. A call's timeout is clamped to it, so one
   * call cannot overrun the budget by a whole timeout.
   */
  sandboxMsLeft(tool: string): number | null {
    const toolSpec = Object.hasOwn(this.#spec.tools, tool) ? this.#spec.tools[tool] : undefined;
    let left: number | null = null;
    const scopes: [BudgetLimitsSpec | undefined, Counters][] = [
      [this.#spec.episode, this.#episode],
      [toolSpec, this.#counters(tool)],
    ];
    for (const [spec, c] of scopes) {
      if (spec?.sandbox_seconds === undefined) continue;
      const rest = spec.sandbox_seconds * 1000 - c.sandbox_ms;
      left = left === null ? rest : Math.min(left, rest);
    }
    return left;
  }

  reserve(tool: string, host: string | null): void {
    for (const c of [this.#episode, this.#counters(tool)]) {
      c.calls += 1;
      if (host !== null) c.hosts.add(host);
    }
  }

  record(tool: string, usage: ToolUsage): void {
    for (const c of [this.#episode, this.#counters(tool)]) {
      c.sandbox_ms += nonNegative(usage.sandbox_ms);
      c.fetched_bytes += nonNegative(usage.fetched_bytes);
      for (const host of usage.hosts ?? []) c.hosts.add(host.toLowerCase());
    }
  }

  /** Counters for the trace: the episode's and this tool's, each with its limit if it has one. */
  state(tool: string): Record<string, BudgetEntry> {
    const out: Record<string, BudgetEntry> = {};
    const toolSpec = Object.hasOwn(this.#spec.tools, tool) ? this.#spec.tools[tool] : undefined;
    put(out, 'episode', this.#spec.episode, this.#episode);
    put(out, tool, toolSpec ?? NO_LIMITS, this.#counters(tool));
    return out;
  }

  #counters(tool: string): Counters {
    let c = this.#tools.get(tool);
    if (!c) {
      c = fresh();
      this.#tools.set(tool, c);
    }
    return c;
  }
}

function exceeded(
  scope: string,
  spec: BudgetLimitsSpec,
  c: Counters,
  host: string | null,
  tool: string,
): BudgetDenial | null {
  if (spec.calls !== undefined && c.calls >= spec.calls) {
    const what = scope === 'episode' ? 'tool calls in total' : `${tool} calls`;
    return denial(
      scope,
      'calls',
      tool,
      `this episode may make at most ${spec.calls} ${what} and has made ${c.calls}.`,
    );
  }
  if (spec.sandbox_seconds !== undefined && c.sandbox_ms / 1000 >= spec.sandbox_seconds) {
    const where = scope === 'episode' ? '' : ` in ${tool}`;
    return denial(
      scope,
      'sandbox_seconds',
      tool,
      `this episode may use at most ${spec.sandbox_seconds} s of sandbox time${where} and has used ${round(c.sandbox_ms / 1000)} s.`,
    );
  }
  if (spec.fetched_bytes !== undefined && c.fetched_bytes >= spec.fetched_bytes) {
    return denial(
      scope,
      'fetched_bytes',
      tool,
      `this episode may fetch at most ${spec.fetched_bytes} bytes and has fetched ${c.fetched_bytes}.`,
    );
  }
  if (
    spec.distinct_hosts !== undefined &&
    host !== null &&
    !c.hosts.has(host) &&
    c.hosts.size >= spec.distinct_hosts
  ) {
    const budget = `${scope}.distinct_hosts`;
    const known = [...c.hosts].sort().join(', ');
    return {
      budget,
      reason: `Budget exhausted (${budget}): this episode may contact at most ${spec.distinct_hosts} distinct hosts and ${host} would be a new one. Hosts already contacted, which remain allowed: ${known || 'none'}.`,
    };
  }
  return null;
}

function denial(scope: string, dimension: Dimension, tool: string, what: string): BudgetDenial {
  const budget = `${scope}.${dimension}`;
  const stop = `Do not call ${scope === 'episode' ? 'any tool' : tool} again; answer with what you have.`;
  return { budget, reason: `Budget exhausted (${budget}): ${what} ${stop}` };
}

const NO_LIMITS: BudgetLimitsSpec = {};

function put(
  out: Record<string, BudgetEntry>,
  scope: string,
  spec: BudgetLimitsSpec,
  c: Counters,
): void {
  const keys = keysOf(scope);
  out[keys.calls] = { used: c.calls, max: spec.calls ?? null };
  if (spec.sandbox_seconds !== undefined) {
    out[keys.sandbox_seconds] = { used: round(c.sandbox_ms / 1000), max: spec.sandbox_seconds };
  }
  if (spec.fetched_bytes !== undefined) {
    out[keys.fetched_bytes] = { used: c.fetched_bytes, max: spec.fetched_bytes };
  }
  if (spec.distinct_hosts !== undefined) {
    out[keys.distinct_hosts] = { used: c.hosts.size, max: spec.distinct_hosts };
  }
}

const keyCache = new Map<string, Record<Dimension, string>>();

/** Budget names such as `web_fetch.calls`, built once per scope since every decision reports them. */
function keysOf(scope: string): Record<Dimension, string> {
  let keys = keyCache.get(scope);
  if (!keys) {
    keys = {
      calls: `${scope}.calls`,
      sandbox_seconds: `${scope}.sandbox_seconds`,
      fetched_bytes: `${scope}.fetched_bytes`,
      distinct_hosts: `${scope}.distinct_hosts`,
    };
    if (keyCache.size < 1_024) keyCache.set(scope, keys);
  }
  return keys;
}

function fresh(): Counters {
  return { calls: 0, sandbox_ms: 0, fetched_bytes: 0, hosts: new Set() };
}

function nonNegative(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : 0;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
