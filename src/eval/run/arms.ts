import { UsageError } from '../../core/errors.js';

/** One condition of an A/B run: a name and the tools advertised in it. */
export interface Arm {
  name: string;
  tools: string[];
}

const ARM_NAME = /^[a-z0-9][a-z0-9_-]*$/i;

/**
 * Parses `--arms`: `tools` (every enabled tool), `no-tools` (none), or `NAME=tool1+tool2`
 * for a custom tool list. Tool names are checked against the enabled ones.
 */
export function parseArms(value: string, enabledTools: readonly string[]): Arm[] {
  const arms: Arm[] = [];
  for (const part of value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    let arm: Arm;
    if (eq === -1) {
      if (part === 'tools') arm = { name: 'tools', tools: [...enabledTools] };
      else if (part === 'no-tools') arm = { name: 'no-tools', tools: [] };
      else {
        throw new UsageError(
          'USAGE',
          `--arms: unknown arm "${part}"; use tools, no-tools or NAME=tool1+tool2`,
        );
      }
    } else {
      const name = part.slice(0, eq).trim();
      const list = part.slice(eq + 1).trim();
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
    if (arms.some((a) => a.name === arm.name)) {
      throw new UsageError('USAGE', `--arms: arm "${arm.name}" is given twice`);
    }
    arms.push(arm);
  }
  if (arms.length === 0) throw new UsageError('USAGE', '--arms: name at least one arm');
  return arms;
}
