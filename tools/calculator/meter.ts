import { type CalculatorLimits, calcFailure, DEFAULT_CALCULATOR_LIMITS } from './limits.js';

/**
 * The clock and limits of the evaluation in progress. Evaluation is synchronous, so one meter
 * per engine is shared by every call and reset at the start of each.
 */
export class Meter {
  limits: Readonly<CalculatorLimits> = DEFAULT_CALCULATOR_LIMITS;
  #deadline = Number.POSITIVE_INFINITY;
  #ops = 0;
  #bound = 10n ** BigInt(DEFAULT_CALCULATOR_LIMITS.maxDigits);
  #boundDigits = DEFAULT_CALCULATOR_LIMITS.maxDigits;

  start(limits: Readonly<CalculatorLimits>, deadline: number): void {
    this.limits = limits;
    this.#deadline = deadline;
    this.#ops = 0;
    if (limits.maxDigits !== this.#boundDigits) {
      this.#bound = 10n ** BigInt(limits.maxDigits);
      this.#boundDigits = limits.maxDigits;
    }
  }

  /** Counts one step of work; on the first and every 64th, stops the evaluation past its deadline. */
  tick(): void {
    this.#ops++;
    if ((this.#ops & 63) === 1 && performance.now() > this.#deadline) {
      throw calcFailure(
        'timeout',
        `the evaluation took longer than ${this.limits.timeoutMs} ms and was stopped`,
      );
    }
  }

  /** Moves the deadline on by `ms`: time spent building a mathjs function is not the expression's. */
  extend(ms: number): void {
    this.#deadline += ms;
  }

  /** 10^maxDigits: an exact integer at or above it has too many digits. */
  get exactBound(): bigint {
    return this.#bound;
  }
}
