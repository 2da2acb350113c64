import { describe, expect, it } from 'vitest';
import type { ExecutionOutcome } from '../../sandbox/docker/sandbox-session.js';
import { capText } from '../../src/core/text.js';
import {
  EPISODE_ARTIFACT_BYTES,
  toToolResult,
  withinEpisodeArtifacts,
} from '../../tools/python/index.js';

const LIMIT = 16_384;

/** What the runner returns for a call that printed `total` bytes, kept at LIMIT per stream. */
function outcome(stdoutTotal: number, stderrTotal: number, value: string | null): ExecutionOutcome {
  const stream = (letter: string, total: number) => {
    const kept = Math.min(total, LIMIT);
    return {
      head: letter.repeat(Math.ceil(kept / 2)),
      tail: letter.toLowerCase().repeat(Math.floor(kept / 2)),
      total_bytes: total,
      dropped_bytes: total - kept,
    };
  };
  return {
    status: 'ok',
    stdout: stream('O', stdoutTotal),
    stderr: stream('E', stderrTotal),
    value,
    error: null,
    figures: [],
    files: [],
    filesOmitted: [],
    stoppedProcesses: 0,
    durationMs: 10,
    timeoutMs: 30_000,
    containerId: 'abcdef012345',
  };
}

function omitted(content: string, stream: string): number {
  const match = new RegExp(`\\[\\.\\.\\. (\\d+) of (\\d+) bytes of ${stream} omitted`).exec(
    content,
  );
  expect(match, `no ${stream} marker in the content`).not.toBeNull();
  return Number(match![1]);
}

describe('the python tool output within output_bytes', () => {
  it('shows the runner truncation marker with the real dropped count for 200 MB of stdout', () => {
    const content = toToolResult(outcome(200_000_000, 0, null), LIMIT).content;
    // The dispatcher caps what the model reads at output_bytes; nothing is left for it to cut.
    expect(capText(content, LIMIT)).toBe(content);
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(LIMIT);
    const kept = (content.match(/O+/)?.[0].length ?? 0) + (content.match(/o{3,}/)?.[0].length ?? 0);
    expect(omitted(content, 'stdout')).toBe(200_000_000 - kept);
    expect(content).toContain('OOOO');
    expect(content).toContain('oooo');
  });

  it('fits stdout, stderr and a long value together, each with its own marker', () => {
    const content = toToolResult(
      outcome(1_000_000, 500_000, `'${'v'.repeat(20_000)}'`),
      LIMIT,
    ).content;
    expect(capText(content, LIMIT)).toBe(content);
    expect(omitted(content, 'stdout')).toBeGreaterThan(1_000_000 - LIMIT);
    expect(omitted(content, 'stderr')).toBeGreaterThan(500_000 - LIMIT);
    expect(content).toMatch(/value:\n'v+\n\[… \d+ bytes omitted …\]\nv+'/);
  });

  it('leaves output that fits as it is', () => {
    const small = outcome(10, 0, '42');
    expect(toToolResult(small, LIMIT).content).toBe(toToolResult(small).content);
    expect(toToolResult(small, LIMIT).content).toBe('stdout:\nOOOOOooooo\nvalue:\n42');
  });
});

describe('the python tool artifacts per episode', () => {
  const file = (name: string, bytes: number) => ({ name, data: Buffer.alloc(bytes) });

  it('keeps figures and files until the episode cap, then names the rest as not kept', () => {
    const first = {
      ...outcome(0, 0, null),
      figures: [file('figure-1.png', 40)],
      files: [file('a.bin', 50)],
    };
    const one = withinEpisodeArtifacts(first, 0, 100);
    expect(one.outcome.figures.map((f) => f.name)).toEqual(['figure-1.png']);
    expect(one.outcome.files.map((f) => f.name)).toEqual(['a.bin']);
    expect(one.usedBytes).toBe(90);

    const second = { ...outcome(0, 0, null), files: [file('b.bin', 20), file('c.bin', 5)] };
    const two = withinEpisodeArtifacts(second, one.usedBytes, 100);
    expect(two.outcome.files.map((f) => f.name)).toEqual(['c.bin']);
    expect(two.outcome.filesOmitted).toEqual([{ path: 'b.bin', size: 20 }]);
    expect(two.usedBytes).toBe(95);
    expect(toToolResult(two.outcome).content).toContain(
      'file written: b.bin (20 bytes, too large to keep)',
    );
    expect(toToolResult(two.outcome).artifacts?.map((a) => a.name)).toEqual(['c.bin']);
  });

  it('caps an episode at 64 MB of artifacts by default', () => {
    expect(EPISODE_ARTIFACT_BYTES).toBe(64 * 1024 * 1024);
    const big = { ...outcome(0, 0, null), files: [file('big.bin', 1024)] };
    const result = withinEpisodeArtifacts(big, EPISODE_ARTIFACT_BYTES - 1000);
    expect(result.outcome.files).toEqual([]);
  });
});
