/**
 * Resource limits a tool call runs under. A policy `allow` always carries a full set: the
 * rule's own limits clamped by these ceilings, or these defaults when the rule names none.
 */
export interface ToolLimits {
  /** Wall-clock limit of one call. */
  timeout_ms: number;
  /**
   * CPU-time limit of one call for sandboxes that can measure it (the JavaScript isolate).
   * Policies always set it; when absent, tools use `timeout_ms`.
   */
  cpu_ms?: number;
  /** Memory for sandboxes and isolates. */
  memory_mb: number;
  /** CPU share for sandboxes. */
  cpus: number;
  /** Bytes of output returned to the model. */
  output_bytes: number;
  /** Whether code may reach the network. */
  network: boolean;
  /**
   * CIDR ranges that fetches may reach despite SSRF protection (loopback, private, link-local).
   * Empty by default; only a policy rule can grant them.
   */
  private_network: readonly string[];
}

export const DEFAULT_LIMITS: Readonly<ToolLimits> = Object.freeze({
  timeout_ms: 30_000,
  memory_mb: 512,
  cpus: 1,
  output_bytes: 16_384,
  network: false,
  private_network: [],
});

/** The limits that are numbers, which rules combine by taking the smallest. */
export type NumericLimitName = 'timeout_ms' | 'cpu_ms' | 'memory_mb' | 'cpus' | 'output_bytes';

/**
 * The most any policy may grant. A policy file can lower these with `limits.ceilings`; a rule
 * that asks for more than its file's ceilings does not load.
 */
export const HARD_CEILINGS: Readonly<Record<NumericLimitName, number>> = Object.freeze({
  timeout_ms: 600_000,
  cpu_ms: 600_000,
  memory_mb: 16_384,
  cpus: 16,
  output_bytes: 4_194_304,
});
