import { z } from 'zod';

/**
 * The policy file format, version 1. Every object is strict so a misspelt key stops loading
 * instead of being ignored; semantic checks (globs, regexes, tool names, ids, ceilings) run
 * after this in `validate.ts`.
 */
export const POLICY_VERSION = 1;

const effect = z.enum(['allow', 'deny', 'ask']);

/** One value or a list of them; both read as a list. */
const oneOrMany = <T extends z.ZodType>(item: T) =>
  z
    .union([item, z.array(item).min(1)])
    .transform((value) => (Array.isArray(value) ? value : [value]));

const numberMatcher = z
  .strictObject({
    eq: z.number().optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
  })
  .refine((m) => Object.values(m).some((v) => v !== undefined), {
    message: 'needs at least one of eq, lt, lte, gt, gte',
  });

const argMatcher = z
  .strictObject({
    regex: z.string().optional(),
    flags: z.string().optional(),
    glob: z.string().optional(),
    equals: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
    present: z.boolean().optional(),
    eq: z.number().optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
  })
  .refine((m) => Object.entries(m).some(([k, v]) => k !== 'flags' && v !== undefined), {
    message: 'needs at least one of regex, glob, equals, present, eq, lt, lte, gt, gte',
  });

const usageMatcher = z.strictObject({
  calls: numberMatcher.optional(),
  sandbox_seconds: numberMatcher.optional(),
  fetched_bytes: numberMatcher.optional(),
  distinct_hosts: numberMatcher.optional(),
});

export const conditionsSchema = z.strictObject({
  scheme: oneOrMany(z.string().min(1)).optional(),
  host: oneOrMany(z.string().min(1)).optional(),
  port: oneOrMany(z.number().int().min(1).max(65_535)).optional(),
  private_network: z.boolean().optional(),
  path: oneOrMany(z.string().min(1)).optional(),
  url_seen: z.boolean().optional(),
  language: oneOrMany(z.string().min(1)).optional(),
  timeout_s: numberMatcher.optional(),
  args: z.record(z.string(), argMatcher).optional(),
  tainted: z.boolean().optional(),
  mode: z.enum(['interactive', 'batch']).optional(),
  step: numberMatcher.optional(),
  used: usageMatcher.optional(),
  episode_used: usageMatcher.optional(),
  command: oneOrMany(z.string().min(1).max(1_000)).optional(),
  command_unclear: z.boolean().optional(),
  file: oneOrMany(z.string().min(1).max(1_000)).optional(),
});

const numericLimits = {
  timeout_ms: z.number().int().positive().optional(),
  cpu_ms: z.number().int().positive().optional(),
  memory_mb: z.number().int().positive().optional(),
  cpus: z.number().positive().optional(),
  output_bytes: z.number().int().positive().optional(),
};

const ruleLimits = z.strictObject({
  ...numericLimits,
  network: z.boolean().optional(),
  private_network: z.array(z.string().min(1)).optional(),
});

export const ruleSchema = z.strictObject({
  id: z.string().min(1),
  tool: oneOrMany(z.string().min(1)),
  effect,
  when: conditionsSchema.optional(),
  unless: oneOrMany(conditionsSchema).optional(),
  limits: ruleLimits.optional(),
  reason: z.string().min(1).max(1_000).optional(),
});

const budgetLimits = z.strictObject({
  calls: z.number().int().nonnegative().optional(),
  sandbox_seconds: z.number().nonnegative().optional(),
  fetched_bytes: z.number().int().nonnegative().optional(),
  distinct_hosts: z.number().int().nonnegative().optional(),
});

export const policyFileSchema = z.strictObject({
  version: z.literal(POLICY_VERSION),
  description: z.string().optional(),
  default: effect.default('deny'),
  batch_ask: z.enum(['deny', 'allow']).default('deny'),
  limits: z
    .strictObject({
      defaults: z.strictObject({ ...numericLimits, network: z.boolean().optional() }).optional(),
      ceilings: z.strictObject(numericLimits).optional(),
    })
    .optional(),
  budgets: z
    .strictObject({
      episode: budgetLimits.optional(),
      tools: z.record(z.string(), budgetLimits).optional(),
    })
    .optional(),
  rules: z.array(ruleSchema).default([]),
  mcp: z
    .strictObject({
      /** What a call to an MCP tool whose definition no longer matches its pin becomes. */
      on_definition_change: z.enum(['deny', 'ask']).default('deny'),
    })
    .optional(),
});

export type PolicyFile = z.infer<typeof policyFileSchema>;
export type RuleSpec = z.infer<typeof ruleSchema>;
export type ConditionsSpec = z.infer<typeof conditionsSchema>;
export type NumberMatcherSpec = z.infer<typeof numberMatcher>;
export type ArgMatcherSpec = z.infer<typeof argMatcher>;
export type UsageMatcherSpec = z.infer<typeof usageMatcher>;
export type BudgetLimitsSpec = z.infer<typeof budgetLimits>;
export type RuleLimitsSpec = z.infer<typeof ruleLimits>;
