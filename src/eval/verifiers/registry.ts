import { VerifierError } from '../../core/errors.js';
import type { VerifierName } from '../task-schema.js';
import { choiceVerifier } from './choice.js';
import { codeTestsVerifier } from './code-tests.js';
import { exactVerifier } from './exact.js';
import { jsVerifier } from './js.js';
import { mathVerifier } from './math.js';
import { regexVerifier } from './regex.js';
import type { Verifier } from './types.js';
import { workspaceTestsVerifier } from './workspace-tests.js';

const VERIFIERS: Readonly<Record<VerifierName, Verifier>> = {
  math: mathVerifier,
  exact: exactVerifier,
  regex: regexVerifier,
  choice: choiceVerifier,
  code_tests: codeTestsVerifier,
  js: jsVerifier,
  tests: workspaceTestsVerifier,
};

/** The verifier with this name; every name a suite accepts has one. */
export function getVerifier(name: string): Verifier {
  if (!Object.hasOwn(VERIFIERS, name)) {
    throw new VerifierError(
      'VERIFIER_FAILED',
      `unknown verifier "${name}"; the verifiers are ${Object.keys(VERIFIERS).join(', ')}`,
    );
  }
  return VERIFIERS[name as VerifierName];
}

/** Name and version of every verifier, for run manifests and `--help` text. */
export function verifierVersions(): Record<VerifierName, string> {
  const versions = {} as Record<VerifierName, string>;
  for (const [name, verifier] of Object.entries(VERIFIERS))
    versions[name as VerifierName] = verifier.version;
  return versions;
}
