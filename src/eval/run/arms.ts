import { UsageError } from '../../core/errors.js';
import { parseArmStrategy, type ReasoningEffort, type Strategy } from './strategy-spec.js';

/**
 * One condition of an A/B run: a name, the tools advertised in it, and optionally an
 * inference-scaling strategy and a reasoning effort (docs/strategies.md). No strategy means
 * one episode per task and sample, as before strategies existed.
 */
export interface Arm {
  name: string;
  tools: string[];
  strategy?: Strategy;
  effort?: ReasoningEffort;
}

const ARM_NAME = /^[a-z0-9][a-z0-9_-]*$/i;

/**
 * Parses `--arms`: `tools` (every enabled tool), `no-tools` (none), or `NAME=tool1+tool2`
 * for a custom tool list, each optionally followed by `@STRATEGY` suffixes
 * (`vote8=@vote:8`, `calc-low=calculator@effort:low`). Tool names are checked against the
 * enabled ones.
 */
export function parseArms(value: string, enabledTools: readonly string[]): Arm[] {
  const arms: Arm[] = [];
  for (const part of value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [head = '', ...suffixes] = part.split('@');
    const eq = head.indexOf('=');
    let arm: Arm;
    if (eq === -1) {
      if (head === 'tools') arm = { name: 'tools', tools: [...enabledTools] };
      else if (head === 'no-tools') arm = { name: 'no-tools', tools: [] };
      else {
        throw new UsageError(
          'USAGE',
          `--arms: unknown arm "${part}"; use tools, no-tools or NAME=tool1+tool2`,
        );
      }
    } else {
      const name = head.slice(0, eq).trim();
      const list = head.slice(eq + 1).trim();
      const tools = list === '' || list === 'none' ? [] : list.split('+').map((t) => t.trim());
      for (const tool of tools) {
        if (!enabledTools.includes(tool)) {
          throw new UsageError(
            'USAGE',
            `--arms: arm "${name}" names tool "${tool}", which is not enabled (--tools ${enabledTools.join(',') || 'none'})`,
          );
        }
      }
      arm = { name, tools };
    }
    if (!ARM_NAME.test(arm.name)) {
      throw new UsageError(
        'USAGE',
        `--arms: "${arm.name}" is not a valid arm name (letters, digits, - and _)`,
      );
    }
    if (suffixes.length > 0) {
      const { strategy, effort } = parseArmStrategy(arm.name, suffixes);
      if (strategy.name !== 'single') arm.strategy = strategy;
      if (effort !== undefined) arm.effort = effort;
      if (strategy.name === 'refine' && strategy.feedback === 'tools' && arm.tools.length === 0) {
        throw new UsageError(
          'USAGE',
          `--arms: arm "${arm.name}" uses refine:…:tools but has no tools; name them (NAME=calculator@refine:2:tools)`,
        );
      }
    }
    if (arms.some((a) => a.name === arm.name)) {
      throw new UsageError('USAGE', `--arms: arm "${arm.name}" is given twice`);
    }
    arms.push(arm);
  }
  if (arms.length === 0) throw new UsageError('USAGE', '--arms: name at least one arm');
  return arms;
}
