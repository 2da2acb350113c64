import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Every container assay creates carries these labels, so leftovers can be found and owned. */
export const LABEL_MANAGED = 'assay.managed';
export const LABEL_PID = 'assay.pid';
export const LABEL_PID_START = 'assay.pid_start';
export const LABEL_HOST = 'assay.host';
export const LABEL_SESSION = 'assay.session';
export const LABEL_CREATED = 'assay.created';
export const LABEL_ROLE = 'assay.role';

export const MANAGED_FILTER = `${LABEL_MANAGED}=true`;

/**
 * When a process started, in clock ticks since boot (field 22 of /proc/PID/stat). Together with
 * the pid it tells a live owner from a new process that reused a dead owner's pid.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses; fields resume after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/** The labels of a container owned by this process. */
export function ownerLabels(sessionId: string, role: string): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL_MANAGED]: 'true',
    [LABEL_PID]: String(process.pid),
    [LABEL_HOST]: hostname(),
    [LABEL_SESSION]: sessionId,
    [LABEL_CREATED]: new Date().toISOString(),
    [LABEL_ROLE]: role,
  };
  const start = processStartTime(process.pid);
  if (start) labels[LABEL_PID_START] = start;
  return labels;
}

/**
 * Whether the process that created a container still runs. Containers made on another host (an
 * engine shared over TCP) are treated as alive: their owner cannot be checked from here.
 */
export function isOwnerAlive(labels: Record<string, string>): boolean {
  if (labels[LABEL_HOST] !== hostname()) return true;
  const pid = Number(labels[LABEL_PID]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid)
    return labels[LABEL_PID_START] === processStartTime(pid) || !labels[LABEL_PID_START];
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const recorded = labels[LABEL_PID_START];
  const current = processStartTime(pid);
  return recorded === undefined || current === undefined || recorded === current;
}
