import { InfraError } from '../../src/core/errors.js';

let catastrophe: string | null = null;

/**
 * isolated-vm reports errors after which V8's state is undefined; from then on no code runs
 * in this process (fail closed) and every attempt is an infrastructure error.
 */
export function recordCatastrophe(message: string): void {
  catastrophe = message;
  process.stderr.write(
    `assay: isolated-vm reported a catastrophic error; JavaScript is off: ${message}\n`,
  );
}

/** True after any isolate in this process reported a catastrophic error. */
export function isolatesFailed(): boolean {
  return catastrophe !== null;
}

export function failIfCatastrophic(): void {
  if (catastrophe !== null) {
    throw new InfraError(
      'ISOLATE_FAILED',
      `isolated-vm had a catastrophic error earlier in this process: ${catastrophe}`,
    );
  }
}
