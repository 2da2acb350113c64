import { z } from 'zod';
import { throwIfAborted } from '../../src/core/abort.js';
import { defineTool, type ToolDefinition } from '../../src/core/tool.js';
import { calculate } from './evaluate.js';
import { type CalculatorLimits, DEFAULT_CALCULATOR_LIMITS } from './limits.js';

export type { Calculation, CalculationErrorCode } from './evaluate.js';
export { calculate } from './evaluate.js';
export type { CalculatorLimits } from './limits.js';
export { DEFAULT_CALCULATOR_LIMITS } from './limits.js';

export interface CalculatorInput {
  expression: string;
}

const DESCRIPTION = [
  'Evaluates a math expression exactly and returns the result. Use it for any arithmetic instead of computing in your head.',
  'Integers and fractions are exact at any size: 123456789*987654321, 2^200, 30!, 1/3 + 1/6 gives 1/2.',
  'Write a decimal point (22/7.0) or use round(x, n) to get decimals.',
  'Syntax: + - * / ^ (power), ! (factorial), mod, parentheses; functions sqrt(x), cbrt(x), nthRoot(x, n), exp(x), log(x) (natural), log(x, base), log10(x), log2(x), sin/cos/tan/asin/acos/atan (radians, or sin(30 deg)), factorial(n), combinations(n, k), permutations(n, k), gcd(a, b), lcm(a, b), round(x, n), floor, ceil, abs, min, max, sum, mean, median, std, isPrime(n); constants pi, e.',
  'Units: "5 km to mile", "100 degF to degC", "3 hours + 20 minutes to minutes".',
  'Several statements: "x = 3; y = 4; sqrt(x^2 + y^2)".',
].join(' ');

const inputSchema = z.strictObject({
  expression: z
    .string()
    .min(1)
    .describe('The expression to evaluate, e.g. "(2^64 - 1) mod 97" or "sqrt(2) * 10"'),
});

/** The calculator tool: exact big-number arithmetic on a locked-down mathjs. */
export function createCalculatorTool(
  limits: Readonly<CalculatorLimits> = DEFAULT_CALCULATOR_LIMITS,
): ToolDefinition<CalculatorInput> {
  return defineTool<CalculatorInput>({
    name: 'calculator',
    description: DESCRIPTION,
    inputSchema,
    async run(args, ctx) {
      throwIfAborted(ctx.signal);
      const timeoutMs = Math.min(limits.timeoutMs, ctx.limits.timeout_ms);
      const outcome = calculate(args.expression, { ...limits, timeoutMs });
      if (outcome.ok) {
        const content = capContent(outcome.result, ctx.limits.output_bytes);
        return {
          ok: true,
          content,
          data: { expression: outcome.expression, result: outcome.result, exact: outcome.exact },
        };
      }
      const content = `Error: ${outcome.message}.\nExpression: ${outcome.expression}`;
      return {
        ok: false,
        content,
        data: { expression: outcome.expression },
        error: { code: outcome.code, message: outcome.message },
      };
    },
  });
}

/** Shortens text past the output budget and says so, so a long result cannot flood the context. */
function capContent(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const kept = text.slice(0, Math.max(0, maxBytes - 80));
  return `${kept}… (result truncated: ${text.length} characters in all)`;
}
