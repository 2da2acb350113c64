import { join } from 'node:path';

/** `<cwd>/.assay/traces/YYYY-MM-DD.jsonl`, dated in UTC so one day's runs share one file. */
export function defaultTracePath(cwd: string, now: Date): string {
  const day = now.toISOString().slice(0, 10);
  return join(cwd, '.assay', 'traces', `${day}.jsonl`);
}
