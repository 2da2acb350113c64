import { join } from 'node:path';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { packageRoot } from '../core/package-root.js';
import type { ToolUsage } from '../core/tool.js';
import type { FilePolicy } from './file-policy.js';
import { type LoadPolicyOptions, loadPolicy } from './load.js';
import type { Policy, PolicyCall, PolicyDecision, PolicySession } from './types.js';

/**
 * The policy used when no file is given until policy files exist: every advertised tool is
 * allowed with the default limits, and anything else is denied.
 */
export function allowListedPolicy(tools: readonly string[]): Policy {
  const allowed = new Set(tools);
  return {
    file: 'builtin:allow-listed',
    sha256: null,
    startEpisode(): PolicySession {
      let tainted = false;
      return {
        get tainted() {
          return tainted;
        },
        async decide(call: PolicyCall): Promise<PolicyDecision> {
          if (allowed.has(call.tool)) {
            return {
              decision: 'allow',
              effect: 'allow',
              rule: 'builtin:allow-listed',
              reason: `${call.tool} is one of the enabled tools`,
              clamps: { ...DEFAULT_LIMITS },
            };
          }
          return {
            decision: 'deny',
            effect: 'deny',
            rule: 'default',
            reason: `${call.tool} is not enabled`,
            clamps: null,
          };
        },
        record(_call: PolicyCall, _usage: ToolUsage, taints: boolean): void {
          if (taints) tainted = true;
        },
      };
    },
  };
}

export type BuiltinPolicyName = 'default' | 'strict' | 'open';

export const BUILTIN_POLICY_NAMES: readonly BuiltinPolicyName[] = ['default', 'strict', 'open'];

/** Loads one of the policies shipped in `policies/`, from source and from `dist` alike. */
export function loadBuiltinPolicy(
  name: BuiltinPolicyName,
  options: LoadPolicyOptions = {},
): Promise<FilePolicy> {
  return loadPolicy(builtinPolicyPath(name), options);
}

export function builtinPolicyPath(name: BuiltinPolicyName): string {
  return join(packageRoot(), 'policies', `${name}.yaml`);
}
