import type { Command } from 'commander';
import type { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { isPlainObject, safeJsonParse } from '../core/json.js';
import type { SetExit } from './commands.js';

/** The flags of `policy explain`, built when it runs so that `--help` loads no zod. */
async function explainFlagsSchema() {
  const { z } = await import('zod');
  return z.object({
    tool: z.string().min(1),
    args: z.string().default('{}'),
    tainted: z.boolean().default(false),
    step: z.coerce.number().int().nonnegative({ message: 'must be a whole number' }).default(1),
    batch: z.boolean().default(false),
    interactive: z.boolean().default(false),
    prompt: z.string().default(''),
    json: z.boolean().default(false),
  });
}

/** The policy loader (YAML, zod, the matchers), loaded by the subcommands that read a policy. */
async function policyModules() {
  const [{ loadPolicy }, { BUILTIN_TOOL_NAMES }, { explainCall, formatExplanation }] =
    await Promise.all([
      import('../policy/load.js'),
      import('../policy/known-tools.js'),
      import('../policy/explain.js'),
    ]);
  return { loadPolicy, BUILTIN_TOOL_NAMES, explainCall, formatExplanation };
}

/** `assay policy validate|explain`: check a policy file, and see how it decides one call. */
export function registerPolicyCommand(program: Command, setExit: SetExit): void {
  const policy = program
    .command('policy')
    .description('check policy files and explain their decisions');

  policy
    .command('validate')
    .description('load a policy file; print every problem with its file, line and key')
    .argument('<file>', 'a YAML or JSON policy file')
    .action(async (file: string) => {
      const { loadPolicy, BUILTIN_TOOL_NAMES } = await policyModules();
      const loaded = await loadPolicy(file, { knownTools: BUILTIN_TOOL_NAMES });
      const c = loaded.compiled;
      const rules = `${c.rules.length} rule${c.rules.length === 1 ? '' : 's'}`;
      process.stdout.write(
        `${file}: valid (${rules}, default ${c.defaultEffect}, batch_ask ${c.batchAsk}, sha256 ${loaded.sha256})\n`,
      );
      setExit(0);
    });

  policy
    .command('explain')
    .description(
      'show the decision for one tool call: the deciding rule, every matching rule and the clamps',
    )
    .argument('<file>', 'a YAML or JSON policy file')
    .requiredOption('--tool <name>', 'the tool called')
    .option('--args <json>', 'the call arguments as a JSON object', '{}')
    .option('--tainted', 'decide as if web content were already in the episode')
    .option('--step <n>', 'the step number of the call', '1')
    .option('--batch', 'decide as a run with nobody to ask (the default)')
    .option('--interactive', 'decide as a run with a person at the terminal')
    .option('--prompt <text>', "the user's prompt; its URLs count as seen")
    .option('--json', 'print the explanation as JSON')
    .action(async (file: string, raw: Record<string, unknown>) => {
      const flags = await explainFlags(raw);
      if (flags.batch && flags.interactive) {
        throw new UsageError('USAGE', '--batch and --interactive exclude each other');
      }
      const parsed = safeJsonParse(flags.args);
      if (!parsed.ok || !isPlainObject(parsed.value)) {
        const why = parsed.ok ? 'it is not a JSON object' : parsed.error;
        throw new UsageError(
          'USAGE',
          `--args must be a JSON object such as '{"url":"https://example.org"}': ${why}`,
        );
      }
      const { loadPolicy, BUILTIN_TOOL_NAMES, explainCall, formatExplanation } =
        await policyModules();
      const loaded = await loadPolicy(file, { knownTools: BUILTIN_TOOL_NAMES });
      const explanation = await explainCall(loaded, {
        tool: flags.tool,
        args: parsed.value,
        step: flags.step,
        tainted: flags.tainted,
        interactive: flags.interactive,
        prompt: flags.prompt,
      });
      process.stdout.write(
        flags.json ? `${JSON.stringify(explanation, null, 2)}\n` : formatExplanation(explanation),
      );
      setExit(0);
    });
}

async function explainFlags(
  raw: unknown,
): Promise<z.infer<Awaited<ReturnType<typeof explainFlagsSchema>>>> {
  const parsed = (await explainFlagsSchema()).safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const flag = issue?.path[0] === undefined ? '' : `--${String(issue.path[0])}: `;
  throw new UsageError('USAGE', `${flag}${issue?.message ?? 'invalid options'}`);
}
