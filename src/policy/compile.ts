import ipaddr from 'ipaddr.js';
import {
  DEFAULT_LIMITS,
  HARD_CEILINGS,
  type NumericLimitName,
  type ToolLimits,
} from '../core/limits.js';
import { type Condition, compileConditions } from './conditions.js';
import { compileGlob, type IssueSink, isGlob } from './matchers.js';
import type { BudgetLimitsSpec, PolicyFile, RuleLimitsSpec, RuleSpec } from './schema.js';
import type { Effect } from './types.js';

export interface CompiledRule {
  id: string;
  /** Position in the file's `rules` list. */
  index: number;
  effect: Effect;
  /** The `tool` patterns as written. */
  tools: readonly string[];
  matchesTool(tool: string): boolean;
  when: readonly Condition[];
  /** Exceptions: the rule does not apply when every condition of any one block holds. */
  unless: readonly (readonly Condition[])[];
  limits: RuleLimitsSpec;
  reason: string | undefined;
  /** 1-based line of the rule in its file, when known. */
  line: number | null;
}

export interface BudgetSpec {
  episode: BudgetLimitsSpec;
  tools: Readonly<Record<string, BudgetLimitsSpec>>;
}

export interface CompiledPolicy {
  description: string | undefined;
  defaultEffect: Effect;
  batchAsk: 'deny' | 'allow';
  /** `mcp.on_definition_change`: a call to a re-defined MCP tool is refused, or put to a person. */
  onDefinitionChange: 'deny' | 'ask';
  rules: readonly CompiledRule[];
  /**
   * Limits for allowed calls whose rules name none, already within the ceilings. `cpu_ms` is
   * present only when the file sets it; otherwise it follows the call's timeout.
   */
  defaults: Readonly<ToolLimits>;
  ceilings: Readonly<Record<NumericLimitName, number>>;
  budgets: BudgetSpec;
  /** The rules whose `tool` matches, in file order; cached per tool name. */
  rulesFor(tool: string): readonly CompiledRule[];
}

const NUMERIC: readonly NumericLimitName[] = [
  'timeout_ms',
  'cpu_ms',
  'memory_mb',
  'cpus',
  'output_bytes',
];
const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

/**
 * Turns a schema-valid policy file into matchers, reporting every semantic problem (bad globs
 * and regexes, unknown tools, duplicate ids, limits above the ceilings) instead of stopping
 * at the first, so one `policy validate` run lists them all.
 */
export function compilePolicy(
  spec: PolicyFile,
  knownTools: readonly string[],
  report: IssueSink,
  lineOf: (path: readonly PropertyKey[]) => number | null,
): CompiledPolicy {
  const ceilings = { ...HARD_CEILINGS };
  for (const name of NUMERIC) {
    const value = spec.limits?.ceilings?.[name];
    if (value === undefined) continue;
    if (value > HARD_CEILINGS[name]) {
      report({
        path: ['limits', 'ceilings', name],
        message: `${value} is above assay's own ceiling of ${HARD_CEILINGS[name]}`,
      });
    } else {
      ceilings[name] = value;
    }
  }
  checkWithin(spec.limits?.defaults ?? {}, ceilings, ['limits', 'defaults'], report);
  const defaults = resolveDefaults(spec.limits?.defaults ?? {}, ceilings);

  const firstById = new Map<string, number>();
  const rules = spec.rules.map((rule, index) =>
    compileRule(rule, index, knownTools, ceilings, report, lineOf, firstById),
  );

  const toolBudgets = spec.budgets?.tools ?? {};
  for (const name of Object.keys(toolBudgets)) {
    if (!knownTools.includes(name)) {
      report({ path: ['budgets', 'tools', name], message: unknownTool(name, knownTools) });
    }
  }

  const cache = new Map<string, readonly CompiledRule[]>();
  return {
    description: spec.description,
    defaultEffect: spec.default,
    batchAsk: spec.batch_ask,
    onDefinitionChange: spec.mcp?.on_definition_change ?? 'deny',
    rules,
    defaults,
    ceilings,
    budgets: { episode: spec.budgets?.episode ?? {}, tools: toolBudgets },
    rulesFor(tool) {
      let found = cache.get(tool);
      if (!found) {
        found = rules.filter((rule) => rule.matchesTool(tool));
        cache.set(tool, found);
      }
      return found;
    },
  };
}

/**
 * The semantic checks of the rules that passed the schema on their own, for a file that
 * failed it elsewhere: `policy validate` then still lists unknown tools, bad globs and
 * duplicate ids in the same run. `null` marks a rule the schema rejected.
 */
export function checkRules(
  rules: readonly (RuleSpec | null)[],
  knownTools: readonly string[],
  report: IssueSink,
  lineOf: (path: readonly PropertyKey[]) => number | null,
): void {
  const firstById = new Map<string, number>();
  rules.forEach((rule, index) => {
    if (rule) compileRule(rule, index, knownTools, HARD_CEILINGS, report, lineOf, firstById);
  });
}

function compileRule(
  rule: RuleSpec,
  index: number,
  knownTools: readonly string[],
  ceilings: Readonly<Record<NumericLimitName, number>>,
  report: IssueSink,
  lineOf: (path: readonly PropertyKey[]) => number | null,
  firstById: Map<string, number>,
): CompiledRule {
  const path = ['rules', index];
  if (!RULE_ID.test(rule.id) || rule.id === 'default') {
    report({
      path: [...path, 'id'],
      message: `rule id "${rule.id}" must be letters, digits, ".", "_" or "-" (and not "default")`,
    });
  }
  const first = firstById.get(rule.id);
  if (first === undefined) {
    firstById.set(rule.id, index);
  } else {
    const line = lineOf(['rules', first]);
    report({
      path: [...path, 'id'],
      message: `duplicate rule id "${rule.id}" (first used by rules[${first}]${line ? `, line ${line}` : ''})`,
    });
  }

  const toolTests: ((tool: string) => boolean)[] = [];
  rule.tool.forEach((pattern, i) => {
    const at = rule.tool.length === 1 ? [...path, 'tool'] : [...path, 'tool', i];
    if (!isGlob(pattern)) {
      if (!knownTools.includes(pattern))
        report({ path: at, message: unknownTool(pattern, knownTools) });
      toolTests.push((tool) => tool === pattern);
      return;
    }
    const test = compileGlob(pattern, { dot: true }, at, report);
    if (!test) return;
    if (!knownTools.some(test)) {
      report({
        path: at,
        message: `tool pattern "${pattern}" matches none of the known tools (${knownTools.join(', ')})`,
      });
    }
    toolTests.push(test);
  });

  // An allow's `when` and a deny's or ask's `unless` widen what runs: unclear commands and
  // paths must fail them. The other two narrow it: unclear input must hold for them.
  const widens = rule.effect === 'allow';
  const when = rule.when
    ? compileConditions(rule.when, [...path, 'when'], report, widens ? 'widen' : 'narrow')
    : [];
  const unless = (rule.unless ?? []).map((block, i) =>
    compileConditions(
      block,
      rule.unless!.length === 1 ? [...path, 'unless'] : [...path, 'unless', i],
      report,
      widens ? 'narrow' : 'widen',
    ),
  );

  const limits = rule.limits ?? {};
  checkWithin(limits, ceilings, [...path, 'limits'], report);
  (limits.private_network ?? []).forEach((cidr, i) => {
    if (!isCidr(cidr)) {
      report({
        path: [...path, 'limits', 'private_network', i],
        message: `"${cidr}" is not a CIDR range such as 10.0.0.0/8 or fd00::/8`,
      });
    }
  });
  if (limits.private_network && rule.effect === 'deny') {
    report({
      path: [...path, 'limits'],
      message: 'a deny rule grants nothing; limits belong on allow or ask rules',
    });
  }

  return {
    id: rule.id,
    index,
    effect: rule.effect,
    tools: rule.tool,
    matchesTool: (tool) => toolTests.some((test) => test(tool)),
    when,
    unless,
    limits,
    reason: rule.reason,
    line: lineOf(path),
  };
}

type NumericSpec = { readonly [K in NumericLimitName]?: number | undefined };

function checkWithin(
  limits: NumericSpec,
  ceilings: Readonly<Record<NumericLimitName, number>>,
  path: readonly PropertyKey[],
  report: IssueSink,
): void {
  for (const name of NUMERIC) {
    const value = limits[name];
    if (value !== undefined && value > ceilings[name]) {
      report({
        path: [...path, name],
        message: `${value} is above the ceiling of ${ceilings[name]}`,
      });
    }
  }
}

function resolveDefaults(
  defaults: NumericSpec & { network?: boolean | undefined },
  ceilings: Readonly<Record<NumericLimitName, number>>,
): ToolLimits {
  const pick = (name: NumericLimitName, fallback: number) =>
    Math.min(defaults[name] ?? fallback, ceilings[name]);
  const resolved: ToolLimits = {
    timeout_ms: pick('timeout_ms', DEFAULT_LIMITS.timeout_ms),
    memory_mb: pick('memory_mb', DEFAULT_LIMITS.memory_mb),
    cpus: pick('cpus', DEFAULT_LIMITS.cpus),
    output_bytes: pick('output_bytes', DEFAULT_LIMITS.output_bytes),
    network: defaults.network ?? false,
    private_network: [],
  };
  if (defaults.cpu_ms !== undefined) resolved.cpu_ms = pick('cpu_ms', defaults.cpu_ms);
  return resolved;
}

function isCidr(text: string): boolean {
  try {
    ipaddr.parseCIDR(text);
    return true;
  } catch {
    return false;
  }
}

function unknownTool(name: string, knownTools: readonly string[]): string {
  return `unknown tool "${name}" (known tools: ${knownTools.join(', ')})`;
}
