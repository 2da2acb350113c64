import type { EvalRunSummary } from '../eval/run/runner.js';

const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`;
const pts = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}`;

/** The one-screen summary of a finished (or interrupted) eval on stdout. */
export async function printEvalSummary(summary: EvalRunSummary): Promise<void> {
  const { results } = summary;
  const lines: string[] = [];
  lines.push(`model: ${JSON.stringify(results.model)}`);
  for (const [name, arm] of Object.entries(results.arms)) {
    const [lo, hi] = arm.accuracy_ci95 ?? [null, null];
    lines.push(
      `${name.padEnd(12)} accuracy ${pct(arm.accuracy).padStart(6)} [${pct(lo)}, ${pct(hi)}]  scored ${arm.scored}/${arm.n}  infra errors ${arm.infra_errors}  tool calls/episode ${arm.tool_calls_mean?.toFixed(2) ?? '–'}`,
    );
  }
  for (const [pair, paired] of Object.entries(results.paired)) {
    const [lo, hi] = paired.diff_ci95 ?? [null, null];
    const p: number | null = paired.n_pairs > 0 ? paired.mcnemar.p_value : null;
    lines.push(
      `${pair.replace('_vs_', ' − ')}: ${paired.diff === null ? '–' : `${pts(paired.diff)} pts`} [${lo === null ? '–' : pts(lo)}, ${hi === null ? '–' : pts(hi)}], McNemar p = ${p === null ? '–' : p.toPrecision(3)}${p !== null && p < 0.05 ? ' (significant at 0.05)' : ' (not significant at 0.05)'}, ${paired.discordant.length} discordant tasks`,
    );
  }
  lines.push(`results: ${summary.outDir}/results.json`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
