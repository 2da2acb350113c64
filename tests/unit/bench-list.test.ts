import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BENCHES } from '../../bench/bench-list.js';

const DIR = join(import.meta.dirname, '../../bench');
/**
 * The files of bench/ that are not benches: the runner, its list and the figures' helpers.
 */
const NOT_BENCHES = new Set(['run-all.ts', 'bench-list.ts', 'figures.ts', 'figure-table.ts']);

const benchFiles = readdirSync(DIR)
  .filter((file) => file.endsWith('.ts') && !NOT_BENCHES.has(file))
  .map((file) => file.slice(0, -'.ts'.length))
  .sort();

describe('npm run bench runs every bench', () => {
  it('finds the benches in bench/', () => {
    expect(benchFiles.length).toBeGreaterThan(10);
  });

  it('lists every bench/*.ts file in BENCHES, and nothing else', () => {
    const listed = BENCHES.map((bench) => bench.name);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(benchFiles);
  });

  it.each(benchFiles)('bench/%s.ts reports its figures under its own name', (name) => {
    const source = readFileSync(join(DIR, `${name}.ts`), 'utf8');
    expect(source).toMatch(/\breportFigures\(\s*'/);
    const names = [...source.matchAll(/\breportFigures\(\s*'([^']*)'/g)].map((m) => m[1]);
    expect(new Set(names)).toEqual(new Set([name]));
  });
});
