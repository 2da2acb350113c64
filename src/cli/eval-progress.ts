import type { EvalProgress } from '../eval/run/runner.js';

/**
 * Progress of an eval on stderr: a bar redrawn in place on a terminal, or a line every tenth
 * of the run otherwise (logs stay readable).
 */
export function createProgressPrinter(
  stream: NodeJS.WriteStream = process.stderr,
  /** More to show after the arms (a `--queue` run: its workers and their rates). */
  extra: (progress: EvalProgress) => string = () => '',
): {
  update(progress: EvalProgress): void;
  end(): void;
} {
  const tty = stream.isTTY === true;
  let lastDecile = -1;
  let drawn = false;
  return {
    update(progress) {
      const line =
        progressLine(progress, tty ? Math.max(10, Math.min(30, (stream.columns ?? 80) - 60)) : 20) +
        extra(progress);
      if (tty) {
        stream.write(`\r\x1b[2K${line}`);
        drawn = true;
        return;
      }
      const decile =
        progress.total === 0 ? 10 : Math.floor((progress.finished / progress.total) * 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        stream.write(`${line}\n`);
      }
    },
    end() {
      if (drawn) stream.write('\n');
    },
  };
}

export function progressLine(progress: EvalProgress, width: number): string {
  const fraction = progress.total === 0 ? 1 : progress.finished / progress.total;
  const filled = Math.round(fraction * width);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
  const arms = Object.entries(progress.arms)
    .map(([name, a]) => {
      const accuracy = a.scored === 0 ? '–' : `${((a.correct / a.scored) * 100).toFixed(1)}%`;
      return `${name} ${accuracy}${a.infraErrors > 0 ? ` (${a.infraErrors} infra)` : ''}`;
    })
    .join(' · ');
  return `${bar} ${progress.finished}/${progress.total}  ${arms}`;
}
