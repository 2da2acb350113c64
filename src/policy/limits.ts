/**
 * Resource limits a tool call runs under. A policy `allow` always carries a full set: the
 * rule's own limits clamped by these ceilings, or these defaults when the rule names none.
 */
export interface ToolLimits {
  /** Wall-clock limit of one call. */
  timeout_ms: number;
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
