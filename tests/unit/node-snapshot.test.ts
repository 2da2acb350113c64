import { describe, expect, it } from 'vitest';
import { runsWithoutNodeSnapshot } from '../../src/core/node-snapshot.js';

describe('runsWithoutNodeSnapshot', () => {
  it('reads the flag from Node’s own arguments or from NODE_OPTIONS', () => {
    expect(runsWithoutNodeSnapshot([], undefined)).toBe(false);
    expect(runsWithoutNodeSnapshot(['--import', 'tsx'], '')).toBe(false);
    expect(runsWithoutNodeSnapshot(['--no-node-snapshot'], undefined)).toBe(true);
    expect(runsWithoutNodeSnapshot([], '--no-node-snapshot')).toBe(true);
    expect(runsWithoutNodeSnapshot([], '--max-old-space-size=4096  --no-node-snapshot')).toBe(true);
    expect(runsWithoutNodeSnapshot([], '--no-node-snapshots')).toBe(false);
  });

  it('sees the flag this test process was started with (vitest’s execArgv)', () => {
    expect(runsWithoutNodeSnapshot()).toBe(true);
  });
});
