import type { CompiledPolicy, CompiledRule } from './compile.js';

/**
 * Reasons are written for the model: they reach it as the tool message of a denied call, so
 * each says which rule decided, why, and what is allowed instead. Without that, models retry
 * the same call in new words.
 */
export function denyReason(rule: CompiledRule, tool: string): string {
  const conditions = conditionsText(rule);
  // A rule without conditions forbids the tool outright; "calls where ." would read as a bug.
  const which = conditions === '' ? `every ${tool} call` : `${tool} calls where ${conditions}`;
  const because = rule.reason ?? `Rule "${rule.id}" forbids ${which}.`;
  return `${because} (rule ${rule.id})`;
}

const defaultReasons = new WeakMap<CompiledPolicy, Map<string, string>>();

/** The reason depends only on the policy and the tool, so it is written once per tool. */
export function defaultDenyReason(policy: CompiledPolicy, tool: string): string {
  let cache = defaultReasons.get(policy);
  if (!cache) {
    cache = new Map();
    defaultReasons.set(policy, cache);
  }
  let reason = cache.get(tool);
  if (reason === undefined) {
    reason = writeDefaultDenyReason(policy, tool);
    if (cache.size < 1_024) cache.set(tool, reason);
  }
  return reason;
}

function writeDefaultDenyReason(policy: CompiledPolicy, tool: string): string {
  const permitting = policy.rulesFor(tool).filter((rule) => rule.effect !== 'deny');
  if (permitting.length === 0) {
    return `${tool} is not allowed by this policy at all; do not call it again. (default: deny)`;
  }
  const allowed = permitting.map((rule) => `${describe(rule)} (rule ${rule.id})`).join('; ');
  return `No rule allows this ${tool} call and the policy denies everything else. Allowed ${tool} calls: ${allowed}. (default: deny)`;
}

export function allowReason(rule: CompiledRule | null): string {
  if (rule === null) return 'allowed by the default of the policy (no rule matched)';
  return rule.reason === undefined
    ? `allowed by rule ${rule.id}`
    : `allowed by rule ${rule.id}: ${rule.reason}`;
}

export function askDeniedInBatch(rule: CompiledRule | null, tool: string): string {
  const which = rule === null ? 'The policy' : `Rule "${rule.id}"`;
  const why = rule?.reason === undefined ? '' : ` ${rule.reason}`;
  return `${which} requires a person to approve this ${tool} call, and this run has nobody to ask (batch_ask: deny).${why} Do not retry it.`;
}

export function askDeniedByUser(
  rule: CompiledRule | null,
  tool: string,
  reason: string | undefined,
): string {
  const which = rule === null ? '' : ` (rule ${rule.id} asked)`;
  const said = reason === undefined || reason.trim() === '' ? '' : ` They said: ${reason.trim()}`;
  return `The user refused this ${tool} call${which}.${said} Do not retry it.`;
}

function describe(rule: CompiledRule): string {
  if (rule.reason !== undefined) return rule.reason.replace(/\.$/, '');
  const text = conditionsText(rule);
  const prefix = rule.effect === 'ask' ? 'with a person’s approval, ' : '';
  return `${prefix}${text === '' ? 'any call' : `calls where ${text}`}`;
}

function conditionsText(rule: CompiledRule): string {
  return rule.when.map((condition) => condition.text).join(' and ');
}
