/**
 * A reward function for RL on math, built on `assay/verifiers` (here imported from the source
 * tree; in a project, `import { verify } from 'assay/verifiers'`). The same verifier scores
 * `assay eval`, so training rewards and eval numbers agree. Run with
 * `npx tsx examples/math-reward.ts`.
 */
import assert from 'node:assert/strict';
import { verify } from '../src/verifiers.js';

async function reward(completion: string, reference: string): Promise<number> {
  const result = await verify({ verifier: 'math', response: completion, answer: reference });
  // A verifier error (reward null) is not the model's fault: skip the sample rather than punish.
  return result.reward ?? Number.NaN;
}

const reference = '\\frac{1}{3}';
assert.equal(await reward('The probability is $\\frac{2}{6}$.', reference), 1);
assert.equal(await reward('So the answer is \\boxed{0.333333333}.', reference), 1);
// Reward hacking gets nothing: the 3 of the denominator is not an answer of 3.
assert.equal(await reward('The probability is $\\frac{1}{3}$.', '3'), 0);

const { explanation } = await verify({
  verifier: 'math',
  response: 'Therefore $x \\geq 5$.',
  answer: '5',
});
console.log(explanation);
