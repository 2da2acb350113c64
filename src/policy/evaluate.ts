import type { CompiledPolicy, CompiledRule } from './compile.js';
import type { Condition } from './conditions.js';
import type { CallFacts } from './facts.js';
import type { Effect } from './types.js';

/** What the rules say about one call, before budgets and before anyone answers an `ask`. */
export interface Evaluation {
  effect: Effect;
  /** The rule that decided: the first matching rule with the strongest effect; null for the default. */
  rule: CompiledRule | null;
  /** Every matching rule, in file order. */
  matched: readonly CompiledRule[];
}

/**
 * The whole decision procedure: a rule matches when its tool matches, all its `when`
 * conditions hold and no `unless` block holds; deny beats ask beats allow whatever the order
 * of the rules; with no match, the file's `default` applies. Pure and synchronous.
 */
export function evaluate(policy: CompiledPolicy, facts: CallFacts): Evaluation {
  let deny: CompiledRule | null = null;
  let ask: CompiledRule | null = null;
  let allow: CompiledRule | null = null;
  const matched: CompiledRule[] = [];
  for (const rule of policy.rulesFor(facts.tool)) {
    if (!ruleMatches(rule, facts)) continue;
    matched.push(rule);
    if (rule.effect === 'deny') deny ??= rule;
    else if (rule.effect === 'ask') ask ??= rule;
    else allow ??= rule;
  }
  const rule = deny ?? ask ?? allow;
  return { effect: rule ? rule.effect : policy.defaultEffect, rule, matched };
}

export function ruleMatches(rule: CompiledRule, facts: CallFacts): boolean {
  if (!allHold(rule.when, facts)) return false;
  for (const block of rule.unless) if (allHold(block, facts)) return false;
  return true;
}

function allHold(conditions: readonly Condition[], facts: CallFacts): boolean {
  for (const condition of conditions) if (!condition.test(facts)) return false;
  return true;
}

/** Why each rule for the tool did or did not match, for `policy explain`. */
export interface RuleTrace {
  rule: CompiledRule;
  status: 'matched' | 'not_matched' | 'excepted';
  /** The first `when` condition that failed, or the `unless` block that held. */
  detail: string;
}

export function traceRules(policy: CompiledPolicy, facts: CallFacts): RuleTrace[] {
  return policy.rules.map((rule): RuleTrace => {
    if (!rule.matchesTool(facts.tool)) {
      return { rule, status: 'not_matched', detail: `tool is not ${rule.tools.join(' or ')}` };
    }
    const failed = rule.when.find((condition) => !condition.test(facts));
    if (failed) return { rule, status: 'not_matched', detail: `not: ${failed.text}` };
    const exception = rule.unless.find((block) => allHold(block, facts));
    if (exception) {
      return {
        rule,
        status: 'excepted',
        detail: `unless: ${exception.map((c) => c.text).join(' and ')}`,
      };
    }
    const because = rule.when.map((c) => c.text).join(' and ');
    return { rule, status: 'matched', detail: because === '' ? 'no conditions' : because };
  });
}
