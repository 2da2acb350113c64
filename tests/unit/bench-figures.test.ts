import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderFigureTable, tally } from '../../bench/figure-table.js';
import { FIGURES_ENV, type FigureLine, reportFigures, targetMet } from '../../bench/figures.js';

const help: FigureLine = {
  bench: 'startup',
  name: 'assay --help, median wall',
  value: 120,
  unit: 'ms',
  baseline: 40,
  baselineName: 'node -e 0',
  target: { on: 'value', op: '<=', limit: 150 },
};
const loop: FigureLine = {
  bench: 'loop',
  name: 'loop step over HTTP',
  value: 4.17,
  unit: 'ms',
  baseline: 2.52,
  target: { on: 'ratio', op: '<=', limit: 1.15 },
};

describe('bench figures', () => {
  const saved = process.env[FIGURES_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[FIGURES_ENV];
    else process.env[FIGURES_ENV] = saved;
  });

  it('judges a target on the value or on the ratio to the baseline', () => {
    expect(targetMet(help)).toBe(true);
    expect(targetMet({ ...help, value: 151 })).toBe(false);
    expect(targetMet(loop)).toBe(false);
    expect(targetMet({ ...loop, value: 2.8 })).toBe(true);
    expect(targetMet({ ...loop, baseline: undefined as unknown as number })).toBeUndefined();
    expect(targetMet({ ...loop, target: undefined as never })).toBeUndefined();
  });

  it('appends one JSON line per figure to the file named by the environment', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'assay-figures-'));
    try {
      process.env[FIGURES_ENV] = join(dir, 'figures.jsonl');
      const { bench: _bench, ...figure } = loop;
      reportFigures('loop', [figure]);
      reportFigures('startup', [{ name: 'x', value: 1, unit: 'ms' }]);
      const lines = (await readFile(join(dir, 'figures.jsonl'), 'utf8')).trim().split('\n');
      expect(lines.map((line) => JSON.parse(line))).toEqual([
        loop,
        { bench: 'startup', name: 'x', value: 1, unit: 'ms' },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('ends with one table that shows value, baseline, ratio, target and whether it was met', () => {
    const table = renderFigureTable(
      [help, loop],
      [{ bench: 'sandbox', reason: 'no Docker engine' }],
    );
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^bench\s+figure\s+value\s+baseline\s+ratio\s+target\s+met$/);
    expect(lines[2]).toMatch(
      /startup .* 120 ms .* 40 ms \(node -e 0\) .* 3\.00× .* ≤ 150 ms .* yes$/,
    );
    expect(lines[3]).toMatch(/loop .* 4\.17 ms .* 2\.52 ms .* 1\.65× .* ≤ 1\.15× .* NO$/);
    expect(lines[4]).toMatch(/^sandbox .* not run: no Docker engine$/);
    expect(tally([help, loop])).toEqual({ targets: 2, met: 1 });
  });
});
