import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultTracePath } from '../../src/trace/defaults.js';

describe('defaultTracePath', () => {
  it('puts the trace under .assay/traces named by the UTC date', () => {
    // 23:30 on the 31st at UTC-5 is already the 1st in UTC.
    const now = new Date('2025-12-31T23:30:00-05:00');
    expect(defaultTracePath('/home/u/project', now)).toBe(
      join('/home/u/project', '.assay', 'traces', '2026-01-01.jsonl'),
    );
  });
});
