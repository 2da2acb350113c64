/**
 * A time budget for one math verification. Every step is bounded by input caps already; the
 * budget is the last guard, checked between stages and inside the loops that evaluate at points
 * or match items, so a pathological answer ends in a verifier error instead of a stall.
 */
export class BudgetExceeded extends Error {
  constructor(readonly budgetMs: number) {
    super(`math verification took longer than ${budgetMs} ms`);
  }
}

let deadline = Number.POSITIVE_INFINITY;
let budget = 0;

/** Runs `fn` with `ms` milliseconds to spend; nested calls keep the outer deadline. */
export function withBudget<T>(ms: number, fn: () => T): T {
  const [savedDeadline, savedBudget] = [deadline, budget];
  if (deadline === Number.POSITIVE_INFINITY) {
    deadline = performance.now() + ms;
    budget = ms;
  }
  try {
    return fn();
  } finally {
    deadline = savedDeadline;
    budget = savedBudget;
  }
}

/** Throws `BudgetExceeded` once the current budget is spent. */
export function checkBudget(): void {
  if (performance.now() > deadline) throw new BudgetExceeded(budget);
}
