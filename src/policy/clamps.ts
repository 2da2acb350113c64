import type { NumericLimitName, ToolLimits } from '../core/limits.js';
import type { CompiledPolicy, CompiledRule } from './compile.js';

const NUMERIC: readonly NumericLimitName[] = [
  'timeout_ms',
  'cpu_ms',
  'memory_mb',
  'cpus',
  'output_bytes',
];

/**
 * The limits an allowed call runs under. Every matching allow or ask rule that names a limit
 * takes part and the most restrictive value wins (smallest number, `network: false`, the
 * common part of `private_network`); limits no rule names come from the file's defaults.
 * Everything ends within the ceilings, so an allow is never unbounded.
 */
export function clampsFor(policy: CompiledPolicy, rules: readonly CompiledRule[]): ToolLimits {
  let key = '';
  for (const rule of rules) if (rule.effect !== 'deny') key += `${rule.index},`;
  let cache = caches.get(policy);
  if (!cache) {
    cache = new Map();
    caches.set(policy, cache);
  }
  let clamps = cache.get(key);
  if (!clamps) {
    const merged = mergeClamps(policy, rules);
    clamps = Object.freeze({
      ...merged,
      private_network: Object.freeze([...merged.private_network]),
    });
    if (cache.size < CACHE_LIMIT) cache.set(key, clamps);
  }
  return clamps;
}

/**
 * Most calls match one of a few rule combinations, so merged clamps are kept per combination.
 * They are frozen because every decision with that combination shares the object.
 */
const caches = new WeakMap<CompiledPolicy, Map<string, Readonly<ToolLimits>>>();
const CACHE_LIMIT = 4_096;

export function mergeClamps(policy: CompiledPolicy, rules: readonly CompiledRule[]): ToolLimits {
  const { cpu_ms: defaultCpu, ...defaults } = policy.defaults;
  const out: ToolLimits & { cpu_ms: number } = {
    ...defaults,
    cpu_ms: defaultCpu ?? Number.POSITIVE_INFINITY,
    private_network: [],
  };
  const named = new Set<string>();
  for (const rule of rules) {
    if (rule.effect === 'deny') continue;
    const limits = rule.limits;
    for (const name of NUMERIC) {
      const value = limits[name];
      if (value === undefined) continue;
      out[name] = named.has(name) ? Math.min(out[name], value) : value;
      named.add(name);
    }
    if (limits.network !== undefined) {
      out.network = named.has('network') ? out.network && limits.network : limits.network;
      named.add('network');
    }
    if (limits.private_network !== undefined) {
      out.private_network = named.has('private_network')
        ? out.private_network.filter((cidr) => limits.private_network!.includes(cidr))
        : [...limits.private_network];
      named.add('private_network');
    }
  }
  for (const name of NUMERIC) out[name] = Math.min(out[name], policy.ceilings[name]);
  // CPU time cannot usefully exceed wall time, and it follows the timeout when nothing names it.
  out.cpu_ms = Math.min(out.cpu_ms, out.timeout_ms);
  return out;
}
