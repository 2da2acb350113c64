import type { ToolUsage } from '../agent/tool.js';
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

const DIMENSIONS = ['calls', 'sandbox_seconds', 'fetched_bytes', 'distinct_hosts'] as const;
type Dimension = (typeof DIMENSIONS)[number];

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
    const scopes: [string, BudgetLimitsSpec, UsageView][] = [
      ['episode', this.#spec.episode, this.view(null)],
      [tool, toolSpec ?? {}, this.view(tool)],
    ];
    for (const [scope, spec, used] of scopes) {
      for (const dimension of DIMENSIONS) {
        const max = spec[dimension];
        if (max === undefined && dimension !== 'calls') continue;
        out[`${scope}.${dimension}`] = { used: round(used[dimension]), max: max ?? null };
      }
    }
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
  const what = scope === 'episode' ? 'tool calls in total' : `${tool} calls`;
  const name = (d: Dimension) => `${scope}.${d}`;
  const stop = `Do not call ${scope === 'episode' ? 'any tool' : tool} again; answer with what you have.`;
  if (spec.calls !== undefined && c.calls >= spec.calls) {
    return {
      budget: name('calls'),
      reason: `Budget exhausted (${name('calls')}): this episode may make at most ${spec.calls} ${what} and has made ${c.calls}. ${stop}`,
    };
  }
  if (spec.sandbox_seconds !== undefined && c.sandbox_ms / 1000 >= spec.sandbox_seconds) {
    return {
      budget: name('sandbox_seconds'),
      reason: `Budget exhausted (${name('sandbox_seconds')}): this episode may use at most ${spec.sandbox_seconds} s of sandbox time${scope === 'episode' ? '' : ` in ${tool}`} and has used ${round(c.sandbox_ms / 1000)} s. ${stop}`,
    };
  }
  if (spec.fetched_bytes !== undefined && c.fetched_bytes >= spec.fetched_bytes) {
    return {
      budget: name('fetched_bytes'),
      reason: `Budget exhausted (${name('fetched_bytes')}): this episode may fetch at most ${spec.fetched_bytes} bytes and has fetched ${c.fetched_bytes}. ${stop}`,
    };
  }
  if (
    spec.distinct_hosts !== undefined &&
    host !== null &&
    !c.hosts.has(host) &&
    c.hosts.size >= spec.distinct_hosts
  ) {
    const known = [...c.hosts].sort().join(', ');
    return {
      budget: name('distinct_hosts'),
      reason: `Budget exhausted (${name('distinct_hosts')}): this episode may contact at most ${spec.distinct_hosts} distinct hosts and ${host} would be a new one. Hosts already contacted, which remain allowed: ${known || 'none'}.`,
    };
  }
  return null;
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
