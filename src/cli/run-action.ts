import { resolve } from 'node:path';
import { z } from 'zod';
import type { AgentEvent } from '../agent/events.js';
import { DEFAULT_MAX_STEPS } from '../agent/max-steps.js';
import { errorMessage, UsageError } from '../core/errors.js';
import type { Policy } from '../policy/types.js';
import type { TraceRecord } from '../trace/schema.js';
import { modelFromOptions } from './model-options.js';
import { parseOptions } from './parse-options.js';
import { toolsFromOptions, usableTools } from './tool-options.js';

const runFlagsSchema = z.object({
  maxSteps: z.coerce
    .number()
    .int()
    .positive({ message: 'must be a positive integer' })
    .default(DEFAULT_MAX_STEPS),
  trace: z.string().optional(),
  json: z.boolean().default(false),
  system: z.string().optional(),
  policy: z.string().optional(),
  mcp: z.string().optional(),
  mcpPins: z.string().optional(),
  verbose: z.boolean().default(false),
  workspace: z.string().min(1).optional(),
  diff: z.string().min(1).optional(),
  apply: z.boolean().default(false),
});

/** What `assay run` does; run-command.ts declares its flags and imports this when it runs. */
export async function runCommand(
  prompt: string,
  raw: Record<string, unknown>,
  toolsExplicit: boolean,
): Promise<number> {
  const flags = parseOptions(runFlagsSchema, raw);
  if ((flags.diff !== undefined || flags.apply) && flags.workspace === undefined)
    throw new UsageError('USAGE', '--diff and --apply need --workspace DIR');
  // Imported here, not at the top, so that `assay --help` loads none of them.
  const { runEpisode } = await import('../agent/episode.js');
  const { loadBuiltinPolicy } = await import('../policy/builtin.js');
  const { loadPolicy } = await import('../policy/load.js');
  const { storeArtifact } = await import('../trace/artifacts.js');
  const { defaultTracePath } = await import('../trace/defaults.js');
  const { TraceWriter } = await import('../trace/writer.js');
  const { provider, sampling, recordTokens } = await modelFromOptions(raw);
  // The workspace sandbox is loaded only for `--workspace`.
  const workspaceRun = flags.workspace === undefined ? null : await import('./workspace-run.js');
  const opened =
    flags.workspace === undefined || workspaceRun === null
      ? undefined
      : await workspaceRun.openRunWorkspace(
          resolve(flags.workspace),
          typeof raw['image'] === 'string' ? raw['image'] : undefined,
        );
  const workspaceTools = opened
    ? {
        workspace: () => Promise.resolve(opened.workspace.session),
        ...(toolsExplicit ? {} : { defaultTools: 'workspace' }),
      }
    : {};
  const toolChoice = await usableTools(
    await toolsFromOptions(raw, { pythonPool: 0, ...workspaceTools }),
    {
      requiredBy: toolsExplicit ? '--tools' : undefined,
      onWarning: (message) => process.stderr.write(`assay: warning: ${message}\n`),
    },
  );
  // The MCP client is loaded only for a run that names MCP servers.
  const mcpOptions = flags.mcp === undefined ? null : await import('./mcp-options.js');
  const mcp =
    mcpOptions === null
      ? null
      : await mcpOptions.mcpToolsFromFlag(flags.mcp, { pins: flags.mcpPins });
  const policy = await (mcpOptions !== null
    ? mcpOptions.policyWithMcp(flags.policy, mcp)
    : flags.policy === undefined
      ? loadBuiltinPolicy('default')
      : loadPolicy(resolve(flags.policy))
  ).catch(async (error: unknown) => {
    await mcp?.close();
    throw error;
  });
  const tracePath = resolve(flags.trace ?? defaultTracePath(process.cwd(), new Date()));
  const toolSet = toolChoice.create();
  const writer = await TraceWriter.open(tracePath).catch(async (error: unknown) => {
    await toolSet.close();
    await mcp?.close();
    await opened?.workspace.close();
    throw error;
  });

  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let record: TraceRecord;
  let applyError: unknown = null;
  try {
    record = await runEpisode({
      model: provider,
      prompt,
      ...(flags.system === undefined ? {} : { system: flags.system }),
      tools: { ...toolSet.tools, ...mcp?.tools },
      policy,
      maxSteps: flags.maxSteps,
      sampling,
      recordTokens,
      signal: controller.signal,
      interactive: process.stdin.isTTY === true && process.stderr.isTTY === true,
      artifactSink: (traceId) => (artifact) => storeArtifact(tracePath, traceId, artifact),
      ...(flags.verbose ? { onEvent: printEvent } : {}),
    });
    if (opened && workspaceRun) {
      record = await workspaceRun.attachWorkspace(record, opened.workspace, tracePath);
      if (flags.apply) {
        ({ record, applyError } = await applyByPolicy(workspaceRun, opened, record, policy));
      }
    }
    if (mcpOptions !== null) record = mcpOptions.withMcpInfo(record, mcp);
    // What is printed is what was written: capped, so `--json` never prints a huge line.
    record = await writer.append(record);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await writer.close();
    await toolSet.close();
    await mcp?.close();
    await opened?.workspace.close();
    await provider.close?.();
  }
  if (opened && workspaceRun && record.workspace) {
    const { diffStat, writeDiff } = workspaceRun;
    const full = opened.workspace.fullDiff;
    if (flags.diff !== undefined) await writeDiff(resolve(flags.diff), full);
    const { incomplete } = opened.workspace;
    if (incomplete !== null) process.stderr.write(`assay: the diff is incomplete: ${incomplete}\n`);
    if (!flags.json) {
      if (record.final_answer !== null) process.stdout.write(`${record.final_answer}\n`);
      process.stdout.write(diffStat(record.workspace));
    }
    const applied = record.workspace.apply;
    if (applyError !== null) throw applyError;
    if (applied && !applied.applied) {
      process.stderr.write(`assay: --apply denied: ${applied.policy.reason}\n`);
      return 1;
    }
    if (applied) process.stderr.write(`assay: applied the diff to ${opened.workspace.source}\n`);
    if (!flags.json) return reportOutcome(record, tracePath);
  }

  if (flags.json) {
    process.stdout.write(`${JSON.stringify(record)}\n`);
  } else if (record.final_answer !== null) {
    process.stdout.write(`${record.final_answer}\n`);
  }
  return reportOutcome(record, tracePath);
}

type WorkspaceRun = typeof import('./workspace-run.js');

/**
 * `--apply` after the episode and before the record is written, so the trace holds the policy's
 * decision on `workspace.apply` and whether the diff went in. A failed apply (the folder
 * changed, the diff does not apply) is recorded, then reported once the record is written.
 */
async function applyByPolicy(
  workspaceRun: WorkspaceRun,
  opened: Awaited<ReturnType<WorkspaceRun['openRunWorkspace']>>,
  record: TraceRecord,
  policy: Policy,
): Promise<{ record: TraceRecord; applyError: unknown }> {
  const summary = record.workspace;
  if (!summary || summary.diff_stats.files === 0) return { record, applyError: null };
  const dir = opened.workspace.source;
  const args = workspaceRun.applyArguments(dir, summary);
  const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true;
  const decision = await workspaceRun.decideApply(policy, args, interactive);
  let applyError: unknown = null;
  if (decision.decision === 'allow') {
    try {
      // An incomplete diff (files left out, cut at the cap) is refused, never half applied.
      await workspaceRun.applyToSource(dir, opened.fingerprint, opened.workspace.completeDiff());
    } catch (error) {
      applyError = error;
    }
  }
  const apply = {
    arguments: args,
    policy: {
      ...decision,
      clamps:
        decision.clamps === null
          ? null
          : { ...decision.clamps, private_network: [...decision.clamps.private_network] },
    },
    applied: decision.decision === 'allow' && applyError === null,
    ...(applyError === null ? {} : { error: errorMessage(applyError) }),
  };
  return { record: { ...record, workspace: { ...summary, apply } }, applyError };
}

/** Says on stderr why an episode did not end with an answer, and picks the exit code. */
function reportOutcome(record: TraceRecord, tracePath: string): number {
  const { status, stop_reason } = record.outcome;
  if (status === 'completed') return 0;
  if (record.error?.class === 'infra') {
    process.stderr.write(`assay: ${record.error.message}\n(trace: ${tracePath})\n`);
    return 3;
  }
  const detail = record.error ? `: ${record.error.message}` : '';
  process.stderr.write(
    `assay: the episode ended without an answer (${status}, ${stop_reason})${detail}\n(trace: ${tracePath})\n`,
  );
  return 1;
}

function printEvent(event: AgentEvent): void {
  if (event.type === 'model_step') {
    const calls = event.result.toolCalls.map((c) => `${c.name}(${c.arguments})`).join(', ');
    process.stderr.write(
      `[step ${event.step}] ${Math.round(event.latency_ms)} ms${calls ? ` → ${calls}` : ''}\n`,
    );
  } else if (event.type === 'tool_call') {
    const { call } = event;
    const verdict = call.policy?.decision ?? 'invalid';
    process.stderr.write(
      `  ${call.name} [${verdict}] ${call.result.ok ? 'ok' : 'error'}: ${oneLine(call.result.content)}\n`,
    );
  } else if (event.type === 'warning') {
    process.stderr.write(`assay: warning: ${event.message}\n`);
  }
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
}
